import Foundation
import GestionSQLite
import Mediacion
import SyncCore

/// One mutation a device performed: its client id and its number in that device's outbox.
public struct MutationKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The device's client id.
    public var client: String
    /// The mutation's number in that device's outbox (1, 2, 3…).
    public var id: Int64

    public init(client: String, id: Int64) {
        self.client = client
        self.id = id
    }

    public static func < (a: MutationKey, b: MutationKey) -> Bool { (a.client, a.id) < (b.client, b.id) }
    public var description: String { "\(client)#\(id)" }
}

/// A mutation a device performed during the run (queued in its outbox).
public struct PerformedMutation: Sendable, Hashable {
    public var key: MutationKey
    /// The mutation's name (`registrarAceptacion`…).
    public var name: String

    public init(key: MutationKey, name: String) {
        self.key = key
        self.name = name
    }
}

/// What the server's database holds of the devices' mutations, read after the server stopped.
public struct ServerHistory: Sendable {
    /// One stored result.
    public struct Result: Sendable, Equatable {
        public var key: MutationKey
        public var name: String
        /// `applied` (possibly by a rule or sent to review) rather than `rejected`.
        public var applied: Bool
        /// The version of its change-set, when it changed something.
        public var version: Int64?

        public init(key: MutationKey, name: String, applied: Bool, version: Int64?) {
            self.key = key
            self.name = name
            self.applied = applied
            self.version = version
        }
    }

    /// Every stored result, one row each (a key twice would be a doubled mutation).
    public var results: [Result] = []
    /// Every change-set: its version and the mutation that made it.
    public var changeSets: [(version: Int64, key: MutationKey)] = []
    /// Each client's last processed mutation number.
    public var lastMutationID: [String: Int64] = [:]
    /// Every current record with its partition (nil: outside partitions).
    public var records: [RecordKey: (body: JSONValue?, partition: String?)] = [:]
    /// The tags that see each partition.
    public var audiences: [String: Set<String>] = [:]
    /// Each user's role and unit.
    public var users: [String: UserProfile] = [:]

    public init() {}

    /// Reads the history from the server's database file, read-only.
    public static func load(databasePath: String) throws -> ServerHistory {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        let db = try Connection(path: databasePath, configuration: configuration)
        defer { db.close() }
        var history = ServerHistory()
        try db.forEachRow("SELECT client_id, mutation_id, name, status, version FROM mutation_results") { row in
            history.results.append(
                Result(
                    key: MutationKey(client: row.string(at: 0) ?? "", id: row.int64(at: 1) ?? 0), name: row.string(at: 2) ?? "",
                    applied: row.string(at: 3) == "applied", version: row.int64(at: 4)
                )
            )
        }
        try db.forEachRow("SELECT version, client_id, mutation_id FROM change_sets") { row in
            history.changeSets.append((row.int64(at: 0) ?? 0, MutationKey(client: row.string(at: 1) ?? "", id: row.int64(at: 2) ?? 0)))
        }
        try db.forEachRow("SELECT client_id, last_mutation_id FROM clients") { row in
            history.lastMutationID[row.string(at: 0) ?? ""] = row.int64(at: 1) ?? 0
        }
        try db.forEachRow("SELECT collection, id, body, partition FROM records") { row in
            let body = row.string(at: 2).flatMap { try? JSONParser.parse($0) }
            history.records[RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")] = (body, row.string(at: 3))
        }
        try db.forEachRow("SELECT partition, tag FROM partition_audience") { row in
            history.audiences[row.string(at: 0) ?? "", default: []].insert(row.string(at: 1) ?? "")
        }
        try db.forEachRow("SELECT id, role, unit FROM users") { row in
            let id = row.string(at: 0) ?? ""
            history.users[id] = UserProfile(id: id, role: row.string(at: 1) ?? "", unit: row.string(at: 2))
        }
        return history
    }

    /// The records the server sends to `user`'s devices: its partitions and the records outside
    /// partitions its role sees (the rules of the server's pull).
    public func records(visibleTo user: String, policy: ReplicationPolicy = Mediacion.registry.replication) -> [RecordKey: JSONValue?] {
        guard let profile = users[user] else { return [:] }
        let tags = policy.userTags(profile)
        var visible: [RecordKey: JSONValue?] = [:]
        for (key, record) in records {
            let sees: Bool
            if tags.contains(ReplicationPolicy.everything) {
                sees = true
            } else if let partition = record.partition {
                sees = !(audiences[partition] ?? []).isDisjoint(with: tags)
            } else {
                sees = policy.isVisibleOutsidePartitions(key.collection, profile.role)
            }
            if sees { visible[key] = record.body }
        }
        return visible
    }
}

/// What a device's replica file holds at the end of the run.
public struct ReplicaState: Sendable {
    /// The device, for the report (`d12 asesor.012`).
    public var label: String
    /// Its user: the scope it must hold.
    public var user: String
    public var clientID: String
    /// Its records; a body that is not JSON is nil (and differs from the server's).
    public var records: [RecordKey: JSONValue?]
    /// Mutations still in its outbox.
    public var pending: Int

    public init(label: String, user: String, clientID: String, records: [RecordKey: JSONValue?], pending: Int) {
        self.label = label
        self.user = user
        self.clientID = clientID
        self.records = records
        self.pending = pending
    }

