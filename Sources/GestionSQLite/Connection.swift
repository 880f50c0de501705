import CSQLite
import Foundation

/// One SQLite database connection.
///
/// Not `Sendable`: a handle has exactly one owner at a time (it is opened with
/// `SQLITE_OPEN_NOMUTEX`). Share it by wrapping it in a `Mutex` or an actor; open several
/// connections for concurrent readers (WAL lets readers run beside one writer).
///
/// Statements used by `run`, `query` and friends are prepared once and cached
/// per SQL text (LRU, 128 entries). Always bind values as arguments: SQL text appears in errors
/// and logs, bound values never do.
public final class Connection {
    /// How a connection is opened and configured.
    public struct Configuration: Sendable {
        /// Open with `SQLITE_OPEN_READONLY` (the file must exist). Journal mode is then left as it is.
        public var readOnly: Bool
        /// The journal mode to set and verify at open. Default: WAL.
        public var journalMode: JournalMode
        /// `PRAGMA synchronous`. Default: NORMAL (durable on power loss up to the last checkpoint in WAL mode; never corrupts).
        public var synchronous: Synchronous
        /// How long to wait for another connection's lock before failing with SQLITE_BUSY. Default: 5 s.
        public var busyTimeout: Duration
        /// `PRAGMA foreign_keys`. Default: on.
        public var foreignKeys: Bool
        /// `PRAGMA cache_size` in KiB, or `nil` for SQLite's default (2 MiB).
        public var cacheSizeKiB: Int?
        /// The name of a registered SQLite VFS to open the file through, or `nil` for the default
        /// (the unix VFS). Tests use it to put a fault-injecting layer under a database.
        public var vfs: String?

        /// Creates a configuration; every parameter has the production default.
        public init(
            readOnly: Bool = false,
            journalMode: JournalMode = .wal,
            synchronous: Synchronous = .normal,
            busyTimeout: Duration = .milliseconds(5000),
            foreignKeys: Bool = true,
            cacheSizeKiB: Int? = nil,
            vfs: String? = nil
        ) {
            self.readOnly = readOnly
            self.journalMode = journalMode
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.foreignKeys = foreignKeys
            self.cacheSizeKiB = cacheSizeKiB
            self.vfs = vfs
        }
    }

    /// `PRAGMA journal_mode` values.
    public enum JournalMode: String, Sendable, CaseIterable {
        /// Write-ahead log: readers never block the writer. The default.
        case wal
        /// Rollback journal, deleted after each transaction.
        case delete
        /// Rollback journal, truncated after each transaction.
        case truncate
        /// Rollback journal, header zeroed after each transaction.
        case persist
        /// Rollback journal kept in memory (unsafe on crash).
        case memory
    }

    /// `PRAGMA synchronous` values.
    public enum Synchronous: Int, Sendable, CaseIterable {
        /// No fsync: fastest, may lose or corrupt data on power loss.
        case off = 0
        /// fsync at checkpoints (in WAL mode): may lose the last transactions on power loss, never corrupts.
        case normal = 1
        /// fsync at every commit.
        case full = 2

        var sqlName: String {
            switch self {
            case .off: "OFF"
            case .normal: "NORMAL"
            case .full: "FULL"
            }
        }
    }

    /// How `BEGIN` acquires locks.
    public enum TransactionKind: Sendable, CaseIterable {
        /// Locks are taken on first read/write. A read-only deferred transaction is a stable WAL snapshot.
        case deferred
        /// Takes the write lock at `BEGIN` (fails fast with SQLITE_BUSY instead of deadlocking later). The default.
        case immediate
        /// Like immediate; in WAL mode there is no difference.
        case exclusive

        var beginSQL: String {
            switch self {
            case .deferred: "BEGIN DEFERRED TRANSACTION"
            case .immediate: "BEGIN IMMEDIATE TRANSACTION"
            case .exclusive: "BEGIN EXCLUSIVE TRANSACTION"
            }
        }
    }

    /// `sqlite3_wal_checkpoint_v2` modes.
    public enum CheckpointMode: Sendable, CaseIterable {
        /// Checkpoint as much as possible without waiting for readers or writers.
        case passive
        /// Wait for the writer, then checkpoint everything.
        case full
        /// Like full, then wait for readers so the next writer restarts the log.
        case restart
        /// Like restart, then truncate the WAL file to zero bytes.
        case truncate

