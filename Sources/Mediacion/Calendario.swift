import Foundation

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

    public static func < (a: FechaCivil, b: FechaCivil) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// This date plus `days` calendar days.
    public func adding(days: Int) -> FechaCivil {
        let start = CalendarioMX.inicio(self)
        let moved = CalendarioMX.calendar.date(byAdding: .day, value: days, to: start)!
        return CalendarioMX.fecha(moved)
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
        calendar.dateComponents([.day], from: inicio(fecha(a)), to: inicio(fecha(b))).day!
    }
}

/// Deadlines (*plazos*) in calendar days (DOMAIN.md §5). Defaults of the procedure; the
/// Gerencia de Mediación y Convenios may change them.
public struct Plazos: Sendable, Equatable, Codable {
    /// The session must be held within this many days of the acceptance (G14, Nota 1 of G9).
    public var diasParaSesion: Int

    public init(diasParaSesion: Int = 90) {
        self.diasParaSesion = diasParaSesion
    }

    public static let procedimiento = Plazos()
}
