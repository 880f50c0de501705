import CSQLite

/// The SQLite handle shared by a connection and its statements, so a statement can tell that its
/// connection was closed (and throw instead of touching a dead handle).
final class ConnectionHandle {
    var db: OpaquePointer?
    init(_ db: OpaquePointer) { self.db = db }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the bind call returns.
private var transientDestructor: sqlite3_destructor_type {
    unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self)
}

/// A prepared statement. Not `Sendable`: it belongs to its connection's owner.
///
/// Obtain one with ``Connection/prepare(_:cached:)``. A cached statement is shared by every user
/// of the same SQL text on the connection; bind, step and reset it without calling other APIs of
/// the connection with the same SQL in between.
///
/// Life cycle: `bind(_:)` (or the typed `bind(_:_:)` calls), ``step()`` until it returns `false`,
/// then ``reset()`` (and ``clearBindings()`` if large values were bound). A statement that is
/// stepped but not reset keeps its read snapshot open, which blocks WAL checkpoints.
///
/// Performance: on hot paths (bulk inserts, sync batches) prepare the statement once, wrap the
/// loop in one ``Connection/transaction(_:_:)``, and use the typed `bind(_:_:)` overloads
/// (`Int64`, `Int`, `Double`, `String`, `[UInt8]`, ``bindNull(_:)``), which bind without building
/// ``SQLiteValue`` arrays or existential boxes. Each row then costs one bind per column, one
/// `step()` and one `reset()`: 100,000 rows insert in well under a second in release builds.
/// Text is bound with `SQLITE_TRANSIENT` (SQLite copies it), so the Swift string need not outlive the call.
///
/// The statement is finalized in `deinit`, or when its connection is closed if it is cached.
public final class Statement {
    private var handle: OpaquePointer?
    let owner: ConnectionHandle
    /// The SQL text, as prepared (without bound values).
    public let sql: String
    /// Set when a step failed: the connection's cache drops the statement instead of reusing it.
    var isPoisoned = false
    /// Last use, for the connection cache's LRU eviction.
    var lastUse: UInt64 = 0

    init(handle: OpaquePointer, owner: ConnectionHandle) {
        self.handle = handle
        self.owner = owner
        self.sql = sqlite3_sql(handle).map { String(cString: $0) } ?? ""
    }

    deinit {
        if let handle { sqlite3_finalize(handle) }
    }

    func finalize() {
        if let handle {
            sqlite3_finalize(handle)
            self.handle = nil
        }
    }

    var isFinalized: Bool { handle == nil }

    private func live() throws(SQLiteError) -> OpaquePointer {
        guard let handle, owner.db != nil else { throw SQLiteError.closed(sql: sql) }
        return handle
    }

    private func check(_ rc: Int32, _ stmt: OpaquePointer) throws(SQLiteError) {
        if rc != SQLITE_OK { throw SQLiteError.from(sqlite3_db_handle(stmt), code: rc, sql: sql) }
    }

    // MARK: Parameters

    /// The number of parameters (the largest `?NNN` index for numbered parameters).
    public var parameterCount: Int32 { handle.map { sqlite3_bind_parameter_count($0) } ?? 0 }

    /// The 1-based index of a named parameter such as `:name`, `@name` or `$name` (include the prefix).
    public func parameterIndex(named name: String) -> Int32? {
        guard let handle else { return nil }
        let index = sqlite3_bind_parameter_index(handle, name)
        return index == 0 ? nil : index
    }

