import Foundation
import SyncCore

extension PullRequest {
    /// The members this reader knows; a request with any other member goes through `Codable`.
    private static let knownMembers: Set<String> = ["protocolVersion", "clientId", "device", "cursor", "resultsAfter", "limit", "waitMs"]

    /// Reads a well-formed request straight from its JSON value, without `Codable` (the decoder
    /// was 8% of the server's CPU in a pull with nothing new). `nil` for anything it does not
    /// expect (a wrong type, a member it does not know): the caller then decodes through
    /// `Codable`, which either accepts the request the same way or says what is wrong with it.
    public init?(wellFormed value: JSONValue) {
        guard case .object(let members) = value, members.keys.allSatisfy(Self.knownMembers.contains),
            case .int(let version)? = members["protocolVersion"], case .string(let clientId)? = members["clientId"],
            case .int(let cursor)? = members["cursor"], case .int(let resultsAfter)? = members["resultsAfter"]
        else { return nil }
        var limit: Int?
        switch members["limit"] {
        case nil, .null?: limit = nil
        case .int(let value)?: limit = Int(value)
        default: return nil
        }
        var waitMs: Int64?
        switch members["waitMs"] {
        case nil, .null?: waitMs = nil
        case .int(let value)?: waitMs = value
        default: return nil
        }
        var device: DeviceReport?
        switch members["device"] {
        case nil, .null?: device = nil
        case .object(let report)?:
            guard let decoded = DeviceReport(wellFormed: report) else { return nil }
            device = decoded
        default: return nil
        }
        self.init(
            protocolVersion: Int(version), clientId: clientId, cursor: cursor, resultsAfter: resultsAfter, limit: limit, device: device,
            waitMs: waitMs
        )
    }
}

extension DeviceReport {
    private static let knownMembers: Set<String> = ["pendingCount", "oldestPendingAt", "unsentCount", "appVersion"]

    fileprivate init?(wellFormed members: JSONObject) {
        guard members.keys.allSatisfy(Self.knownMembers.contains),
            case .int(let pending)? = members["pendingCount"]
        else { return nil }
        var oldest: Date?
        switch members["oldestPendingAt"] {
        case nil, .null?: oldest = nil
        case .string(let text)?:
            guard let date = RFC3339.date(from: text) else { return nil }
            oldest = date
        default: return nil
        }
        var unsent: Int?
        switch members["unsentCount"] {
        case nil, .null?: unsent = nil
        case .int(let value)?: unsent = Int(value)
        default: return nil
        }
        var appVersion: String?
        switch members["appVersion"] {
        case nil, .null?: appVersion = nil
        case .string(let text)?: appVersion = text
        default: return nil
        }
        self.init(pendingCount: Int(pending), oldestPendingAt: oldest, unsentCount: unsent, appVersion: appVersion)
    }
}

extension PushRequest {
    private static let knownMembers: Set<String> = ["protocolVersion", "clientId", "mutations"]

    /// Reads a well-formed push straight from its JSON value, without `Codable`; `nil` for
    /// anything it does not expect, which the caller then decodes through `Codable` (see
    /// `PullRequest.init(wellFormed:)`).
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
            case .string(let occurredText)? = members["occurredAt"], let occurredAt = RFC3339.date(from: occurredText),
            case .string(let hlcText)? = members["hlc"], let hlc = HybridTimestamp(hlcText)
        else { return nil }
        var baseVersion: Int64?
        switch members["baseVersion"] {
        case nil, .null?: baseVersion = nil
        case .int(let value)?: baseVersion = value
        default: return nil
        }
        self.init(id: id, name: name, args: args, occurredAt: occurredAt, hlc: hlc, baseVersion: baseVersion)
    }
}
