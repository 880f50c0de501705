import CSQLite
import Foundation

/// Column names of a result set and their lookup table, built once per query and shared by its rows.
final class ColumnLayout: Sendable {
    let names: [String]
    private let exact: [String: Int]
    private let folded: [String: Int]

    init(names: [String]) {
        self.names = names
        var exact: [String: Int] = [:]
        var folded: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            // Leftmost column wins for duplicate names, as in SQLite's own lookup.
            if exact[name] == nil { exact[name] = index }
            let key = name.lowercased()
            if folded[key] == nil { folded[key] = index }
        }
        self.exact = exact
        self.folded = folded
    }

    /// Exact match first, then case-insensitive (SQLite column names are case-insensitive).
    func index(of name: String) -> Int? {
        exact[name] ?? folded[name.lowercased()]
    }
}

/// One result row, detached from its statement. Values are looked up by 0-based index or by
/// column name (case-insensitive; the leftmost column wins when names repeat).
///
/// Typed accessors follow ``SQLiteValue``'s strict rules and return `nil` both for NULL and for a
/// missing column; use ``hasColumn(_:)`` or the name subscript to tell them apart.
public struct Row: Sendable, Equatable {
    let layout: ColumnLayout
    /// The values, in column order.
    public let values: [SQLiteValue]

    init(layout: ColumnLayout, values: [SQLiteValue]) {
        self.layout = layout
        self.values = values
    }

    /// Creates a row from names and values of equal count (for tests and fakes).
    public init(columnNames: [String], values: [SQLiteValue]) {
        precondition(columnNames.count == values.count, "Row needs one value per column")
        self.init(layout: ColumnLayout(names: columnNames), values: values)
    }

    /// The column names, in order.
    public var columnNames: [String] { layout.names }
    /// The number of columns.
    public var count: Int { values.count }

    /// The value at a 0-based column index (traps when out of range, like an array).
    public subscript(_ index: Int) -> SQLiteValue { values[index] }

    /// The value of the named column, or `nil` when there is no such column (`.null` for NULL).
    public subscript(_ name: String) -> SQLiteValue? {
        layout.index(of: name).map { values[$0] }
    }

    /// `true` when the row has a column of that name.
    public func hasColumn(_ name: String) -> Bool { layout.index(of: name) != nil }

    /// The named column's integer.
    public func int64(_ name: String) -> Int64? { self[name]?.int64 }
    /// The named column's integer as `Int`.
    public func int(_ name: String) -> Int? { self[name]?.int }
    /// The named column's double.
    public func double(_ name: String) -> Double? { self[name]?.double }
    /// The named column's text.
    public func string(_ name: String) -> String? { self[name]?.string }
    /// The named column's blob.
    public func bytes(_ name: String) -> [UInt8]? { self[name]?.bytes }
    /// The named column's integer as a boolean.
    public func bool(_ name: String) -> Bool? { self[name]?.bool }
    /// The named column's ISO-8601 date text as a `Date`.
    public func date(_ name: String) -> Date? { self[name]?.date }
    /// The named column's text as a `UUID`.
    public func uuid(_ name: String) -> UUID? { self[name]?.uuid }
    /// `true` when the named column holds NULL (`false` when it does not exist).
    public func isNull(_ name: String) -> Bool { self[name]?.isNull ?? false }

    /// The integer at a 0-based index.
    public func int64(at index: Int) -> Int64? { values[index].int64 }
    /// The double at a 0-based index.
    public func double(at index: Int) -> Double? { values[index].double }
    /// The text at a 0-based index.
    public func string(at index: Int) -> String? { values[index].string }
    /// The blob at a 0-based index.
    public func bytes(at index: Int) -> [UInt8]? { values[index].bytes }
    /// The integer at a 0-based index as `Int`.
    public func int(at index: Int) -> Int? { values[index].int }
    /// The integer at a 0-based index as a boolean.
    public func bool(at index: Int) -> Bool? { values[index].bool }
    /// The ISO-8601 date text at a 0-based index as a `Date`.
    public func date(at index: Int) -> Date? { values[index].date }
    /// The text at a 0-based index as a `UUID`.
    public func uuid(at index: Int) -> UUID? { values[index].uuid }
    /// `true` when the value at a 0-based index is NULL.
    public func isNull(at index: Int) -> Bool { values[index].isNull }

