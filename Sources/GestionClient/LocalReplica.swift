import Foundation
import GestionProtocol
import GestionSQLite
import Synchronization
import SyncCore

/// The device's local SQLite replica: the records the user works on, the outbox of what the user
/// did, and the sync bookkeeping. Works offline; every write is durable when it returns
/// (WAL with `synchronous=FULL`).
///
/// ```swift
/// let replica = try LocalReplica(path: "caso.sqlite", registry: Mediacion.registry)
/// try replica.perform("registrarAceptacion", ["numeroCredito": "1000000001"])
/// ```
public final class LocalReplica: Sendable {
    public let path: String
    public let registry: MutationRegistry
    /// This replica's client id (a UUID created with the file, renewed when the replica is erased).
    public var clientID: String { currentClientID.withLock { $0 } }
    private let currentClientID: Mutex<String>
    private let database: SerializedConnection
    private let clock: @Sendable () -> Date
    private let observers = Mutex<[UUID: AsyncStream<ReplicaChange>.Continuation]>([:])

    static let format = "gestionsync-replica"

    /// Opens the replica at `path`, creating it if needed.
    ///
    /// - Parameter vfs: the SQLite VFS to open the file through; `nil` (the app) for the
    ///   platform's default. Crash-safety tests pass a fault-injecting one.
    /// - Throws: `ReplicaError.notADatabase`, `.notAReplica` or `.newerVersion` for a file this
    ///   build must not use; the file is left untouched.
    public init(
        path: String, registry: MutationRegistry, clock: @escaping @Sendable () -> Date = { Date() }, vfs: String? = nil
    ) throws(ReplicaError) {
        self.path = path
        self.registry = registry
        self.clock = clock
        var configuration = Connection.Configuration(vfs: vfs)
        configuration.synchronous = .full
        let connection: Connection
        do {
            connection = try Connection(path: path, configuration: configuration)
        } catch {
            throw Self.map(error, path: path)
        }
        do {
            let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.string(at: 0) }
            if !tables.isEmpty, !tables.contains("replica_meta") {
                throw ReplicaError.notAReplica(path: path)
            }
            _ = try ReplicaSchema.migrator.migrate(connection)
            currentClientID = Mutex(try connection.transaction(.immediate) {
                try connection.run("INSERT OR IGNORE INTO replica_meta (key, value) VALUES ('format', ?)", [Self.format])
                try connection.run(
                    "INSERT OR IGNORE INTO replica_meta (key, value) VALUES ('client_id', ?)", [UUID().uuidString.lowercased()]
                )
                guard try Meta.get(connection, "format") == Self.format, let id = try Meta.get(connection, "client_id") else {
                    throw ReplicaError.notAReplica(path: path)
                }
                return id
            })
        } catch {
            connection.close()
            throw Self.map(error, path: path)
        }
        database = SerializedConnection(connection)
    }

    /// Closes the file. The replica must not be used afterwards.
    public func close() {
        observers.withLock { observers in
            for continuation in observers.values { continuation.finish() }
            observers.removeAll()
        }
        database.close()
    }

    static func map(_ error: any Error, path: String) -> ReplicaError {
        switch error {
        case let error as ReplicaError: return error
        case let error as MutationRejection: return .storage(error.message)
        case let error as SQLiteError:
            if error.isNotADatabase { return .notADatabase(path: path) }
            if error.isDiskFull { return .diskFull }
            return .storage(error.message)
        case is MigrationError: return .newerVersion(path: path)
        default: return .storage("\(error)")
        }
    }

    func write<T>(_ body: (Connection) throws -> T) throws(ReplicaError) -> T {
        do {
            return try database.withConnection { db in try db.transaction(.immediate) { try body(db) } }
        } catch {
            throw Self.map(error, path: path)
        }
    }

    /// Like `write`, but a `MutationRejection` thrown by `body` reaches the caller as it is.
    func writeAllowingRejection<T>(_ body: (Connection) throws -> T) throws -> T {
        do {
            return try database.withConnection { db in try db.transaction(.immediate) { try body(db) } }
        } catch let rejection as MutationRejection {
            throw rejection
        } catch {
            throw Self.map(error, path: path)
        }
    }

    func read<T>(_ body: (Connection) throws -> T) throws(ReplicaError) -> T {
        do {
            return try database.withConnection { db in try db.transaction(.deferred) { try body(db) } }
        } catch {
            throw Self.map(error, path: path)
        }
    }

    // MARK: Session

    /// The signed-in user, if any.
    public func session() throws(ReplicaError) -> ReplicaSession? {
        try read { db in try Meta.session(db) }
    }

    /// Stores a new session after a login. Refused when the replica holds unsent work of another
    /// user or server.
    public func saveSession(_ session: ReplicaSession) throws(ReplicaError) {
        try write { db in
            let previousUser = try Meta.get(db, "user_id")
            let previousServer = try Meta.get(db, "server_id")
            let hasWork = try db.queryScalar("SELECT COUNT(*) FROM outbox")?.int64 ?? 0 > 0
            let otherUser = previousUser != nil && previousUser != session.userID
            let otherServer = previousServer != nil && previousServer != session.serverID
            if hasWork, otherUser || otherServer { throw ReplicaError.belongsToAnotherUser }
            if otherUser || otherServer {
                // Another user or another server database: what this replica holds is not theirs.
                try Self.wipeRecords(db)
                try db.run("DELETE FROM rejections")
            }
            try Meta.set(db, "server_url", session.serverURL)
            try Meta.set(db, "user_id", session.userID)
            try Meta.set(db, "role", session.role)
            try Meta.set(db, "token", session.token)
            try Meta.set(db, "token_expires_at", RFC3339.string(from: session.tokenExpiresAt))
            try Meta.set(db, "server_id", session.serverID)
            try Meta.set(db, "max_offline_days", session.maxOfflineDays.map(String.init))
            try Meta.set(db, "signed_in_at", RFC3339.string(from: clock()))
        }
    }

    /// Refuses to show or change records when the device went longer than the server's limit
    /// without a successful sync since the user last signed in (a lost phone locks itself).
    func checkNotLocked(_ db: Connection) throws {
        guard let days = try Meta.get(db, "max_offline_days").flatMap(Int.init) else { return }
        let lastContact = [try Meta.get(db, "last_sync_at"), try Meta.get(db, "signed_in_at")]
            .compactMap { $0.flatMap(RFC3339.date(from:)) }.max() ?? .distantPast
        if clock().timeIntervalSince(lastContact) > Double(days) * 86_400 { throw ReplicaError.locked(days: days) }
    }

    /// Erases everything the replica holds and gives it a new client id: the device was retired
    /// or revoked. Returns the new client id and how many actions were kept.
    ///
    /// With `keepingUnsent` (a retirement), the actions the server has not received stay in the
    /// outbox, numbered again from 1 for the new client id: the user did them after the device
    /// last reported having nothing to upload, while the retirement was on its way (or its
    /// answer was lost). They are sent once the same user signs in again on this replica;
    /// another user cannot sign in while they wait. A revoked device keeps nothing.
    @discardableResult
    func erase(keepingUnsent: Bool = false) throws(ReplicaError) -> (clientID: String, kept: Int) {
        let keys: Set<RecordKey> = try read { db in
            Set(try db.query("SELECT collection, id FROM records").map { RecordKey($0.string(at: 0) ?? "", $0.string(at: 1) ?? "") })
        }
        let newID = UUID().uuidString.lowercased()
        let kept: Int = try write { db in
            let last = Int64(try Meta.get(db, "server_last_mutation_id") ?? "0") ?? 0
            var kept: [Int64] = []
            if keepingUnsent {
                try db.run("DELETE FROM outbox WHERE id <= ?", [last])
                kept = try db.query("SELECT id FROM outbox ORDER BY id").compactMap { $0.int64(at: 0) }
            }
            let carried: [String: String?] = kept.isEmpty ? [:] : [
                "user_id": try Meta.get(db, "user_id"), "server_id": try Meta.get(db, "server_id"),
                "server_url": try Meta.get(db, "server_url"), "hlc": try Meta.get(db, "hlc"),
            ]
            for table in ["outbox_touches", "rejection_touches", "rejections", "shadows", "records", "pending_evictions"] {
                try db.run("DELETE FROM \(table)")
            }
            if kept.isEmpty {
                try db.run("DELETE FROM outbox")
            } else {
                // Move out of the way first, so that new and old numbers never collide.
                try db.run(
                    """
                    UPDATE outbox SET id = -id, local_error = NULL, result_status = NULL, result_code = NULL,
                                      result_message = NULL, result_resolution = NULL
                    """
                )
                for (offset, id) in kept.enumerated() {
                    try db.run("UPDATE outbox SET id = ? WHERE id = ?", [Int64(offset + 1), -id])
                }
            }
            try db.run("DELETE FROM replica_meta WHERE key NOT IN ('format')")
            try Meta.set(db, "client_id", newID)
            if !kept.isEmpty {
                for (key, value) in carried.sorted(by: { $0.key < $1.key }) { try Meta.set(db, key, value) }
                try Meta.set(db, "next_mutation_id", String(kept.count + 1))
                // Applied again on top of the records the new session downloads.
                try Meta.set(db, "needs_rebase", "1")
            }
            return kept.count
        }
        currentClientID.withLock { $0 = newID }
        notify(ReplicaChange(cause: .sync, keys: keys))
        return (newID, kept)
    }

    static func wipeRecords(_ db: Connection) throws {
        try db.run("DELETE FROM records")
        try db.run("DELETE FROM shadows")
        try db.run("DELETE FROM outbox_touches")
        try Meta.set(db, "cursor", "0")
        // The outbox's local effects are gone with the records: re-apply them after the next pull.
        try Meta.set(db, "needs_rebase", "1")
    }

    // MARK: Local mutations

    /// Performs mutation `name` as the signed-in user: applies it to the local records at once
    /// and queues it for the server, in one durable transaction. Works offline.
    ///
    /// - Returns: the mutation's number in this device's outbox.
    /// - Throws: `MutationRejection` when the rules refuse it on this device (nothing is queued),
    ///   `ReplicaError` when the replica cannot be written. After `.diskFull` nothing was written.
    ///   After another storage error at commit (a failed fsync) SQLite cannot tell whether the
    ///   transaction reached the disk: if the app dies before its next write, the mutation may be
    ///   in the outbox when the replica reopens, and is then sent like any other. The outbox
    ///   (`pendingMutations()`), not the error, is the truth (docs/crash-safety.md).
    @discardableResult
    public func perform(_ name: String, _ arguments: JSONObject) throws -> Int64 {
        guard let definition = registry.definition(named: name) else { throw ReplicaError.unknownMutation(name) }
        var changedKeys: Set<RecordKey> = []
        let id: Int64 = try writeAllowingRejection { db in
            guard let userID = try Meta.get(db, "user_id"), let role = try Meta.get(db, "role") else {
                throw ReplicaError.notSignedIn
            }
            try checkNotLocked(db)
            let now = clock()
            var hybridClock = HybridClock(last: HybridTimestamp(try Meta.get(db, "hlc") ?? "") ?? .zero)
            let hlc = hybridClock.tick(physicalMillis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
            let id = (Int64(try Meta.get(db, "next_mutation_id") ?? "1") ?? 1)
            let pending = PendingMutation(
                id: id, name: name, args: arguments, occurredAt: now, hlc: hlc, localError: nil, acknowledged: false
            )
            let cursor = Int64(try Meta.get(db, "cursor") ?? "0") ?? 0
            try db.run(
                """
                INSERT INTO outbox (id, name, args, occurred_at, hlc, user_id, role, base_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [id, name, JSONSerializer.string(.object(arguments)), RFC3339.string(from: now), hlc.description, userID, role, cursor]
                    as [any SQLiteBindable]
            )
            if definition.worksOffline {
                let author = MutationAuthor(userID: userID, role: role, clientID: clientID)
                changedKeys = try applyLocally(pending, author: author, now: now, db: db)
            }
            try Meta.set(db, "next_mutation_id", String(id + 1))
            try Meta.set(db, "hlc", hlc.description)
            return id
        }
        notify(ReplicaChange(cause: .localMutation, keys: changedKeys))
        return id
    }

    /// Runs `mutation` on the records as this device sees them, keeping the server's version of
    /// each touched record in `shadows`. Throws the rejection when the rules refuse it.
    func applyLocally(_ mutation: PendingMutation, author: MutationAuthor, now: Date, db: Connection) throws -> Set<RecordKey> {
        let context = MutationContext(
            author: author, mutationID: mutation.id, occurredAt: mutation.occurredAt, hlc: mutation.hlc, now: now,
            authority: .device
        )
        var writer = RecordWriter(base: LocalRecords(db: db))
        _ = try registry.apply(name: mutation.name, arguments: mutation.args, context: context, to: &writer)
        var keys: Set<RecordKey> = []
        for change in writer.changes {
            try db.run(
                """
                INSERT OR IGNORE INTO shadows (collection, id, body)
                VALUES (?1, ?2, (SELECT body FROM records WHERE collection = ?1 AND id = ?2))
                """,
                [change.collection, change.id]
            )
            try Self.writeRecord(db, change)
            try db.run(
                "INSERT OR IGNORE INTO outbox_touches (mutation_id, collection, id) VALUES (?, ?, ?)",
                [mutation.id, change.collection, change.id] as [any SQLiteBindable]
            )
            keys.insert(change.key)
        }
        return keys
    }

    static func writeRecord(_ db: Connection, _ change: RecordChange) throws {
        if let body = change.body {
            try db.run(
                """
                INSERT INTO records (collection, id, body) VALUES (?, ?, ?)
                ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body
                """,
                [change.collection, change.id, JSONSerializer.string(.object(body))]
            )
        } else {
            try db.run("DELETE FROM records WHERE collection = ? AND id = ?", [change.collection, change.id])
        }
    }

    // MARK: Queries

    /// Every record of `collection`, ordered by id, with its sync state.
    public func records(in collection: String) throws(ReplicaError) -> [ReplicaRecord] {
        try read { db in
            try checkNotLocked(db)
            var result: [ReplicaRecord] = []
            try db.forEachRow(Self.recordQuery + " WHERE r.collection = ? ORDER BY r.id", [collection]) { row in
                result.append(try Self.replicaRecord(row.row))
            }
            return result
        }
    }

    /// One record, or `nil`.
    public func record(_ key: RecordKey) throws(ReplicaError) -> ReplicaRecord? {
        try read { db in
            try checkNotLocked(db)
            return try db.queryOne(Self.recordQuery + " WHERE r.collection = ? AND r.id = ?", [key.collection, key.id])
                .map(Self.replicaRecord)
        }
    }

    /// Every record, keyed, without sync states: for comparisons and exports.
    public func allRecords() throws(ReplicaError) -> [RecordKey: JSONObject] {
        try read { db in
            var result: [RecordKey: JSONObject] = [:]
            try db.forEachRow("SELECT collection, id, body FROM records") { row in
                result[RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")] = try Self.object(row.string(at: 2))
            }
            return result
        }
    }

    /// The targets of open conflicts are read once per query (an uncorrelated `IN` list), not once
    /// per record: correlated, the query parsed every conflict's JSON for every record it
    /// returned, and an agency's device (every account, dozens of open conflicts) spent most of
    /// its time there (found by `gestion-load`, docs/reliability.md §8).
    static let recordQuery = """
        SELECT r.collection, r.id, r.body,
               EXISTS (SELECT 1 FROM outbox_touches t WHERE t.collection = r.collection AND t.id = r.id),
               EXISTS (SELECT 1 FROM rejection_touches j JOIN rejections x ON x.mutation_id = j.mutation_id
                       WHERE x.dismissed = 0 AND j.collection = r.collection AND j.id = r.id),
               r.collection || '/' || r.id IN (
                   SELECT t.value FROM records c, json_each(c.body, '$.targets') t
                   WHERE c.collection = 'conflicts' AND json_extract(c.body, '$.status') = 'open')
        FROM records r
        """

    /// In conflict before pending before rejected before synced: what the user most needs to know.
    static func replicaRecord(_ row: Row) throws -> ReplicaRecord {
        let state: SyncState =
            row.bool(at: 5) == true ? .inConflict
            : row.bool(at: 3) == true ? .pending : row.bool(at: 4) == true ? .rejected : .synced
        return ReplicaRecord(
            key: RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? ""), body: try object(row.string(at: 2)),
            syncState: state
        )
    }

    static func object(_ text: String?) throws -> JSONObject {
        guard let text, case .object(let object) = try JSONParser.parse(Array(text.utf8)) else {
            throw ReplicaError.storage("a stored record is not a JSON object")
        }
        return object
    }

    /// The outbox, oldest first.
    public func pendingMutations() throws(ReplicaError) -> [PendingMutation] {
        try read { db in try Self.outbox(db, after: 0, limit: Int.max) }
    }

    static func outbox(_ db: Connection, after: Int64, limit: Int) throws -> [PendingMutation] {
        let serverLast = Int64(try Meta.get(db, "server_last_mutation_id") ?? "0") ?? 0
        return try db.query(
            "SELECT id, name, args, occurred_at, hlc, local_error FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
            [after, Int64(clamping: limit)] as [any SQLiteBindable]
        ).map { row in
            let id = row.int64(at: 0) ?? 0
            return PendingMutation(
                id: id, name: row.string(at: 1) ?? "", args: try object(row.string(at: 2)),
                occurredAt: RFC3339.date(from: row.string(at: 3) ?? "") ?? .distantPast,
                hlc: HybridTimestamp(row.string(at: 4) ?? "") ?? .zero, localError: row.string(at: 5),
                acknowledged: id <= serverLast
            )
        }
    }

    /// Mutations the server refused that the user has not dismissed, oldest first.
    public func rejections() throws(ReplicaError) -> [RejectedMutation] {
        try read { db in
            try db.query(
                """
                SELECT mutation_id, name, args, occurred_at, code, message FROM rejections
                WHERE dismissed = 0 AND kind = 'rejected' ORDER BY mutation_id
                """
            ).map { row in
                RejectedMutation(
                    id: row.int64(at: 0) ?? 0, name: row.string(at: 1) ?? "", args: try Self.object(row.string(at: 2)),
                    occurredAt: RFC3339.date(from: row.string(at: 3) ?? "") ?? .distantPast, code: row.string(at: 4) ?? "",
                    message: row.string(at: 5) ?? ""
                )
            }
        }
    }

    /// Mutations the server applied with a rule's decision (e.g. sent to review) that the user has
    /// not dismissed, oldest first.
    public func resolutions() throws(ReplicaError) -> [ResolvedMutation] {
        try read { db in
            try db.query(
                """
                SELECT mutation_id, name, args, occurred_at, message FROM rejections
                WHERE dismissed = 0 AND kind = 'resolved' ORDER BY mutation_id
                """
            ).map { row in
                ResolvedMutation(
                    id: row.int64(at: 0) ?? 0, name: row.string(at: 1) ?? "", args: try Self.object(row.string(at: 2)),
                    occurredAt: RFC3339.date(from: row.string(at: 3) ?? "") ?? .distantPast, resolution: row.string(at: 4) ?? ""
                )
            }
        }
    }

    /// The user has seen the rejection (or resolution) of mutation `id`: stop showing it.
    /// - Returns: `false` if there is no such undismissed rejection.
    @discardableResult
    public func dismissRejection(_ id: Int64) throws(ReplicaError) -> Bool {
        var keys: Set<RecordKey> = []
        let dismissed: Bool = try write { db in
            for row in try db.query("SELECT collection, id FROM rejection_touches WHERE mutation_id = ?", [id]) {
                keys.insert(RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? ""))
            }
            return try db.run("UPDATE rejections SET dismissed = 1 WHERE mutation_id = ? AND dismissed = 0", [id]) > 0
        }
        if dismissed { notify(ReplicaChange(cause: .dismissal, keys: keys)) }
        return dismissed
    }

    /// The sync status as stored in the replica.
    public func status() throws(ReplicaError) -> SyncStatus {
        try read { db in
            let pending = try db.queryOne("SELECT COUNT(*), MIN(occurred_at) FROM outbox")
            return SyncStatus(
                clientID: clientID, user: try Meta.get(db, "user_id"), role: try Meta.get(db, "role"),
                server: try Meta.get(db, "server_url"), pendingCount: pending?.int(at: 0) ?? 0,
                oldestPendingAt: pending?.string(at: 1).flatMap(RFC3339.date(from:)),
                rejectedCount: try db.queryScalar("SELECT COUNT(*) FROM rejections WHERE dismissed = 0 AND kind = 'rejected'")?.int ?? 0,
                cursor: Int64(try Meta.get(db, "cursor") ?? "0") ?? 0,
                lastSuccessfulSync: try Meta.get(db, "last_sync_at").flatMap(RFC3339.date(from:)),
                lastError: try Meta.get(db, "last_error")
            )
        }
    }

    // MARK: Observation

    /// A stream of changes: one element per committed local mutation, applied pull page or
    /// dismissal. Ends when the replica closes.
    public func changes() -> AsyncStream<ReplicaChange> {
        let (stream, continuation) = AsyncStream<ReplicaChange>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = UUID()
        observers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.observers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    func notify(_ change: ReplicaChange) {
        observers.withLock { observers in
            for continuation in observers.values { continuation.yield(change) }
        }
    }

    /// The replica's clock: the time mutations are stamped with.
    public var now: Date { clock() }
}

/// The records as the device currently sees them (inside a transaction).
struct LocalRecords: RecordReading {
    let db: Connection

    func record(_ key: RecordKey) throws -> JSONObject? {
        guard let text = try db.queryScalar(
            "SELECT body FROM records WHERE collection = ? AND id = ?", [key.collection, key.id]
        )?.string else { return nil }
        return try LocalReplica.object(text)
    }
}

/// The replica's key/value bookkeeping.
enum Meta {
    static func get(_ db: Connection, _ key: String) throws -> String? {
        try db.queryScalar("SELECT value FROM replica_meta WHERE key = ?", [key])?.string
    }

    static func set(_ db: Connection, _ key: String, _ value: String?) throws {
        if let value {
            try db.run(
                "INSERT INTO replica_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value]
            )
        } else {
            try db.run("DELETE FROM replica_meta WHERE key = ?", [key])
        }
    }

    static func session(_ db: Connection) throws -> ReplicaSession? {
        guard let url = try get(db, "server_url"), let user = try get(db, "user_id"), let role = try get(db, "role"),
            let token = try get(db, "token"), let expires = try get(db, "token_expires_at").flatMap(RFC3339.date(from:)),
            let serverID = try get(db, "server_id")
        else { return nil }
        return ReplicaSession(
            serverURL: url, userID: user, role: role, token: token, tokenExpiresAt: expires, serverID: serverID,
            maxOfflineDays: try get(db, "max_offline_days").flatMap(Int.init)
        )
    }
}
