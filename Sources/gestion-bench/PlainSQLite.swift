import CSQLite
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// SQLite through its C API and nothing else: the physical baseline of the device scenarios,
/// and the bulk loader of the servers' benchmark data.
final class PlainSQLite {
    private(set) var handle: OpaquePointer?
    let path: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens (creating) `path` with WAL and the given `synchronous` level, as the replica does.
    init(path: String, synchronous: String = "FULL") throws {
        self.path = path
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw Failure(description: "cannot open \(path)")
        }
        sqlite3_busy_timeout(handle, 10_000)
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = \(synchronous)")
    }

    deinit { sqlite3_close_v2(handle) }

    func exec(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw Failure(description: "\(text) in \(sql.prefix(80))")
        }
    }

    func prepare(_ sql: String) throws -> PlainStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: String(cString: sqlite3_errmsg(handle)))
        }
        return PlainStatement(statement, db: handle)
    }

    func scalarInt(_ sql: String) throws -> Int64 {
        let statement = try prepare(sql)
        guard try statement.step() else { return 0 }
        return statement.int64(0)
    }
}

/// A prepared statement; finalized with the object.
final class PlainStatement {
    let raw: OpaquePointer
    private let db: OpaquePointer?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ raw: OpaquePointer, db: OpaquePointer?) {
        self.raw = raw
        self.db = db
    }

    deinit { sqlite3_finalize(raw) }

    func bind(_ index: Int32, _ text: String) {
        sqlite3_bind_text(raw, index, text, -1, Self.transient)
    }

    func bind(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_text(raw, index, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(raw, index, value) }

    func bindNull(_ index: Int32) { sqlite3_bind_null(raw, index) }

    /// Steps once: true for a row, false when done.
    @discardableResult
    func step() throws -> Bool {
        switch sqlite3_step(raw) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw PlainSQLite.Failure(description: String(cString: sqlite3_errmsg(db)))
        }
    }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: pointer)
    }
}

/// One record as it travels in an initial sync, in pull order.
struct BenchRecord: Sendable {
    var collection: String
    var id: String
    var body: String
}

/// The plain-SQLite baselines.
enum PlainBaseline {
    /// The replica's `records` table, without the engine around it.
    static let recordsTable = """
        CREATE TABLE records (collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
                              PRIMARY KEY (collection, id)) STRICT, WITHOUT ROWID
        """

    /// Inserts `rows` in their order into an empty table in one transaction with one prepared
    /// statement (WAL, synchronous=FULL as the replica); returns the seconds it took, commit included.
    static func bulkInsert(_ rows: [BenchRecord], path: String) throws -> Double {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        let db = try PlainSQLite(path: path)
        try db.exec(recordsTable)
        let start = now()
        try db.exec("BEGIN IMMEDIATE")
        let insert = try db.prepare("INSERT INTO records (collection, id, body) VALUES (?, ?, ?)")
        for row in rows {
            insert.bind(1, row.collection)
            insert.bind(2, row.id)
            insert.bind(3, row.body)
            try insert.step()
            insert.reset()
        }
        try db.exec("COMMIT")
        return now() - start
    }

    /// `count` single-row commits (an upsert of one record, its own transaction), each timed.
    static func singleRowCommits(count: Int, path: String, body: String) throws -> [Double] {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        let db = try PlainSQLite(path: path)
        try db.exec(recordsTable)
        let upsert = try db.prepare(
            "INSERT INTO records (collection, id, body) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body"
        )
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for index in 0..<(count + 20) {
            // Each commit changes the row (an unchanged row would write nothing and sync nothing).
            let changed = String(body.dropLast()) + ",\"_n\":\(index)}"
            let id = String(1_000_000_000 + index % 50)
            let start = now()
            upsert.bind(1, "contactos")
            upsert.bind(2, id)
            upsert.bind(3, changed)
            try upsert.step()
            upsert.reset()
            if index >= 20 { samples.append(now() - start) }
        }
        return samples
    }
}
