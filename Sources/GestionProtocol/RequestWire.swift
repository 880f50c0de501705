import Foundation
import SyncCore

// Fast readers for the two requests every device sends: well-formed messages are read straight
// from their JSON value, without `Codable` (its decoder was 8% of the server's CPU in a pull with
// nothing new). Each returns `nil` for anything it does not expect (a wrong type, a member it
// does not know): the caller then decodes through `Codable`, which either accepts the message
// the same way or says what is wrong with it.

/// What an optional member holds: `.some(nil)` when absent or `null`, `.some(value)` when `read`
/// accepts it, `nil` (not well formed) otherwise.
private func optionalMember<T>(_ value: JSONValue?, _ read: (JSONValue) -> T?) -> T?? {
    guard let value, !value.isNull else { return .some(nil) }
    return read(value).map { .some($0) }
}

private func exactInteger(_ value: JSONValue) -> Int64? { if case .int(let number) = value { number } else { nil } }
private func string(_ value: JSONValue) -> String? { value.stringValue }
private func date(_ value: JSONValue) -> Date? { value.stringValue.flatMap(RFC3339.date(from:)) }

extension PullRequest {
    /// The members this reader knows; a request with any other member goes through `Codable`.
    private static let knownMembers: Set<String> = ["protocolVersion", "clientId", "device", "cursor", "resultsAfter", "limit", "waitMs"]

    /// Reads a well-formed pull request without `Codable`; `nil` for anything unexpected.
    public init?(wellFormed value: JSONValue) {
        guard case .object(let members) = value, members.keys.allSatisfy(Self.knownMembers.contains),
            case .int(let version)? = members["protocolVersion"], case .string(let clientId)? = members["clientId"],
            case .int(let cursor)? = members["cursor"], case .int(let resultsAfter)? = members["resultsAfter"],
            let limit = optionalMember(members["limit"], exactInteger), let waitMs = optionalMember(members["waitMs"], exactInteger),
            let device = optionalMember(members["device"], { $0.objectValue.flatMap(DeviceReport.init(wellFormed:)) })
        else { return nil }
        self.init(
            protocolVersion: Int(version), clientId: clientId, cursor: cursor, resultsAfter: resultsAfter, limit: limit.map { Int($0) },
            device: device, waitMs: waitMs
        )
    }
}

extension DeviceReport {
    private static let knownMembers: Set<String> = ["pendingCount", "oldestPendingAt", "unsentCount", "appVersion"]

    fileprivate init?(wellFormed members: JSONObject) {
        guard members.keys.allSatisfy(Self.knownMembers.contains), case .int(let pending)? = members["pendingCount"],
            let oldest = optionalMember(members["oldestPendingAt"], date),
            let unsent = optionalMember(members["unsentCount"], exactInteger),
            let appVersion = optionalMember(members["appVersion"], string)
        else { return nil }
        self.init(pendingCount: Int(pending), oldestPendingAt: oldest, unsentCount: unsent.map { Int($0) }, appVersion: appVersion)
    }
}

extension PushRequest {
    private static let knownMembers: Set<String> = ["protocolVersion", "clientId", "mutations"]

    /// Reads a well-formed push without `Codable`; `nil` for anything unexpected.
    public init?(wellFormed value: JSONValue) {
        guard case .object(let members) = value, members.keys.allSatisfy(Self.knownMembers.contains),
            case .int(let version)? = members["protocolVersion"], case .string(let clientId)? = members["clientId"],
            case .array(let items)? = members["mutations"]
        else { return nil }
        var mutations: [MutationEnvelope] = []
        mutations.reserveCapacity(items.count)
        for item in items {
            guard case .object(let envelope) = item, let mutation = MutationEnvelope(wellFormed: envelope) else { return nil }
            mutations.append(mutation)
        }
        self.init(protocolVersion: Int(version), clientId: clientId, mutations: mutations)
    }
}

extension MutationEnvelope {
    private static let knownMembers: Set<String> = ["id", "name", "args", "occurredAt", "hlc", "baseVersion"]

    fileprivate init?(wellFormed members: JSONObject) {
        guard members.keys.allSatisfy(Self.knownMembers.contains),
            case .int(let id)? = members["id"], case .string(let name)? = members["name"],
            case .object(let args)? = members["args"],
            let occurredAt = members["occurredAt"].flatMap(date),
            case .string(let hlcText)? = members["hlc"], let hlc = HybridTimestamp(hlcText),
            let baseVersion = optionalMember(members["baseVersion"], exactInteger)
        else { return nil }
        self.init(id: id, name: name, args: args, occurredAt: occurredAt, hlc: hlc, baseVersion: baseVersion)
    }
}
