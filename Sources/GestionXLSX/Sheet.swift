import Foundation

/// The value of one cell.
public enum Cell: Sendable, Hashable {
    /// Text, shown as is (characters XML 1.0 forbids, such as most control characters, are dropped).
    case text(String)
    /// A number, shown in the column's ``Column/Kind`` format (general, or fixed decimals).
    case number(Double)
    /// A whole number, shown without decimals. Spreadsheets store numbers as doubles, so only
    /// magnitudes up to 2⁵³ are allowed.
    case integer(Int64)
    /// A date without time, shown as `yyyy-mm-dd`. (LibreOffice shows days before 1900-03-01
    /// one day early: it does not count the 1900-02-29 that Excel's serial numbers include.)
    case date(CalendarDay)
    /// A moment, shown as `yyyy-mm-dd hh:mm` in the workbook's time zone.
    case dateTime(Date)
    /// A boolean, shown as `TRUE` or `FALSE`.
    case bool(Bool)
    /// Nothing.
    case empty

    /// A date cell for `year`-`month`-`day`.
    public static func date(year: Int, month: Int, day: Int) -> Cell {
        .date(CalendarDay(year: year, month: month, day: day))
    }
}

extension Cell: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// A column of a sheet: its header, how its numbers are shown, and its width.
public struct Column: Sendable, Hashable {
    /// What a column holds; it sets the default width and how `.number` cells are shown.
    public enum Kind: Sendable, Hashable {
        /// Any values; numbers in the general format.
        case general
        /// Text.
        case text
        /// Whole numbers.
        case integer
        /// Numbers shown with exactly `places` decimals (0...15), e.g. `0.00` for amounts.
        case decimal(places: Int)
        /// Dates.
        case date
        /// Dates with times.
        case dateTime
        /// Booleans.
        case bool
    }

    /// The text of the header row.
    public var header: String
    public var kind: Kind
    /// Width in characters of the default font (0 to 255); `nil` sizes the column from its
    /// header and first rows.
    public var width: Double?

    public init(_ header: String, kind: Kind = .general, width: Double? = nil) {
        self.header = header
        self.kind = kind
        self.width = width
    }
}

/// A table with a header row: what becomes one worksheet or one CSV file.
public struct Sheet: Sendable, Equatable {
    /// The largest number of rows a worksheet has, header included.
    public static let maximumRowCount = 1_048_576
    /// The largest number of columns a worksheet has.
    public static let maximumColumnCount = 16_384
    /// The longest text a cell holds, in UTF-16 code units.
    public static let maximumTextLength = 32_767
    /// The largest integer a spreadsheet stores exactly (2⁵³).
    public static let maximumExactInteger: Int64 = 1 << 53

    /// The sheet's name; a workbook makes it a valid, unique worksheet name when it is added.
    public var name: String
    public let columns: [Column]
    /// The data rows, each with at most `columns.count` cells (missing cells are empty).
    public let rows: [[Cell]]

    /// A sheet, after checking that every value fits in a spreadsheet.
    public init(name: String, columns: [Column], rows: [[Cell]]) throws(SheetError) {
        guard columns.count <= Self.maximumColumnCount else {
            throw .tooManyColumns(columns.count)
        }
        guard rows.count < Self.maximumRowCount else { throw .tooManyRows(rows.count) }
        for column in columns {
            if case .decimal(let places) = column.kind, !(0...15).contains(places) {
                throw .invalidDecimalPlaces(column: column.header, places: places)
            }
            if let width = column.width, !(width >= 0 && width <= 255) {
                throw .invalidWidth(column: column.header, width: width)
            }
            try Self.checkLength(column.header, row: 1)
        }
        for (index, row) in rows.enumerated() {
            let rowNumber = index + 2
            guard row.count <= columns.count else {
                throw .rowTooWide(row: rowNumber, cells: row.count, columns: columns.count)
            }
            for cell in row {
                try Self.check(cell, row: rowNumber)
            }
        }
        self.init(uncheckedName: name, columns: columns, rows: rows)
    }

    /// A sheet whose values are known to fit.
    init(uncheckedName name: String, columns: [Column], rows: [[Cell]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    private static func check(_ cell: Cell, row: Int) throws(SheetError) {
        switch cell {
        case .text(let text):
            try checkLength(text, row: row)
        case .number(let value):
            guard value.isFinite else { throw .notFinite(row: row) }
        case .integer(let value):
            guard value.magnitude <= maximumExactInteger.magnitude else {
                throw .integerOutOfRange(value, row: row)
            }
        case .date(let day):
            guard day.isValid, CalendarDay.excelRange.contains(day) else {
                throw .dateOutOfRange(day.description, row: row)
            }
        case .dateTime(let date):
            // Checked against the widest time-zone offsets (±18 h); the zone is known later.
            let earliest = Double(CalendarDay.excelRange.lowerBound.daysSinceUnixEpoch) * 86_400 + 64_800
            let latest = Double(CalendarDay.excelRange.upperBound.daysSinceUnixEpoch + 1) * 86_400 - 64_800
            guard date.timeIntervalSince1970 >= earliest, date.timeIntervalSince1970 < latest else {
                throw .dateOutOfRange(date.description, row: row)
            }
        case .bool, .empty:
            break
        }
    }

    private static func checkLength(_ text: String, row: Int) throws(SheetError) {
        // UTF-8 never has fewer units than UTF-16, so the cheap count settles most texts.
        if text.utf8.count > maximumTextLength, text.utf16.count > maximumTextLength {
            throw .textTooLong(row: row, length: text.utf16.count)
        }
    }
}

/// Why a ``Sheet`` could not be built. Row numbers are the spreadsheet's: the header is row 1.
public enum SheetError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooManyColumns(Int)
    case tooManyRows(Int)
    case rowTooWide(row: Int, cells: Int, columns: Int)
    case invalidDecimalPlaces(column: String, places: Int)
    case invalidWidth(column: String, width: Double)
    case textTooLong(row: Int, length: Int)
    case notFinite(row: Int)
    case integerOutOfRange(Int64, row: Int)
    case dateOutOfRange(String, row: Int)

    public var description: String {
        switch self {
        case .tooManyColumns(let count):
            "\(count) columns: a worksheet has at most \(Sheet.maximumColumnCount)"
        case .tooManyRows(let count):
            "\(count) rows and a header: a worksheet has at most \(Sheet.maximumRowCount) rows"
        case .rowTooWide(let row, let cells, let columns):
            "row \(row) has \(cells) cells but the sheet has \(columns) columns"
        case .invalidDecimalPlaces(let column, let places):
            "column \"\(column)\": \(places) decimal places (0 to 15 allowed)"
        case .invalidWidth(let column, let width):
            "column \"\(column)\": width \(width) (0 to 255 allowed)"
        case .textTooLong(let row, let length):
            "row \(row): a text of \(length) characters (a cell holds \(Sheet.maximumTextLength))"
        case .notFinite(let row):
            "row \(row): a number that is not finite"
        case .integerOutOfRange(let value, let row):
            "row \(row): \(value) is beyond the integers a spreadsheet stores exactly (±2^53)"
        case .dateOutOfRange(let value, let row):
            "row \(row): \(value) is not a date between 1900-01-01 and 9999-12-31"
        }
    }
}
