import Foundation
import SyncCore

/// A calendar date (no time) in the institution's time zone.
public struct FechaCivil: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; `nil` if malformed or not a real date.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        var components = DateComponents()
        components.year = y
        components.month = m
        components.day = d
        guard (1...12).contains(m), (1...31).contains(d),
            let date = CalendarioMX.calendar.date(from: components),
            CalendarioMX.fecha(date) == FechaCivil(year: y, month: m, day: d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// Encoded as `YYYY-MM-DD`, the same text people read.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let fecha = FechaCivil(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a date like 2026-11-02")
            )
        }
        self = fecha
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (a: FechaCivil, b: FechaCivil) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// This date plus `days` calendar days.
    public func adding(days: Int) -> FechaCivil {
        let (y, m, d) = RFC3339.civil(fromDays: ordinal + Int64(days))
        return FechaCivil(year: Int(y), month: Int(m), day: Int(d))
    }

    /// Calendar days from this date to `other` (negative when `other` is earlier).
    public func dias(hasta other: FechaCivil) -> Int {
        Int(other.ordinal - ordinal)
    }

    /// Days since 1970-01-01: pure calendar arithmetic, no time zone involved.
    private var ordinal: Int64 {
        RFC3339.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
    }
}

/// Calendar days as the institution counts them: in Mexico City, not 24-hour periods in UTC.
public enum CalendarioMX {
    public static let zonaHoraria = TimeZone(identifier: "America/Mexico_City")!

    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zonaHoraria
        return calendar
    }()

    /// The Mexico City calendar date of an instant.
    public static func fecha(_ instant: Date) -> FechaCivil {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return FechaCivil(year: c.year!, month: c.month!, day: c.day!)
    }

    /// The first instant of a date in Mexico City.
    public static func inicio(_ fecha: FechaCivil) -> Date {
        var components = DateComponents()
        components.year = fecha.year
        components.month = fecha.month
        components.day = fecha.day
        return calendar.startOfDay(for: calendar.date(from: components)!)
    }

    /// Calendar days from `a`'s date to `b`'s date (0 when both fall on the same Mexico City day).
    public static func diasNaturales(desde a: Date, hasta b: Date) -> Int {
        fecha(a).dias(hasta: fecha(b))
    }

    /// Day `n` of a plazo counted *from* `inicio`, as the procedure counts "N días naturales
    /// contados a partir de la fecha" of the acceptance: the start date itself is day 1, so day 31
    /// is `inicio + 30` and day 91 is `inicio + 90`.
    public static func dia(_ n: Int, desde inicio: FechaCivil) -> FechaCivil {
        inicio.adding(days: n - 1)
    }

    /// The number of the day `fecha` falls on, counted from `inicio` as day 1 (`dia(_:desde:)`).
    public static func numeroDeDia(_ fecha: FechaCivil, desde inicio: FechaCivil) -> Int {
        inicio.dias(hasta: fecha) + 1
    }

    /// The number of the Mexico City day of `instante`, counted from the Mexico City date of
    /// `inicio` as day 1.
    public static func numeroDeDia(_ instante: Date, desde inicio: Date) -> Int {
        numeroDeDia(fecha(instante), desde: fecha(inicio))
    }

    /// The date `dias` calendar days *after* `fecha`, as the procedure counts "al día siguiente"
    /// (`dias` 1) or "dentro de los dos días siguientes" (`dias` 2): the event's date is day 0.
    public static func siguiente(_ dias: Int, despuesDe fecha: FechaCivil) -> FechaCivil {
        fecha.adding(days: dias)
    }
}
