import Foundation
import GestionProtocol
import SyncCore

extension PullResponse {
    /// The response as `WireCoding.encode(self)` writes it (the same canonical bytes once
    /// serialized), built directly instead of through the `Codable` encoder: that encoder was most
    /// of the server's CPU in a large pull (gestion-bench, initial sync). A test compares the two.
    var wireValue: JSONValue {
        var object: JSONObject = [
            "changeSets": .array(
                changeSets.map { set in .object(["version": .int(set.version), "changes": .array(set.changes.map(Self.wireValue))]) }
            ),
            "cursor": .int(cursor),
            "hasMore": .bool(hasMore),
            "lastMutationId": .int(lastMutationId),
            "results": .array(results.map(Self.wireValue)),
            "serverId": .string(serverId),
            "serverTime": .string(RFC3339.string(from: serverTime)),
        ]
        if let device { object["device"] = .string(device.rawValue) }
        return .object(object)
    }

    static func wireValue(_ change: RecordChange) -> JSONValue {
        var object: JSONObject = [
            "collection": .string(change.collection), "id": .string(change.id), "op": .string(change.op.rawValue),
        ]
        if let body = change.body { object["body"] = .object(body) }
        return .object(object)
    }

    static func wireValue(_ result: MutationResult) -> JSONValue {
        var object: JSONObject = ["id": .int(result.id), "status": .string(result.status.rawValue)]
        if let code = result.code { object["code"] = .string(code) }
        if let message = result.message { object["message"] = .string(message) }
        if let resolution = result.resolution { object["resolution"] = .string(resolution) }
        if let version = result.version { object["version"] = .int(version) }
        if let duplicate = result.duplicate { object["duplicate"] = .bool(duplicate) }
        return .object(object)
    }
}

extension PushResponse {
    /// The response as `WireCoding.encode(self)` writes it, built without the `Codable` encoder
    /// (a twentieth of the server's CPU per push). A test compares the two.
    var wireValue: JSONValue {
        .object(["results": .array(results.map(PullResponse.wireValue)), "lastMutationId": .int(lastMutationId)])
    }
}