    /// Resets the statement and binds all parameters, in order.
    /// - Throws: a misuse error (SQLITE_RANGE) when `values.count` differs from ``parameterCount``.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        let stmt = try live()
        let expected = sqlite3_bind_parameter_count(stmt)
        guard values.count == Int(expected) else {
            throw SQLiteError.argumentCount(expected: expected, got: values.count, sql: sql)
        }
        sqlite3_reset(stmt)
        for (offset, value) in values.enumerated() {
            try bind(Int32(offset + 1), value)
        }
    }

    /// Resets the statement and binds all parameters, in order.
    /// - Throws: a misuse error (SQLITE_RANGE) when `values.count` differs from ``parameterCount``.
    public func bind(_ values: [any SQLiteBindable]) throws(SQLiteError) {
        let stmt = try live()
        let expected = sqlite3_bind_parameter_count(stmt)
        guard values.count == Int(expected) else {
            throw SQLiteError.argumentCount(expected: expected, got: values.count, sql: sql)
        }
        sqlite3_reset(stmt)
        for (offset, value) in values.enumerated() {
            try bind(Int32(offset + 1), value.sqliteValue)
        }
    }

    /// Binds a value to the 1-based parameter `index`.
    public func bind(_ index: Int32, _ value: SQLiteValue) throws(SQLiteError) {
        switch value {
        case .null: try bindNull(index)
        case .integer(let v): try bind(index, v)
        case .real(let v): try bind(index, v)
        case .text(let v): try bind(index, v)
        case .blob(let v): try bind(index, v)
        }
    }

    /// Binds an integer to the 1-based parameter `index`.
    public func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) {
        let stmt = try live()
        try check(sqlite3_bind_int64(stmt, index, value), stmt)
    }

    /// Binds an integer to the 1-based parameter `index`.
    public func bind(_ index: Int32, _ value: Int) throws(SQLiteError) {
        try bind(index, Int64(value))
    }

    /// Binds a double to the 1-based parameter `index` (NaN becomes NULL).
    public func bind(_ index: Int32, _ value: Double) throws(SQLiteError) {
        let stmt = try live()
        try check(sqlite3_bind_double(stmt, index, value), stmt)
    }

    /// Binds UTF-8 text to the 1-based parameter `index`; SQLite copies it.
    public func bind(_ index: Int32, _ value: String) throws(SQLiteError) {
        let stmt = try live()
        let rc: Int32
        if let fast = value.utf8.withContiguousStorageIfAvailable({ Self.bindText(stmt, index, $0) }) {
            rc = fast
        } else {
            var copy = value
            rc = copy.withUTF8 { Self.bindText(stmt, index, $0) }
        }
        try check(rc, stmt)
    }

    private static func bindText(_ stmt: OpaquePointer, _ index: Int32, _ utf8: UnsafeBufferPointer<UInt8>) -> Int32 {
        // A nil pointer would bind NULL: an empty string must stay an empty string.
        guard let base = utf8.baseAddress, !utf8.isEmpty else {
            return sqlite3_bind_text(stmt, index, "", 0, transientDestructor)
        }
        return UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: utf8.count) {
            sqlite3_bind_text64(stmt, index, $0, sqlite3_uint64(utf8.count), transientDestructor, UInt8(SQLITE_UTF8))
        }
    }

    /// Binds a blob to the 1-based parameter `index`; SQLite copies it. An empty array binds an empty blob, not NULL.
    public func bind(_ index: Int32, _ value: [UInt8]) throws(SQLiteError) {
        let stmt = try live()
        let rc = value.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_zeroblob(stmt, index, 0)
            }
            return sqlite3_bind_blob64(stmt, index, base, sqlite3_uint64(bytes.count), transientDestructor)
        }
        try check(rc, stmt)
    }

    /// Binds NULL to the 1-based parameter `index`.
    public func bindNull(_ index: Int32) throws(SQLiteError) {
        let stmt = try live()
        try check(sqlite3_bind_null(stmt, index), stmt)
    }

    // MARK: Stepping

    /// Evaluates the statement one step.
    /// - Returns: `true` when a row is available, `false` when the statement is done.
    /// - Throws: the SQLite error; the statement is then reset and will not be reused by the cache.
    public func step() throws(SQLiteError) -> Bool {
        let stmt = try live()
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let error = SQLiteError.from(sqlite3_db_handle(stmt), code: rc, sql: sql)
        isPoisoned = true
        sqlite3_reset(stmt)
        throw error
    }

    /// Rewinds the statement so it can be stepped again; bindings are kept. Releases its read snapshot.
    public func reset() {
        if let handle { sqlite3_reset(handle) }
    }

    /// Sets every parameter back to NULL (and releases copies of bound text and blobs).
    public func clearBindings() {
        if let handle { sqlite3_clear_bindings(handle) }
    }

    /// `true` when the statement has been stepped and not yet reset or run to completion.
    public var isBusy: Bool { handle.map { sqlite3_stmt_busy($0) != 0 } ?? false }

    /// `true` when the statement does not write to the database.
    public var isReadOnly: Bool { handle.map { sqlite3_stmt_readonly($0) != 0 } ?? true }

    // MARK: Columns

    /// The number of result columns.
    public var columnCount: Int32 { handle.map { sqlite3_column_count($0) } ?? 0 }

    /// The name of the result column at the 0-based `index` (its `AS` alias, if any).
    public func columnName(at index: Int32) -> String {
        guard let handle, let name = sqlite3_column_name(handle, index) else { return "" }
        return String(cString: name)
    }

    /// `true` when the current row's column holds NULL.
    public func isNull(at index: Int32) -> Bool {
        guard let handle else { return true }
        return sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// The column as an integer, with SQLite's conversions (NULL is 0, text is parsed).
    public func int64(at index: Int32) -> Int64 {
        guard let handle else { return 0 }
        return sqlite3_column_int64(handle, index)
    }

    /// The column as a double, with SQLite's conversions (NULL is 0.0).
    public func double(at index: Int32) -> Double {
        guard let handle else { return 0 }
        return sqlite3_column_double(handle, index)
    }

    /// The column as UTF-8 text (numbers are converted by SQLite); `nil` for NULL.
    public func string(at index: Int32) -> String? {
        guard let handle, sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        return Self.text(handle, index)
    }

    /// The column as bytes; `nil` for NULL, `[]` for an empty blob.
    public func bytes(at index: Int32) -> [UInt8]? {
        guard let handle, sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        return Self.blob(handle, index)
    }

    /// The column as stored (its storage class decides the case).
    public func value(at index: Int32) -> SQLiteValue {
        guard let handle else { return .null }
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT: return .text(Self.text(handle, index))
        case SQLITE_BLOB: return .blob(Self.blob(handle, index))
        default: return .null
        }
    }

    /// The storage class of the column in the current row, as SQLite reports it (1 integer,
    /// 2 float, 3 text, 4 blob, 5 null).
    func columnType(at index: Int32) -> Int32 {
        guard let handle else { return SQLITE_NULL }
        return sqlite3_column_type(handle, index)
    }

    /// All columns of the current row.
    func currentValues() -> [SQLiteValue] {
        let count = columnCount
        var values: [SQLiteValue] = []
        values.reserveCapacity(Int(count))
        for index in 0..<count { values.append(value(at: index)) }
        return values
    }

    /// The result column names.
    func columnNames() -> [String] {
        (0..<columnCount).map { columnName(at: $0) }
    }

    /// The layout of this statement's rows, built once and reused while SQLite has not
    /// recompiled the statement (a schema change may change a `SELECT *`'s columns).
    /// Building it for every query was 3% of the server's CPU in a pull with nothing new.
    func rowLayout() -> ColumnLayout {
        let recompilations = handle.map { sqlite3_stmt_status($0, Int32(SQLITE_STMTSTATUS_REPREPARE), 0) } ?? 0
        if let cached = cachedLayout, cached.recompilations == recompilations { return cached.layout }
        let layout = ColumnLayout(names: columnNames())
        cachedLayout = (recompilations, layout)
        return layout
    }

    private var cachedLayout: (recompilations: Int32, layout: ColumnLayout)?

    private static func text(_ handle: OpaquePointer, _ index: Int32) -> String {
        // Pointer first, then byte count (the order SQLite documents); the count handles embedded NULs.
        guard let pointer = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    private static func blob(_ handle: OpaquePointer, _ index: Int32) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(handle, index) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, index))
        return [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

@available(*, unavailable, message: "A Statement belongs to its connection's owner")
extension Statement: Sendable {}
