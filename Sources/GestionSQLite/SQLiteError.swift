import CSQLite

/// An error reported by SQLite, or by this wrapper when it is misused (for example with the wrong
/// number of arguments, which can come from network data: it throws, it never traps).
///
/// The error carries the SQL text of the statement, never its bound values, which may be personal
/// data: it is safe to log. (Values interpolated into SQL text by a caller would leak; always bind.)
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The extended result code (e.g. 2067, SQLITE_CONSTRAINT_UNIQUE).
    public var code: Int32
    /// The message from `sqlite3_errmsg`, or from the wrapper for misuse.
    public var message: String
    /// The SQL text of the statement involved, if any. Never contains bound values.
    public var sql: String?

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (`code & 0xff`).
    public var primaryCode: Int32 { code & 0xff }

    /// SQLITE_BUSY: another connection holds a conflicting lock (and the busy timeout expired).
    public var isBusy: Bool { primaryCode == SQLITE_BUSY }
    /// SQLITE_LOCKED: a conflict within this connection or a shared cache.
    public var isLocked: Bool { primaryCode == SQLITE_LOCKED }
    /// SQLITE_CONSTRAINT: a UNIQUE, NOT NULL, CHECK, PRIMARY KEY or FOREIGN KEY constraint failed.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    /// SQLITE_FULL: the disk (or the database's size limit) is full.
    public var isDiskFull: Bool { primaryCode == SQLITE_FULL }
    /// SQLITE_NOTADB: the file is not a database (or is encrypted).
    public var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB }
    /// SQLITE_CORRUPT: the database file is malformed.
    public var isCorrupt: Bool { primaryCode == SQLITE_CORRUPT }
    /// SQLITE_READONLY: a write was attempted on a read-only database or connection.
    public var isReadOnly: Bool { primaryCode == SQLITE_READONLY }
    /// SQLITE_IOERR: the operating system reported an I/O error.
    public var isIOError: Bool { primaryCode == SQLITE_IOERR }
    /// SQLITE_INTERRUPT: the operation was interrupted.
    public var isInterrupted: Bool { primaryCode == SQLITE_INTERRUPT }
    /// SQLITE_MISUSE or SQLITE_RANGE: the API was used wrongly (wrong argument count, bad index,
    /// closed connection, several statements where one was expected, empty SQL).
    public var isMisuse: Bool { primaryCode == SQLITE_MISUSE || primaryCode == SQLITE_RANGE }

    /// `SQLite error 2067 (SQLITE_CONSTRAINT_UNIQUE): UNIQUE constraint failed: t.k — SQL: INSERT …`
    public var description: String {
        var text = "SQLite error \(code) (\(Self.name(of: code))): \(message)"
        if let sql { text += " — SQL: \(sql)" }
        return text
    }

    // MARK: Wrapper errors

    static func closed(sql: String?) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: "connection is closed", sql: sql)
    }

    static func argumentCount(expected: Int32, got: Int, sql: String) -> SQLiteError {
        SQLiteError(
            code: SQLITE_RANGE,
            message: "wrong number of arguments: the statement has \(expected) parameter(s), \(got) given",
            sql: sql)
    }

    static func misuse(_ message: String, sql: String?) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: message, sql: sql)
    }

    /// The error currently recorded on `db` for `code`.
    static func from(_ db: OpaquePointer?, code: Int32, sql: String?) -> SQLiteError {
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        return SQLiteError(code: code, message: message, sql: sql)
    }

    private static func name(of code: Int32) -> String {
        let primary: String = switch code & 0xff {
        case 1: "SQLITE_ERROR"
        case 2: "SQLITE_INTERNAL"
        case 3: "SQLITE_PERM"
        case 4: "SQLITE_ABORT"
        case 5: "SQLITE_BUSY"
        case 6: "SQLITE_LOCKED"
        case 7: "SQLITE_NOMEM"
        case 8: "SQLITE_READONLY"
        case 9: "SQLITE_INTERRUPT"
        case 10: "SQLITE_IOERR"
        case 11: "SQLITE_CORRUPT"
        case 12: "SQLITE_NOTFOUND"
        case 13: "SQLITE_FULL"
        case 14: "SQLITE_CANTOPEN"
        case 15: "SQLITE_PROTOCOL"
        case 16: "SQLITE_EMPTY"
        case 17: "SQLITE_SCHEMA"
        case 18: "SQLITE_TOOBIG"
        case 19: "SQLITE_CONSTRAINT"
        case 20: "SQLITE_MISMATCH"
        case 21: "SQLITE_MISUSE"
        case 22: "SQLITE_NOLFS"
        case 23: "SQLITE_AUTH"
        case 24: "SQLITE_FORMAT"
        case 25: "SQLITE_RANGE"
        case 26: "SQLITE_NOTADB"
        default: "SQLITE_\(code & 0xff)"
        }
        let extended: String? = switch code {
        case 261: "SQLITE_BUSY_RECOVERY"
        case 517: "SQLITE_BUSY_SNAPSHOT"
        case 773: "SQLITE_BUSY_TIMEOUT"
        case 275: "SQLITE_CONSTRAINT_CHECK"
        case 787: "SQLITE_CONSTRAINT_FOREIGNKEY"
        case 1299: "SQLITE_CONSTRAINT_NOTNULL"
        case 1555: "SQLITE_CONSTRAINT_PRIMARYKEY"
        case 2067: "SQLITE_CONSTRAINT_UNIQUE"
        case 2579: "SQLITE_CONSTRAINT_ROWID"
        case 1032: "SQLITE_READONLY_DBMOVED"
        default: nil
        }
        return extended ?? (code > 0xff ? "\(primary) extended" : primary)
    }
}