    /// Reads a replica file, read-only.
    public static func load(path: String, label: String, user: String) throws -> ReplicaState {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        let db = try Connection(path: path, configuration: configuration)
        defer { db.close() }
        var records: [RecordKey: JSONValue?] = [:]
        try db.forEachRow("SELECT collection, id, body FROM records") { row in
            records[RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")] = row.string(at: 2).flatMap { try? JSONParser.parse($0) }
        }
        let clientID = try db.queryScalar("SELECT value FROM replica_meta WHERE key = 'client_id'")?.string ?? ""
        let pending = try db.queryScalar("SELECT COUNT(*) FROM outbox")?.int ?? 0
        return ReplicaState(label: label, user: user, clientID: clientID, records: records, pending: pending)
    }
}

/// The end of a run checked: every mutation a device performed is on the server exactly once,
/// and every replica equals the server's view of its user's scope.
public struct Reconciliation: Sendable {
    /// Mutations the devices performed.
    public var performed = 0
    /// Of those, applied by the server (including those a rule decided or sent to review).
    public var accepted = 0
    /// Of those, refused by the server with a code (they are on the server, as rejections).
    public var rejected = 0
    /// Performed, never on the server.
    public var lost: [MutationKey] = []
    /// On the server more than once: two results, two change-sets, or a change-set that is not
    /// its result's.
    public var doubled: [MutationKey] = []
    /// On the server under a device's client id, never performed by it (or under another name).
    public var unexpected: [String] = []
    /// Clients whose numbers on the server do not run 1, 2, 3… up to what they performed.
    public var numbering: [String] = []
    /// Replicas that differ from the server's view of their scope, with the first differences.
    public var divergent: [String: [String]] = [:]

    /// Whether nothing was lost, doubled, unexpected, misnumbered or divergent.
    public var holds: Bool {
        lost.isEmpty && doubled.isEmpty && unexpected.isEmpty && numbering.isEmpty && divergent.isEmpty
    }

    public init() {}

    /// Checks `performed` against the server's `history` and each replica against the server's
    /// view of its user's scope.
    public static func check(performed: [PerformedMutation], history: ServerHistory, replicas: [ReplicaState]) -> Reconciliation {
        var outcome = Reconciliation()
        outcome.performed = performed.count
        let clients = Set(replicas.map(\.clientID)).union(performed.map(\.key.client))
        var results: [MutationKey: [ServerHistory.Result]] = [:]
        for result in history.results where clients.contains(result.key.client) {
            results[result.key, default: []].append(result)
        }
        var changeSets: [MutationKey: [Int64]] = [:]
        for changeSet in history.changeSets where clients.contains(changeSet.key.client) {
            changeSets[changeSet.key, default: []].append(changeSet.version)
        }
        var doubled: Set<MutationKey> = []
        var performedKeys: [MutationKey: String] = [:]
        for mutation in performed {
            if performedKeys[mutation.key] != nil { outcome.unexpected.append("\(mutation.key) was recorded twice by the run") }
            performedKeys[mutation.key] = mutation.name
            guard let stored = results[mutation.key], let first = stored.first else {
                outcome.lost.append(mutation.key)
                continue
            }
            if first.applied { outcome.accepted += 1 } else { outcome.rejected += 1 }
            if first.name != mutation.name {
                outcome.unexpected.append("\(mutation.key) is \(first.name) on the server, the device performed \(mutation.name)")
            }
        }
        for (key, stored) in results {
            if stored.count > 1 { doubled.insert(key) }
            if performedKeys[key] == nil { outcome.unexpected.append("\(key) \(stored[0].name) is on the server but no device performed it") }
            let own = changeSets[key] ?? []
            if own.count > 1 { doubled.insert(key) }
            for result in stored {
                switch result.version {
                case let version?: if own != [version] { doubled.insert(key) }
                case nil: if !own.isEmpty { doubled.insert(key) }
                }
            }
        }
        for key in changeSets.keys where results[key] == nil {
            outcome.unexpected.append("\(key) has a change-set but no result")
        }
        outcome.doubled = doubled.sorted()
        outcome.lost.sort()
        outcome.unexpected.sort()

        var highest: [String: Int64] = [:]
        var count: [String: Int64] = [:]
        for key in performedKeys.keys {
            highest[key.client] = max(highest[key.client] ?? 0, key.id)
            count[key.client, default: 0] += 1
        }
        for client in clients.sorted() {
            let performedUpTo = highest[client] ?? 0
            let serverLast = history.lastMutationID[client] ?? 0
            if count[client, default: 0] != performedUpTo {
                outcome.numbering.append("\(client): the run recorded \(count[client, default: 0]) mutations numbered up to #\(performedUpTo)")
            }
            if serverLast != performedUpTo {
                outcome.numbering.append("\(client): performed up to #\(performedUpTo), the server processed up to #\(serverLast)")
            }
        }

        for replica in replicas {
            var problems: [String] = []
            if replica.pending > 0 { problems.append("\(replica.pending) mutation(s) still in the outbox") }
            let expected = history.records(visibleTo: replica.user)
            for key in Set(expected.keys).union(replica.records.keys).sorted() {
                switch (expected[key], replica.records[key]) {
                case (nil, _?): problems.append("holds \(key), which the server does not send it")
                case (_?, nil): problems.append("lacks \(key)")
                case (let server?, let local?) where server != local: problems.append("differs on \(key)")
                default: break
                }
            }
            if !problems.isEmpty { outcome.divergent[replica.label] = problems }
        }
        return outcome
    }
}
