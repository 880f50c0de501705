import Foundation

/// The institution's reports and outputs to other systems (DOMAIN.md §7), each computed from the
/// records for one calendar month in Mexico City. See docs/reports.md for the columns and the
/// rules that put a record in a month.
public enum TipoReporte: String, Sendable, CaseIterable, CustomStringConvertible {
    /// G32: the agency's monthly report to the Gerencia de Mediación y Convenios.
    case agenciaMensual = "agencia-mensual"
    /// Guía 34: the Delegación Regional's monthly report of convenios signed and first payments.
    case delegacionMensual = "delegacion-mensual"
    /// Output to ALS (PR-SGAC-052): the restructures to register.
    case als
    /// Output to payments (PR-SGAC-081): the first payments made.
    case pagos
    /// Output to the ANEC: the expedientes shipped with their guide numbers.
    case anec
    /// Output to Recuperación Especializada (PR-SGAC-107): borrowers who did not accept.
    case recuperacionEspecializada = "recuperacion-especializada"

    /// The name on the command line.
    public var description: String { rawValue }

    /// The report's title, as the institution names it.
    public var titulo: String {
        switch self {
        case .agenciaMensual: "Informe del servicio de mediación"
        case .delegacionMensual: "Informe de la DR"
        case .als: "Registro de convenios de reestructura en ALS"
        case .pagos: "Aplicación de pagos"
        case .anec: "Envío de expedientes al ANEC"
        case .recuperacionEspecializada: "Asignación a Recuperación Especializada"
        }
    }

    /// Where the procedure asks for it.
    public var fuente: String {
        switch self {
        case .agenciaMensual: "Guía, actividad 32"
        case .delegacionMensual: "Guía, actividad 34"
        case .als: "Requisitos de salidas: PR-SGAC-052"
        case .pagos: "Requisitos de salidas: PR-SGAC-081"
        case .anec: "Requisitos de salidas: ANEC"
        case .recuperacionEspecializada: "Requisitos de salidas: PR-SGAC-107"
        }
    }

    /// The collections the report reads.
    public var colecciones: [String] {
        switch self {
        case .agenciaMensual:
            [Cuenta.collection, Caso.collection, Sesion.collection, Convenio.collection, Mediador.collection]
        case .delegacionMensual, .als: [Cuenta.collection, Caso.collection, Convenio.collection]
        case .pagos, .recuperacionEspecializada: [Cuenta.collection, Caso.collection]
        case .anec: [Cuenta.collection, Caso.collection, Historial.collection]
        }
    }

    /// The names, for messages: `agencia-mensual, delegacion-mensual, …`.
    public static var nombres: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A report for one month: one or more tables (worksheets).
public struct Reporte: Sendable, Equatable {
    /// Which report.
    public var tipo: TipoReporte
    /// The month the report covers.
    public var mes: Mes
    /// The tables, in order: the first holds the report's records, the others summarize them.
    public var tablas: [TablaReporte]

    public init(tipo: TipoReporte, mes: Mes, tablas: [TablaReporte]) {
        self.tipo = tipo
        self.mes = mes
        self.tablas = tablas
    }

    /// The title with its month: "Informe de la DR, 2027-01".
    public var titulo: String { "\(tipo.titulo), \(mes)" }

    /// The data rows of the first table: the report's records (the others summarize them).
    public var filas: Int { tablas.first?.filas.count ?? 0 }
}

/// One table of a report: Spanish headers as the institution writes them, and typed rows.
public struct TablaReporte: Sendable, Equatable {
    /// The sheet name.
    public var nombre: String
    /// The columns, in order.
    public var columnas: [Columna]
    /// Each row has one cell per column.
    public var filas: [[Celda]]

    public init(nombre: String, columnas: [Columna], filas: [[Celda]]) {
        precondition(filas.allSatisfy { $0.count == columnas.count }, "every row has one cell per column")
        self.nombre = nombre
        self.columnas = columnas
        self.filas = filas
    }

    /// The headers, in order.
    public var encabezados: [String] { columnas.map(\.encabezado) }
}

/// A column of a report table.
public struct Columna: Sendable, Hashable {
    /// What the column holds, which sets how its cells are written.
    public enum Tipo: Sendable, Hashable {
        /// Text, written as it is.
        case texto
        /// Whole numbers (counts).
        case entero
        /// Amounts of money in pesos, written with two decimals.
        case dinero
        /// Other numbers (e.g. the payment factor), written as they are.
        case numero
        /// Calendar dates, written `YYYY-MM-DD`.
        case fecha
    }

    /// The header, exactly as the institution writes it.
    public var encabezado: String
    /// What the column holds.
    public var tipo: Tipo

    public init(_ encabezado: String, _ tipo: Tipo = .texto) {
        self.encabezado = encabezado
        self.tipo = tipo
    }
}

/// The value of one cell of a report.
public enum Celda: Sendable, Hashable, CustomStringConvertible {
    /// Text (credit numbers are text: their leading zeros count).
    case texto(String)
    /// A whole number (a count).
    case entero(Int)
    /// An amount in pesos.
    case dinero(Double)
    /// Any other number, e.g. a payment factor.
    case numero(Double)
    /// A calendar date in Mexico City.
    case fecha(FechaCivil)
    /// Nothing: not applicable, or not known yet.
    case vacia

    /// Text, or empty for `nil` or empty text.
    public static func textoOpcional(_ valor: String?) -> Celda {
        guard let valor, !valor.isEmpty else { return .vacia }
        return .texto(valor)
    }

    /// A date, or empty for `nil`.
    public static func fechaOpcional(_ valor: FechaCivil?) -> Celda { valor.map(Celda.fecha) ?? .vacia }

    /// The Mexico City date of an instant, or empty for `nil`.
    public static func fechaDe(_ instante: Date?) -> Celda { instante.map { .fecha(CalendarioMX.fecha($0)) } ?? .vacia }

    /// "Sí" or "No".
    public static func siNo(_ valor: Bool) -> Celda { .texto(valor ? Celda.si : Celda.no) }

    /// "Sí", as the reports write yes.
    public static let si = "Sí"
    /// "No".
    public static let no = "No"

    /// The value for people (amounts with two decimals, dates `YYYY-MM-DD`); used by tests and
    /// messages, not by the writers.
    public var description: String {
        switch self {
        case .texto(let texto): texto
        case .entero(let numero): String(numero)
        case .dinero(let monto): String(format: "%.2f", monto)
        case .numero(let numero): String(numero)
        case .fecha(let fecha): fecha.description
        case .vacia: ""
        }
    }
}
