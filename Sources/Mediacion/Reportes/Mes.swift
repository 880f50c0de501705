import Foundation

/// A calendar month as the institution counts it: the days of the month in Mexico City. The
/// reports are monthly ("el mes calendario que concluyó"); an instant belongs to the month of its
/// Mexico City date, so a convenio signed at 23:30 on the 31st in Mexico City is in that month
/// even though it is already the 1st in UTC.
///
///     let mes = Mes("2027-01")!
///     mes.primerDia  // 2027-01-01
///     mes.ultimoDia  // 2027-01-31
public struct Mes: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, 1900–9999.
    public let year: Int
    /// The month, 1–12.
    public let month: Int

    /// The month `month` (1–12) of `year` (1900–9999, the years a spreadsheet holds).
    public init?(year: Int, month: Int) {
        guard (1900...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`; `nil` if malformed or out of range.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month)
    }

    /// The month of a Mexico City date.
    public init(_ fecha: FechaCivil) {
        year = fecha.year
        month = fecha.month
    }

    /// The month of an instant, by its Mexico City date.
    public init(_ instante: Date) {
        self.init(CalendarioMX.fecha(instante))
    }

    /// `YYYY-MM`.
    public var description: String { String(format: "%04d-%02d", year, month) }

    /// The first day of the month.
    public var primerDia: FechaCivil { FechaCivil(year: year, month: month, day: 1) }

    /// The last day of the month (28 to 31).
    public var ultimoDia: FechaCivil { siguiente.primerDia.adding(days: -1) }

    /// The month after this one.
    public var siguiente: Mes {
        month == 12 ? Mes(uncheckedYear: year + 1, month: 1) : Mes(uncheckedYear: year, month: month + 1)
    }

    /// The month before this one.
    public var anterior: Mes {
        month == 1 ? Mes(uncheckedYear: year - 1, month: 12) : Mes(uncheckedYear: year, month: month - 1)
    }

    /// Whether the Mexico City date `fecha` falls in this month.
    public func contiene(_ fecha: FechaCivil) -> Bool {
        fecha.year == year && fecha.month == month
    }

    /// Whether the instant falls in this month in Mexico City.
    public func contiene(_ instante: Date) -> Bool {
        contiene(CalendarioMX.fecha(instante))
    }

    public static func < (a: Mes, b: Mes) -> Bool { (a.year, a.month) < (b.year, b.month) }

    private init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }
}
