import Foundation

/// A date without a time of day or a time zone (the proleptic Gregorian calendar), as a
/// spreadsheet date cell shows it.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// The day `year`-`month`-`day`; whether it exists is checked when a sheet is built.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether the month has this day (2024-02-29 exists, 2023-02-29 does not).
    public var isValid: Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= Self.daysIn(month: month, year: year)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        var writer = ByteWriter(capacity: 10)
        writer.appendISO(self)
        return writer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: Day arithmetic

    /// Days since 1970-01-01 (negative before), by H. Hinnant's `days_from_civil`.
    var daysSinceUnixEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day `days` after 1970-01-01, by H. Hinnant's `civil_from_days`.
    init(daysSinceUnixEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // MARK: Spreadsheet serial numbers

    /// The first and last days a spreadsheet in the 1900 date system can hold.
    static let excelRange = CalendarDay(year: 1900, month: 1, day: 1)...CalendarDay(year: 9999, month: 12, day: 31)

    /// The day's serial number in the 1900 date system: 1 is 1900-01-01, 25569 is 1970-01-01.
    ///
    /// Excel (after Lotus 1-2-3) counts a 1900-02-29 that never was, as serial 60, so days from
    /// 1900-03-01 on are counted from 1899-12-30 and earlier ones from 1899-12-31.
    var excelSerial: Int {
        let serial = daysSinceUnixEpoch + 25569
        return serial < 61 ? serial - 1 : serial
    }
}

/// A moment as wall-clock time in a time zone, to the millisecond.
struct LocalTime {
    var day: CalendarDay
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int

    init(_ date: Date, in timeZone: TimeZone) {
        let utcMilliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let offset = Double(timeZone.secondsFromGMT(for: date)) * 1000
        let localMilliseconds = Int64(utcMilliseconds + offset)
        let (days, millisecondOfDay) = Self.floorDivision(localMilliseconds, 86_400_000)
        day = CalendarDay(daysSinceUnixEpoch: Int(days))
        let milliseconds = Int(millisecondOfDay)
        hour = milliseconds / 3_600_000
        minute = milliseconds / 60_000 % 60
        second = milliseconds / 1000 % 60
        millisecond = milliseconds % 1000
    }

    /// The serial number in the 1900 date system: days (see ``CalendarDay/excelSerial``) plus
    /// the fraction of the day.
    var excelSerial: Double {
        let milliseconds = ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
        return Double(day.excelSerial) + Double(milliseconds) / 86_400_000
    }

    private static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a / b
        let remainder = a % b
        return remainder < 0 ? (quotient - 1, remainder + b) : (quotient, remainder)
    }
}

extension ByteWriter {
    /// Appends `YYYY-MM-DD`.
    mutating func appendISO(_ day: CalendarDay) {
        if day.year < 0 {
            append(UInt8(ascii: "-"))
        }
        appendPadded(abs(day.year), width: 4)
        append(UInt8(ascii: "-"))
        appendPadded(day.month, width: 2)
        append(UInt8(ascii: "-"))
        appendPadded(day.day, width: 2)
    }

    /// Appends `YYYY-MM-DD hh:mm`, the text of a date-time cell.
    mutating func appendMinutes(_ time: LocalTime) {
        appendISO(time.day)
        append(UInt8(ascii: " "))
        appendPadded(time.hour, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(time.minute, width: 2)
    }
}