    /// Rows are equal when their column names and values are.
    public static func == (lhs: Row, rhs: Row) -> Bool {
        lhs.values == rhs.values && lhs.layout.names == rhs.layout.names
    }
}

/// The current row of a statement during `Connection.forEachRow`:
/// reads columns in place, without building a ``Row``. It cannot outlive the iteration step.
///
/// Typed accessors are strict like ``SQLiteValue``'s (`string` is `nil` for a number).
public struct RowCursor: ~Copyable {
    let statement: Statement
    let layout: ColumnLayout

    init(statement: Statement, layout: ColumnLayout) {
        self.statement = statement
        self.layout = layout
    }

    /// The number of columns.
    public var count: Int { layout.names.count }
    /// The column names, in order.
    public var columnNames: [String] { layout.names }
    /// Copies the current row out.
    public var row: Row { Row(layout: layout, values: statement.currentValues()) }

    /// The value at a 0-based index.
    public subscript(_ index: Int) -> SQLiteValue { statement.value(at: Int32(index)) }

    /// The value of the named column, or `nil` when there is no such column.
    public subscript(_ name: String) -> SQLiteValue? {
        layout.index(of: name).map { statement.value(at: Int32($0)) }
    }

    /// The integer at a 0-based index (a whole `.real` converts too).
    public func int64(at index: Int) -> Int64? {
        let column = Int32(index)
        switch statement.columnType(at: column) {
        case SQLITE_INTEGER: return statement.int64(at: column)
        case SQLITE_FLOAT: return Int64(exactly: statement.double(at: column))
        default: return nil
        }
    }

    /// The double at a 0-based index (an integer converts too).
    public func double(at index: Int) -> Double? {
        let column = Int32(index)
        switch statement.columnType(at: column) {
        case SQLITE_INTEGER, SQLITE_FLOAT: return statement.double(at: column)
        default: return nil
        }
    }

    /// The text at a 0-based index.
    public func string(at index: Int) -> String? {
        let column = Int32(index)
        return statement.columnType(at: column) == SQLITE_TEXT ? statement.string(at: column) : nil
    }

    /// The blob at a 0-based index.
    public func bytes(at index: Int) -> [UInt8]? {
        let column = Int32(index)
        return statement.columnType(at: column) == SQLITE_BLOB ? statement.bytes(at: column) : nil
    }

    /// `true` when the column at a 0-based index holds NULL.
    public func isNull(at index: Int) -> Bool { statement.isNull(at: Int32(index)) }

    /// The named column's integer.
    public func int64(_ name: String) -> Int64? { layout.index(of: name).flatMap { int64(at: $0) } }
    /// The named column's integer as `Int`.
    public func int(_ name: String) -> Int? { int64(name).flatMap { Int(exactly: $0) } }
    /// The named column's double.
    public func double(_ name: String) -> Double? { layout.index(of: name).flatMap { double(at: $0) } }
    /// The named column's text.
    public func string(_ name: String) -> String? { layout.index(of: name).flatMap { string(at: $0) } }
    /// The named column's blob.
    public func bytes(_ name: String) -> [UInt8]? { layout.index(of: name).flatMap { bytes(at: $0) } }
    /// The named column's integer as a boolean.
    public func bool(_ name: String) -> Bool? { int64(name).map { $0 != 0 } }
    /// The named column's ISO-8601 date text as a `Date`.
    public func date(_ name: String) -> Date? { self[name]?.date }
    /// The named column's text as a `UUID`.
    public func uuid(_ name: String) -> UUID? { self[name]?.uuid }
    /// `true` when the named column holds NULL (`false` when it does not exist).
    public func isNull(_ name: String) -> Bool { layout.index(of: name).map { isNull(at: $0) } ?? false }
}
