import Foundation

/// A value as SQLite stores it: one of its five storage classes.
///
/// Accessors are strict: `string` is non-nil only for `.text`, `bytes` only for `.blob`.
/// Numeric accessors convert between `.integer` and `.real` only when no precision is lost.
public enum SQLiteValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double. SQLite stores NaN as NULL.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes. An empty blob is distinct from NULL.
    case blob([UInt8])

    /// The integer value; a `.real` converts when it is exactly representable.
    public var int64: Int64? {
        switch self {
        case .integer(let value): value
        case .real(let value): Int64(exactly: value)
        default: nil
        }
    }

    /// The integer value as `Int`, when it fits.
    public var int: Int? { int64.flatMap { Int(exactly: $0) } }

    /// The floating-point value; an `.integer` converts to the nearest `Double`.
    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The text, for `.text` only.
    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The bytes, for `.blob` only.
    public var bytes: [UInt8]? {
        if case .blob(let value) = self { return value }
        return nil
    }

    /// `true` for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// An integer read as a boolean (zero is `false`), as stored by `Bool`'s ``SQLiteBindable`` conformance.
    public var bool: Bool? { int64.map { $0 != 0 } }

    /// A date stored by `Date`'s ``SQLiteBindable`` conformance (ISO-8601 UTC text, with or without milliseconds).
    public var date: Date? { string.flatMap(SQLiteDateFormat.parse) }

    /// A UUID stored as text (any case).
    public var uuid: UUID? { string.flatMap(UUID.init(uuidString:)) }
}

extension SQLiteValue: ExpressibleByIntegerLiteral {
    /// Creates an `.integer`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLiteValue: ExpressibleByFloatLiteral {
    /// Creates a `.real`.
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLiteValue: ExpressibleByStringLiteral {
    /// Creates a `.text`.
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLiteValue: ExpressibleByNilLiteral {
    /// Creates `.null`.
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Bindable

/// A Swift value that can be bound to a statement parameter.
///
/// Conversions happen only here: `Bool` is 0/1, `Date` is ISO-8601 UTC text with milliseconds
/// (`2024-05-01T12:34:56.789Z`), `UUID` is lowercase text, `Data` is a blob, `nil` is NULL.
public protocol SQLiteBindable {
    /// The value to bind.
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    /// The value itself.
    public var sqliteValue: SQLiteValue { self }
}

extension Int: SQLiteBindable {
    /// `.integer`.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int64: SQLiteBindable {
    /// `.integer`.
    public var sqliteValue: SQLiteValue { .integer(self) }
}

extension Int32: SQLiteBindable {
    /// `.integer`.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Double: SQLiteBindable {
    /// `.real` (NaN is stored by SQLite as NULL).
    public var sqliteValue: SQLiteValue { .real(self) }
}

extension Bool: SQLiteBindable {
    /// `.integer(1)` or `.integer(0)`.
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
}

extension String: SQLiteBindable {
    /// `.text`.
    public var sqliteValue: SQLiteValue { .text(self) }
}

extension Array: SQLiteBindable where Element == UInt8 {
    /// `.blob`.
    public var sqliteValue: SQLiteValue { .blob(self) }
}

extension Data: SQLiteBindable {
    /// `.blob`.
    public var sqliteValue: SQLiteValue { .blob([UInt8](self)) }
}

extension Date: SQLiteBindable {
    /// `.text` in ISO-8601 UTC with milliseconds, e.g. `2024-05-01T12:34:56.789Z` (sub-millisecond precision is truncated).
    public var sqliteValue: SQLiteValue { .text(SQLiteDateFormat.format(self)) }
}

extension UUID: SQLiteBindable {
    /// `.text`, lowercase.
    public var sqliteValue: SQLiteValue { .text(uuidString.lowercased()) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    /// The wrapped value, or `.null`.
    public var sqliteValue: SQLiteValue {
        switch self {
        case .some(let value): value.sqliteValue
        case .none: .null
        }
    }
}

// MARK: - Date text

/// ISO-8601 UTC text with milliseconds, computed by hand: no formatter, locale or time zone involved.
enum SQLiteDateFormat {
    static func format(_ date: Date) -> String {
        // Round to whole microseconds first so that binary noise (Date stores seconds since 2001)
        // does not push an exact millisecond down by one; then truncate to milliseconds.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (totalMillis, _) = floorDivMod(micros, 1000)
        let (days, millisOfDay) = floorDivMod(totalMillis, 86_400_000)
        let (year, month, day) = civilFromDays(days)
        let hour = millisOfDay / 3_600_000
        let minute = millisOfDay / 60_000 % 60
        let second = millisOfDay / 1000 % 60
        let millis = millisOfDay % 1000
        let yearText = year < 0 ? "-" + pad(-year, 4) : pad(year, 4)
        return "\(yearText)-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (a space is accepted instead of `T`).
    static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 20, u.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range {
                let c = u[i]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            return value
        }
        guard u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var millis: Int64 = 0
        if u.count > 20 {
            // ".f" to ".fffffffff": read up to 3 digits, ignore the rest.
            guard u[19] == UInt8(ascii: "."), u.count > 21 else { return nil }
            let digits = 20..<(u.count - 1)
            guard number(digits) != nil else { return nil }
            var scale: Int64 = 100
            for i in digits.prefix(3) {
                millis += Int64(u[i] - 48) * scale
                scale /= 10
            }
        } else if u[19] != UInt8(ascii: "Z") {
            return nil
        }
        let days = daysFromCivil(year, month, day)
        let total = ((days * 24 + hour) * 60 + minute) * 60 + second
        return Date(timeIntervalSince1970: Double(total * 1000 + millis) / 1000)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    // Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
    private static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