        var rawMode: Int32 {
            switch self {
            case .passive: SQLITE_CHECKPOINT_PASSIVE
            case .full: SQLITE_CHECKPOINT_FULL
            case .restart: SQLITE_CHECKPOINT_RESTART
            case .truncate: SQLITE_CHECKPOINT_TRUNCATE
            }
        }
    }

    /// The path given at open (`":memory:"` for an in-memory database).
    public let path: String
    /// The configuration applied at open.
    public let configuration: Configuration

    let handle: ConnectionHandle
    private var cache: [String: Statement] = [:]
    private var useClock: UInt64 = 0
    private var savepointDepth = 0
    static let statementCacheCapacity = 128

    /// The SQLite library version, e.g. `"3.40.1"`.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Opens (creating if needed, unless read-only) and configures a database.
    ///
    /// In order: `sqlite3_open_v2` (read-write+create or read-only, `NOMUTEX`, through
    /// `configuration.vfs` if set: an unknown name fails with SQLITE_ERROR); extended result
    /// codes; busy timeout; `PRAGMA foreign_keys`; `PRAGMA journal_mode`, verified (an in-memory
    /// database answers `memory`, which is accepted); `PRAGMA synchronous`; `PRAGMA cache_size`;
    /// then one read of `sqlite_master`, so a file that is not a database fails here with
    /// SQLITE_NOTADB rather than on first use. On any failure the handle is closed.
    public init(path: String, configuration: Configuration = .init()) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= configuration.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, configuration.vfs)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError.from(db, code: db.map { sqlite3_extended_errcode($0) } ?? rc, sql: nil)
            sqlite3_close_v2(db)
            throw error
        }
        self.path = path
        self.configuration = configuration
        self.handle = ConnectionHandle(db)
        do {
            try configure(db)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    private func configure(_ db: OpaquePointer) throws(SQLiteError) {
        sqlite3_extended_result_codes(db, 1)
        let (seconds, attoseconds) = configuration.busyTimeout.components
        let millis = max(0, min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        sqlite3_busy_timeout(db, Int32(millis))
        try execute("PRAGMA foreign_keys = \(configuration.foreignKeys ? "ON" : "OFF")")
        if !configuration.readOnly {
            let wanted = configuration.journalMode.rawValue
            let answer = try prepare("PRAGMA journal_mode = \(wanted)", cached: false).singleText()?.lowercased()
            let inMemory = sqlite3_db_filename(db, "main").map { $0.pointee == 0 } ?? true
            guard answer == wanted || (inMemory && answer == "memory") else {
                throw SQLiteError(
                    code: SQLITE_ERROR,
                    message: "journal_mode \(wanted) was not applied (SQLite answered \(answer ?? "nothing"))",
                    sql: "PRAGMA journal_mode = \(wanted)")
            }
        }
        try execute("PRAGMA synchronous = \(configuration.synchronous.sqlName)")
        if let kib = configuration.cacheSizeKiB {
            try execute("PRAGMA cache_size = -\(max(0, kib))")
        }
        _ = try prepare("SELECT count(*) FROM sqlite_master", cached: false).singleText()
    }

    /// Finalizes cached statements and closes the handle (`sqlite3_close_v2`). Idempotent.
    /// Later calls throw a misuse error; statements still held elsewhere throw too, and the
    /// file handle is released when the last of them is deinitialized.
    public func close() {
        guard let db = handle.db else { return }
        for statement in cache.values { statement.finalize() }
        cache.removeAll()
        handle.db = nil
        sqlite3_close_v2(db)
    }

    /// `false` after ``close()``.
    public var isOpen: Bool { handle.db != nil }

    func live() throws(SQLiteError) -> OpaquePointer {
        guard let db = handle.db else { throw SQLiteError.closed(sql: nil) }
        return db
    }

    // MARK: Statements

    /// Prepares one SQL statement.
    ///
    /// With `cached: true` (the default) the statement comes from this connection's cache keyed
    /// by SQL text: the same object is returned for the same text until it fails a step, is evicted
    /// (LRU, 128 entries) or the connection closes. With `cached: false` the caller owns a fresh statement.
    /// - Throws: the SQLite error; a misuse error for empty SQL or for more than one statement.
    public func prepare(_ sql: String, cached: Bool = true) throws(SQLiteError) -> Statement {
        guard cached else { return try makeStatement(sql, persistent: false) }
        useClock &+= 1
        if let statement = cache[sql] {
            if !statement.isPoisoned && !statement.isFinalized {
                statement.lastUse = useClock
                return statement
            }
            cache[sql] = nil
        }
        let statement = try makeStatement(sql, persistent: true)
        if cache.count >= Self.statementCacheCapacity, let oldest = cache.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            // Not finalized here: a caller may still hold it; deinit finalizes it.
            cache[oldest.key] = nil
        }
        statement.lastUse = useClock
        cache[sql] = statement
        return statement
    }

    /// The number of statements in the cache (for tests and diagnostics).
    public var cachedStatementCount: Int { cache.count }

    private func makeStatement(_ sql: String, persistent: Bool) throws(SQLiteError) -> Statement {
        let db = try live()
        var result: Result<OpaquePointer, SQLiteError> = .failure(.misuse("empty SQL statement", sql: sql))
        sql.withCString { cSQL in
            var stmt: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
            let rc = sqlite3_prepare_v3(db, cSQL, -1, flags, &stmt, &tail)
            guard rc == SQLITE_OK else {
                sqlite3_finalize(stmt)
                result = .failure(.from(db, code: rc, sql: sql))
                return
            }
            guard let stmt else { return }
            if let extra = Self.remainingStatementError(db, tail: tail, sql: sql) {
                sqlite3_finalize(stmt)
                result = .failure(extra)
                return
            }
            result = .success(stmt)
        }
        return Statement(handle: try result.get(), owner: handle)
    }

    /// Refuses a second statement after the first (only whitespace and comments may follow).
    private static func remainingStatementError(_ db: OpaquePointer, tail: UnsafePointer<CChar>?, sql: String) -> SQLiteError? {
        var rest = tail
        while var position = rest {
            while position.pointee == 0x20 || (position.pointee >= 0x09 && position.pointee <= 0x0D) {
                position += 1
            }
            if position.pointee == 0 { return nil }
            var extra: OpaquePointer?
            var next: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(db, position, -1, &extra, &next)
            if let extra {
                sqlite3_finalize(extra)
                return .misuse("several statements where one was expected; use execute(_:) for scripts", sql: sql)
            }
            if rc != SQLITE_OK { return .from(db, code: rc, sql: sql) }
            guard let next, next != position else { return nil }
            rest = next
        }
        return nil
    }

    /// A cached statement, or a fresh one when the cached one is mid-iteration (re-entrant use).
    private func statementForUse(_ sql: String) throws(SQLiteError) -> Statement {
        let statement = try prepare(sql)
        return statement.isBusy ? try makeStatement(sql, persistent: false) : statement
    }

    // MARK: Executing

    /// Runs SQL that may contain several statements and no parameters (schema scripts, pragmas).
    /// Statements run in order; the first failure stops the script (earlier statements stay
    /// applied unless a transaction surrounds the call). Not cached.
    public func execute(_ sql: String) throws(SQLiteError) {
        let db = try live()
        var failure: SQLiteError?
        sql.withCString { cSQL in
            var current: UnsafePointer<CChar>? = cSQL
            while let position = current, position.pointee != 0 {
                var stmt: OpaquePointer?
                var next: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(db, position, -1, &stmt, &next)
                guard rc == SQLITE_OK else {
                    sqlite3_finalize(stmt)
                    failure = .from(db, code: rc, sql: String(cString: position).trimmingWhitespace())
                    return
                }
                guard let stmt else {
                    if next == position { return }
                    current = next
                    continue
                }
                defer { sqlite3_finalize(stmt) }
                var stepCode = sqlite3_step(stmt)
                while stepCode == SQLITE_ROW { stepCode = sqlite3_step(stmt) }
                guard stepCode == SQLITE_DONE else {
                    let text = sqlite3_sql(stmt).map { String(cString: $0) } ?? sql
                    failure = .from(db, code: stepCode, sql: text)
                    return
                }
                current = next
            }
        }
        if let failure { throw failure }
    }

    /// Runs one statement with arguments and returns the number of rows it changed
    /// (meaningful for INSERT, UPDATE, DELETE). Rows it returns (e.g. `RETURNING`) are discarded.
    /// - Throws: the SQLite error; a misuse error when the argument count differs from the parameter count.
    @discardableResult
    public func run(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws(SQLiteError) -> Int {
        try run(sql) { (statement) throws(SQLiteError) in try statement.bind(arguments) }
    }

    /// Runs one statement with arguments and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: [SQLiteValue]) throws(SQLiteError) -> Int {
        try run(sql) { (statement) throws(SQLiteError) in try statement.bind(arguments) }
    }

    private func run(_ sql: String, bind: (Statement) throws(SQLiteError) -> Void) throws(SQLiteError) -> Int {
        let statement = try statementForUse(sql)
        defer { statement.reset(); statement.clearBindings() }
        try bind(statement)
        while try statement.step() {}
        return changes
    }

    /// Runs a query and returns all its rows.
    public func query(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws(SQLiteError) -> [Row] {
        try query(sql, limit: nil) { (statement) throws(SQLiteError) in try statement.bind(arguments) }
    }

    /// Runs a query and returns all its rows.
    public func query(_ sql: String, _ arguments: [SQLiteValue]) throws(SQLiteError) -> [Row] {
        try query(sql, limit: nil) { (statement) throws(SQLiteError) in try statement.bind(arguments) }
    }

    /// Runs a query and returns its first row, or `nil` when there is none. Later rows are not read.
    public func queryOne(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws(SQLiteError) -> Row? {
        try query(sql, limit: 1) { (statement) throws(SQLiteError) in try statement.bind(arguments) }.first
    }

    /// Runs a query and returns its first row, or `nil` when there is none.
    public func queryOne(_ sql: String, _ arguments: [SQLiteValue]) throws(SQLiteError) -> Row? {
        try query(sql, limit: 1) { (statement) throws(SQLiteError) in try statement.bind(arguments) }.first
    }

    /// The first column of the first row: `nil` when there is no row, `.null` for a NULL value.
    public func queryScalar(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws(SQLiteError) -> SQLiteValue? {
        try queryOne(sql, arguments).flatMap { $0.count > 0 ? $0[0] : nil }
    }

    /// The first column of the first row: `nil` when there is no row, `.null` for a NULL value.
    public func queryScalar(_ sql: String, _ arguments: [SQLiteValue]) throws(SQLiteError) -> SQLiteValue? {
        try queryOne(sql, arguments).flatMap { $0.count > 0 ? $0[0] : nil }
    }

    private func query(
        _ sql: String, limit: Int?, bind: (Statement) throws(SQLiteError) -> Void
    ) throws(SQLiteError) -> [Row] {
        let statement = try statementForUse(sql)
        defer { statement.reset(); statement.clearBindings() }
        try bind(statement)
        var rows: [Row] = []
        var layout: ColumnLayout?
        while try statement.step() {
            // Built after the first step: a schema change may recompile the statement and change its columns.
            let current = layout ?? statement.rowLayout()
            layout = current
            rows.append(Row(layout: current, values: statement.currentValues()))
            if let limit, rows.count >= limit { break }
        }
        return rows
    }

    /// Runs a query and calls `body` for each row, without collecting rows in an array.
    /// The cursor reads the statement in place and is valid only during its call.
    /// The statement is reset afterwards, also when `body` throws (which stops the iteration).
    public func forEachRow(
        _ sql: String, _ arguments: [any SQLiteBindable] = [], _ body: (borrowing RowCursor) throws -> Void
    ) throws {
        try forEachRow(sql, bind: { (statement) throws(SQLiteError) in try statement.bind(arguments) }, body)
    }

    /// Runs a query and calls `body` for each row, without collecting rows in an array.
    public func forEachRow(
        _ sql: String, _ arguments: [SQLiteValue], _ body: (borrowing RowCursor) throws -> Void
    ) throws {
        try forEachRow(sql, bind: { (statement) throws(SQLiteError) in try statement.bind(arguments) }, body)
    }

    private func forEachRow(
        _ sql: String, bind: (Statement) throws(SQLiteError) -> Void, _ body: (borrowing RowCursor) throws -> Void
    ) throws {
        let statement = try statementForUse(sql)
        defer { statement.reset(); statement.clearBindings() }
        try bind(statement)
        var layout: ColumnLayout?
        while try statement.step() {
            let current = layout ?? statement.rowLayout()
            layout = current
            try body(RowCursor(statement: statement, layout: current))
        }
    }

    // MARK: State

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 { handle.db.map { sqlite3_last_insert_rowid($0) } ?? 0 }
    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { handle.db.map { Int(sqlite3_changes64($0)) } ?? 0 }
    /// Rows changed since the connection opened.
    public var totalChanges: Int { handle.db.map { Int(sqlite3_total_changes64($0)) } ?? 0 }
    /// `true` inside a transaction (not in autocommit mode).
    public var isInTransaction: Bool { handle.db.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Runs a WAL checkpoint on the main database.
    /// - Returns: the frames in the WAL and the frames checkpointed (both -1 when not in WAL mode).
    /// - Throws: SQLITE_BUSY when a `.restart`/`.truncate` checkpoint cannot finish because of readers.
    @discardableResult
    public func checkpoint(_ mode: CheckpointMode = .passive) throws(SQLiteError) -> (walFrames: Int, checkpointedFrames: Int) {
        let db = try live()
        var walFrames: Int32 = 0
        var checkpointed: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(db, nil, mode.rawMode, &walFrames, &checkpointed)
        guard rc == SQLITE_OK else { throw .from(db, code: rc, sql: nil) }
        return (Int(walFrames), Int(checkpointed))
    }

    /// `PRAGMA user_version` (migrations use their own table; this is free for other uses).
    public func userVersion() throws(SQLiteError) -> Int {
        try queryScalar("PRAGMA user_version")?.int ?? 0
    }

    /// Sets `PRAGMA user_version`.
    public func setUserVersion(_ version: Int32) throws(SQLiteError) {
        try execute("PRAGMA user_version = \(version)")
    }

    // MARK: Transactions

    /// Runs `body` in a transaction: `BEGIN <kind>`, then `COMMIT`; `ROLLBACK` if `body` throws
    /// (the error is rethrown) or if `COMMIT` fails (the commit error is thrown).
    ///
    /// Nesting: called while a transaction is already open (by this method, ``savepoint(_:_:)``
    /// or a manual `BEGIN`), it runs `body` in a SAVEPOINT instead and `kind` is ignored: a throw
    /// rolls back only the inner work; the inner work becomes durable only when the outermost
    /// transaction commits.
    @discardableResult
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        if isInTransaction { return try savepoint(body) }
        try run(kind.beginSQL)
        let result: T
        do {
            result = try body()
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        do {
            try run("COMMIT TRANSACTION")
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        return result
    }

    /// Runs `body` inside `SAVEPOINT name` … `RELEASE`; on a throw, `ROLLBACK TO` and `RELEASE`
    /// (only the savepoint's work is undone) and the error is rethrown. Nests freely. Outside a
    /// transaction the savepoint opens a deferred transaction and `RELEASE` commits it.
    /// - Parameter name: any text; it is quoted as an identifier. Default: an internal name.
    @discardableResult
    public func savepoint<T>(_ name: String? = nil, _ body: () throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let quoted = Self.quoteIdentifier(name ?? "gestion_savepoint_\(savepointDepth)")
        let isOutermost = !isInTransaction
        try run("SAVEPOINT \(quoted)")
        let result: T
        do {
            result = try body()
        } catch {
            rollbackSavepoint(quoted, isOutermost: isOutermost)
            throw error
        }
        do {
            try run("RELEASE SAVEPOINT \(quoted)")
        } catch {
            rollbackSavepoint(quoted, isOutermost: isOutermost)
            throw error
        }
        return result
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        try savepoint(nil, body)
    }

    private func rollbackSavepoint(_ quoted: String, isOutermost: Bool) {
        // SQLite may already have rolled the whole transaction back (SQLITE_FULL, IOERR, NOMEM…).
        guard isInTransaction else { return }
        if isOutermost {
            rollbackIgnoringErrors()
        } else {
            _ = try? run("ROLLBACK TRANSACTION TO SAVEPOINT \(quoted)")
            _ = try? run("RELEASE SAVEPOINT \(quoted)")
        }
    }

    private func rollbackIgnoringErrors() {
        guard isInTransaction else { return }
        _ = try? run("ROLLBACK TRANSACTION")
    }

    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

@available(*, unavailable, message: "A Connection has one owner; wrap it in a Mutex or an actor")
extension Connection: Sendable {}

extension Statement {
    /// Steps once and returns the first column as text (for pragmas at open), then resets.
    func singleText() throws(SQLiteError) -> String? {
        defer { reset() }
        guard try step() else { return nil }
        return string(at: 0)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
