import Foundation
import GestionProtocol
import SyncCore

/// What the simulation knows independently of the engine: every mutation a device performed,
/// every result the server sent (whether or not it arrived), and which mutations their devices
/// know the server has (acknowledged). The invariants compare the server's database with it.
struct Ledger {
    /// A mutation of one client: its client id and number.
    struct Key: Hashable, Comparable, CustomStringConvertible {
        var client: String
        var id: Int64

        static func < (a: Key, b: Key) -> Bool { (a.client, a.id) < (b.client, b.id) }
        var description: String { "\(client)#\(id)" }
    }

    struct Performed {
        var name: String
        var args: JSONObject
        var device: Int
    }

    private(set) var performed: [Key: Performed] = [:]
    /// The first result the server sent for each mutation (from any push reply, delivered or not).
    private(set) var results: [Key: MutationResult] = [:]
    /// Results devices received in push replies.
    private(set) var acknowledgedResults: [Key: MutationResult] = [:]
    /// Per client, the highest number a pull said the server had processed.
    private(set) var processedThrough: [String: Int64] = [:]
    /// The highest number performed per client.
    private(set) var lastPerformed: [String: Int64] = [:]
    /// Client ids of revoked devices: what they had not uploaded may be lost.
    var revoked: Set<String> = []
    /// Client ids of retired devices: they must upload everything before erasing themselves.
    var retired: Set<String> = []

    /// Mutations a retired replica kept and renumbered for its next client id: old key → new key.
    private(set) var carried: [Key: Key] = [:]

    /// A retired replica kept mutation `old` as `new` of its next life.
    mutating func carry(_ old: Key, to new: Key, device: Int) {
        guard let mutation = performed[old] else { return }
        carried[old] = new
        perform(new, name: mutation.name, args: mutation.args, device: device)
    }

    mutating func perform(_ key: Key, name: String, args: JSONObject, device: Int) {
        performed[key] = Performed(name: name, args: args, device: device)
        lastPerformed[key.client] = max(lastPerformed[key.client] ?? 0, key.id)
    }

    /// Records a result the server sent. Returns a problem when it contradicts an earlier one:
    /// a mutation processed twice, or a stored result that changed.
    mutating func serverSent(_ result: MutationResult, client: String) -> String? {
        let key = Key(client: client, id: result.id)
        var stored = result
        stored.duplicate = nil
        if let earlier = results[key] {
            guard result.duplicate == true else {
                return "\(key) was processed twice: first \(Self.describe(earlier)), then \(Self.describe(stored))"
            }
            if earlier != stored {
                return "\(key): the stored result changed from \(Self.describe(earlier)) to \(Self.describe(stored))"
            }
            return nil
        }
        results[key] = stored
        if result.duplicate == true { return "\(key) came back as a duplicate but was never processed before" }
        return nil
    }

    /// The device received its result in a push reply.
    mutating func acknowledge(_ result: MutationResult, client: String) {
        var stored = result
        stored.duplicate = nil
        let key = Key(client: client, id: result.id)
        if acknowledgedResults[key] == nil { acknowledgedResults[key] = stored }
    }

    /// The device learned from a pull that the server processed its mutations up to `last`.
    mutating func acknowledgeThrough(_ last: Int64, client: String) {
        processedThrough[client] = max(processedThrough[client] ?? 0, last)
    }

    /// Whether the device of `key` was told that the server has it.
    func isAcknowledged(_ key: Key) -> Bool {
        acknowledgedResults[key] != nil || key.id <= (processedThrough[key.client] ?? 0)
    }

    /// Every acknowledged mutation, in order: those with a known result and those a pull confirmed.
    var acknowledgedKeys: [Key] {
        var keys = Set(acknowledgedResults.keys)
        for (client, last) in processedThrough where last > 0 {
            for id in 1...last { keys.insert(Key(client: client, id: id)) }
        }
        return keys.sorted()
    }

    static func describe(_ result: MutationResult) -> String {
        var text = result.status.rawValue
        if let code = result.code { text += " \(code)" }
        if let version = result.version { text += " v\(version)" }
        if result.resolution != nil { text += " (resolution)" }
        return text
    }
}
