import Foundation
import GestionProtocol
import GestionSQLite
import SyncCore

/// The sync server's store on SQLite in WAL mode: one writer connection (pushes, admin) with
/// `synchronous=FULL`, so an acknowledged push is on disk; a pool of readers for pulls, each pull
/// reading one snapshot.
///
/// Versions are allocated inside the single writer's transaction, so versions become visible in
/// order: a reader never sees version N+1 without N.
public final class SQLiteSyncStore: SyncStore {
    public let serverID: String
    public let databasePath: String
    private let writer: SerializedConnection
    private let groupCommit: GroupCommit
    private let readers: ReaderPool
    /// Bumped after every commit of this store's writer; long polls wait on it.
    public let commits = CommitNotifier()

    /// Opens (creating if needed) the store in `directory` (file `server.sqlite`).
    /// - Parameter vfs: the SQLite VFS to open the file through; `nil` (production) for the
    ///   platform's default. Crash-safety tests pass a fault-injecting one.
    public init(directory: URL, readerCount: Int = 4, vfs: String? = nil) throws(SyncStoreError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .failed("cannot create the data directory \(directory.path): \(error.localizedDescription)")
        }
        let path = directory.appendingPathComponent("server.sqlite").path
        databasePath = path
        var writeConfiguration = Connection.Configuration(vfs: vfs)
        writeConfiguration.synchronous = .full
        let connection: Connection
        do {
            connection = try Connection(path: path, configuration: writeConfiguration)
            _ = try ServerSchema.migrator.migrate(connection)
            try connection.run(
                "INSERT OR IGNORE INTO server_meta (key, value) VALUES ('server_id', ?)", [UUID().uuidString.lowercased()]
            )
            serverID = try connection.queryScalar("SELECT value FROM server_meta WHERE key = 'server_id'")?.string ?? ""
        } catch {
            throw Self.map(error)
        }
        writer = SerializedConnection(connection)
        groupCommit = GroupCommit(writer: writer, commits: commits)
        var readConnections: [Connection] = []
        do {
            for _ in 0..<max(1, readerCount) {
                var readConfiguration = Connection.Configuration(vfs: vfs)
                readConfiguration.readOnly = true
                readConnections.append(try Connection(path: path, configuration: readConfiguration))
            }
        } catch {
            connection.close()
            throw Self.map(error)
        }
        readers = ReaderPool(readConnections)
    }

    public func close() {
        readers.close()
        writer.close()
    }

    /// Runs `body` on the writer connection outside any transaction: for maintenance and tests.
    func withWriter<T>(_ body: (Connection) throws -> T) rethrows -> T {
        try writer.withConnection(body)
    }

    /// Replaces the database in `directory` with `backup` and gives it a new server id, so that
    /// devices notice the replaced history. The server must be stopped.
    /// - Returns: the new server id.
    public static func restore(backup: URL, into directory: URL, by actor: String = "operator") throws(SyncStoreError) -> String {
        var readOnly = Connection.Configuration()
        readOnly.readOnly = true
        do {
            let source = try Connection(path: backup.path, configuration: readOnly)
            defer { source.close() }
            guard try source.queryScalar("SELECT value FROM server_meta WHERE key = 'server_id'") != nil else {
                throw SyncStoreError.unusable("\(backup.path) is not a gestion-server database")
            }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let target = directory.appendingPathComponent("server.sqlite").path
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: target + suffix) {
                try FileManager.default.removeItem(atPath: target + suffix)
            }
            try source.execute("VACUUM INTO '\(target.replacingOccurrences(of: "'", with: "''"))'")
        } catch {
            throw map(error)
        }
        let store = try SQLiteSyncStore(directory: directory, readerCount: 1)
        defer { store.close() }
        let serverID = UUID().uuidString.lowercased()
        try store.write { db in
            try db.run("UPDATE server_meta SET value = ? WHERE key = 'server_id'", [serverID])
            try AuditTrail.append(
                AuditEntry(
                    kind: "admin", action: "restore", actor: actor, role: "admin", device: "gestion-server",
                    subjects: ["file/\(backup.lastPathComponent)"], outcome: "ok:new history \(serverID)"
                ),
                at: Date(), db: db
            )
        }
        return serverID
    }

    // MARK: Errors

    static func map(_ error: any Error) -> SyncStoreError {
        switch error {
        case let error as SyncStoreError: return error
        case let error as RolledBackBatch: return .rolledBack(error.results)
        case let error as SQLiteError:
            if error.isDiskFull { return .storageFull }
            if error.isBusy || error.isLocked { return .busy }
            if error.isNotADatabase || error.isCorrupt {
                return .unusable("the server database is damaged or not a database (\(error.message))")
            }
            return .failed(error.description)
        case let error as MigrationError:
            return .unusable("the server database was written by a newer version of gestion-server (\(error))")
        default:
            return .failed("\(error)")
        }
    }

    /// Runs `body` in a write transaction and returns once it is durable. Concurrent writes share
    /// one transaction and one fsync (`GroupCommit`), each in its own savepoint.
    @discardableResult
    func write<T>(_ body: (Connection) throws -> T) throws(SyncStoreError) -> T {
        var outcome: Result<T, any Error>?
        do {
            try withoutActuallyEscaping(body) { body in
                // `submit` returns only after `work` ran, so `body` does not outlive this call.
                try groupCommit.submit(
                    GroupCommit.Ticket { connection in
                        do {
                            outcome = .success(try connection.savepoint { try body(connection) })
                            return nil
                        } catch {
                            outcome = .failure(error)
                            return error
                        }
                    }
                )
            }
        } catch {
            throw Self.map(error)
        }
        switch outcome {
        case .success(let value)?: return value
        case .failure(let error)?: throw Self.map(error)
        case nil: throw SyncStoreError.failed("the write did not run")
        }
    }

    func read<T>(_ body: (Connection) throws -> T) throws(SyncStoreError) -> T {
        do {
            return try readers.withReader { connection in
                try connection.transaction(.deferred) { try body(connection) }
            }
        } catch {
            throw Self.map(error)
        }
    }

    // MARK: Identity

    public func addUser(_ user: NewUser) throws(SyncStoreError) {
        try write { db in
            if try db.queryOne("SELECT 1 FROM users WHERE id = ?", [user.id]) != nil {
                throw SyncStoreError.userExists(user.id)
            }
            try db.run(
                "INSERT INTO users (id, role, password_hash, created_at, unit) VALUES (?, ?, ?, ?, ?)",
                [user.id, user.role, user.passwordHash, RFC3339.string(from: user.createdAt), user.unit] as [any SQLiteBindable]
            )
            try AuditTrail.append(
                AuditEntry(
                    kind: "admin", action: "user add", actor: user.createdBy, role: "admin", device: "gestion-server",
                    subjects: ["users/\(user.id)"], outcome: "ok:\(user.role)"
                ),
                at: user.createdAt, db: db
            )
        }
    }

    public func user(id: String) throws(SyncStoreError) -> StoredUser? {
        try read { db in try Self.user(id: id, in: db) }
    }

    static func user(id: String, in db: Connection) throws -> StoredUser? {
        try db.queryOne("SELECT \(userColumns) FROM users WHERE id = ?", [id]).map { storedUser($0, from: 0) }
    }

    static let userColumns = "id, role, password_hash, disabled, unit"

    /// The user in `userColumns` order starting at column `first`.
    static func storedUser(_ row: Row, from first: Int) -> StoredUser {
        StoredUser(
            id: row.string(at: first) ?? "", role: row.string(at: first + 1) ?? "", passwordHash: row.string(at: first + 2) ?? "",
            disabled: row.bool(at: first + 3) ?? false, unit: row.string(at: first + 4)
        )
    }

    public func usersCount(role: String) throws(SyncStoreError) -> Int {
        try read { db in try db.queryScalar("SELECT COUNT(*) FROM users WHERE role = ?", [role])?.int ?? 0 }
    }

    public func registerClient(_ registration: ClientRegistration) throws(SyncStoreError) {
        try write { db in
            let now = RFC3339.string(from: registration.now)
            if let owner = try db.queryScalar("SELECT user_id FROM clients WHERE client_id = ?", [registration.clientID]) {
                guard owner.string == registration.userID else { throw SyncStoreError.clientOfAnotherUser }
                try db.run(
                    "UPDATE clients SET device_name = ?, app_version = ?, last_seen_at = ? WHERE client_id = ?",
                    [registration.deviceName, registration.appVersion, now, registration.clientID]
                )
            } else {
                try db.run(
                    """
                    INSERT INTO clients (client_id, user_id, device_name, app_version, created_at, last_seen_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    [registration.clientID, registration.userID, registration.deviceName, registration.appVersion, now, now]
                )
            }
        }
    }

    public func replaceToken(_ oldHash: String, with token: StoredToken) throws(SyncStoreError) {
        try write { db in
            // A successor issued earlier whose answer never arrived (it was never used) goes.
            try db.run("DELETE FROM tokens WHERE replaces = ?", [oldHash])
            try db.run(
                "INSERT INTO tokens (token_hash, user_id, client_id, issued_at_ms, expires_at_ms, replaces) VALUES (?, ?, ?, ?, ?, ?)",
                [token.hash, token.userID, token.clientID, token.issuedAt.unixMillis, token.expiresAt.unixMillis, oldHash]
            )
            try AuditTrail.append(
                AuditEntry(kind: "login", action: "renew", actor: token.userID, role: "", device: token.clientID, outcome: "ok"),
                at: token.issuedAt, db: db
            )
        }
    }

    public func confirmToken(hash: String) throws(SyncStoreError) {
        try write { db in
            try db.run("DELETE FROM tokens WHERE token_hash = (SELECT replaces FROM tokens WHERE token_hash = ?)", [hash])
            try db.run("UPDATE tokens SET replaces = NULL WHERE token_hash = ?", [hash])
        }
    }

    public func saveToken(_ token: StoredToken) throws(SyncStoreError) {
        try write { db in
            try db.run(
                "INSERT INTO tokens (token_hash, user_id, client_id, issued_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)",
                [token.hash, token.userID, token.clientID, token.issuedAt.unixMillis, token.expiresAt.unixMillis]
            )
        }
    }

    public func token(hash: String) throws(SyncStoreError) -> StoredToken? {
        try read { db in try Self.token(hash: hash, in: db) }
    }

    public func session(tokenHash: String) throws(SyncStoreError) -> StoredSession? {
        // One query in one read transaction: every request to the sync API starts here.
        try read { db in
            try db.queryOne(Self.sessionQuery, [tokenHash]).map { row in
                StoredSession(
                    token: Self.storedToken(hash: tokenHash, row),
                    user: row.isNull(at: 5) ? nil : Self.storedUser(row, from: 5),
                    device: row.isNull(at: 10) ? nil : Self.deviceRecord(row, from: 10),
                    latestVersion: row.int64(at: 19)
                )
            }
        }
    }

    /// The token (columns 0–4), its user (5–9), its device (10–18) and the latest version (19).
    private static let sessionQuery = """
        SELECT t.user_id, t.client_id, t.issued_at_ms, t.expires_at_ms, t.replaces,
            \(userColumns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
            \(deviceColumns.split(separator: ",").map { "c." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")),
            (SELECT COALESCE(MAX(version), 0) FROM change_sets)
        FROM tokens t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN clients c ON c.client_id = t.client_id
        WHERE t.token_hash = ?
        """

    static func token(hash: String, in db: Connection) throws -> StoredToken? {
        try db.queryOne(
            "SELECT user_id, client_id, issued_at_ms, expires_at_ms, replaces FROM tokens WHERE token_hash = ?", [hash]
        ).map { storedToken(hash: hash, $0) }
    }

    private static func storedToken(hash: String, _ row: Row) -> StoredToken {
        StoredToken(
            hash: hash, userID: row.string(at: 0) ?? "", clientID: row.string(at: 1) ?? "",
            issuedAt: Date(unixMillis: row.int64(at: 2) ?? 0), expiresAt: Date(unixMillis: row.int64(at: 3) ?? 0),
            replaces: row.string(at: 4)
        )
    }

    // MARK: Audit

    public func appendAudit(_ entry: AuditEntry, at: Date) throws(SyncStoreError) {
        try write { db in try AuditTrail.append(entry, at: at, db: db) }
    }

    public func verifyAudit() throws(SyncStoreError) -> AuditVerification {
        try read { db in try AuditTrail.verify(db: db) }
    }

    public func auditEntries(_ filter: AuditFilter) throws(SyncStoreError) -> [AuditEntry] {
        try read { db in try AuditTrail.entries(filter, db: db) }
    }

    // MARK: Inspection

    public func allRecords() throws(SyncStoreError) -> [RecordKey: JSONObject] {
        try read { db in
            var records: [RecordKey: JSONObject] = [:]
            try db.forEachRow("SELECT collection, id, body FROM records") { row in
                records[RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")] = try Self.decodeBody(row.string(at: 2))
            }
            return records
        }
    }

    public func records(visibleTo audience: PullAudience) throws(SyncStoreError) -> [RecordKey: JSONObject] {
        try read { db in
            let partitions = Set(
                try db.query("SELECT partition, tag FROM partition_audience").compactMap { row -> String? in
                    audience.tags.contains(row.string(at: 1) ?? "") ? row.string(at: 0) : nil
                }
            )
            var records: [RecordKey: JSONObject] = [:]
            try db.forEachRow("SELECT collection, id, body, partition FROM records") { row in
                let key = RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")
                let visible =
                    audience.seesEverything
                    || (row.string(at: 3).map { partitions.contains($0) }
                        ?? audience.policy.isVisibleOutsidePartitions(key.collection, audience.role))
                if visible { records[key] = try Self.decodeBody(row.string(at: 2)) }
            }
            return records
        }
    }

    public func records(in collection: String) throws(SyncStoreError) -> [String: JSONObject] {
        try read { db in
            var records: [String: JSONObject] = [:]
            try db.forEachRow("SELECT id, body FROM records WHERE collection = ?", [collection]) { row in
                records[row.string(at: 0) ?? ""] = try Self.decodeBody(row.string(at: 1))
            }
            return records
        }
    }

    public func latestVersion() throws(SyncStoreError) -> Int64 {
        try read { db in try db.queryScalar("SELECT COALESCE(MAX(version), 0) FROM change_sets")?.int64 ?? 0 }
    }

    static func decodeBody(_ text: String?) throws -> JSONObject {
        guard let text, case .object(let object) = try JSONParser.parse(Array(text.utf8)) else {
            throw SyncStoreError.unusable("a stored record is not a JSON object")
        }
        return object
    }
}

extension Date {
    var unixMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(unixMillis: Int64) { self.init(timeIntervalSince1970: Double(unixMillis) / 1000) }
}
