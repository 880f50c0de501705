import Foundation
import SyncCore

/// G10 (nota): on day 32 after the acceptance, the platform closes every case in which the
/// mediator recorded neither a scheduled session nor “Sesión no agendada”. Run by the server's
/// closure job (`Vencimientos.cierrePendiente`). The case keeps the status it had, so that an
/// action done offline by day 31 and synced later undoes the closure.
public struct CerrarSinRegistro: MutacionDeCaso {
    public static let name = "cerrarSinRegistro"
    public static let summary = "Automatic closure: no session scheduled and no “Sesión no agendada” by day 31 (G10)."
    public static let allowedRoles: Set<String> = .roles(.operacion)
    public static let worksOffline = false
    public static let evento = EventoCaso.cierreSinRegistro
    public static let ficha = Ficha(
        "G10 (nota)", precondiciones: ["run by the server on or after day diaCierreSinRegistro (32) from the acceptance"],
        datos: ["numeroCredito", "ronda (optional)"],
        plazo: "undone by any action allowed in the previous status that counts by day diaCierreSinRegistro − 1 (31)"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.cerrar(.sinRegistro, dia: paso.plazos.diaCierreSinRegistro, ultimoDia: paso.plazos.ultimoDiaRegistroAgenda)
    }
}

/// G15: on day 91 after the acceptance, the platform removes every case with no session held and
/// no new date within the 90 days. Run by the server's closure job; undone like `CerrarSinRegistro`.
public struct CerrarSinSesion: MutacionDeCaso {
    public static let name = "cerrarSinSesion"
    public static let summary = "Automatic closure: no session held and no new date within the 90 days (G15)."
    public static let allowedRoles: Set<String> = .roles(.operacion)
    public static let worksOffline = false
    public static let evento = EventoCaso.cierreSinSesion
    public static let ficha = Ficha(
        "G15", precondiciones: ["run by the server on or after day diaCierreSinSesion (91) from the acceptance"],
        datos: ["numeroCredito", "ronda (optional)"],
        plazo: "undone by any action allowed in the previous status that counts by day diasParaSesion (90)"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.cerrar(.sinSesion, dia: paso.plazos.diaCierreSinSesion, ultimoDia: paso.plazos.ultimoDiaSesion)
    }
}

/// G10, G19: operations removes from mediation a case whose mediator recorded “Sesión no agendada”
/// or the borrower's refusal to sign. The account may go to Recuperación Especializada.
public struct RetirarCaso: MutacionDeCaso {
    public static let name = "retirarCaso"
    public static let summary =
        "Operations removes the case from mediation after “Sesión no agendada” or a refusal to sign (G10, G19)."
    public static let allowedRoles: Set<String> = .roles(.operacion)
    public static let worksOffline = false
    public static let evento = EventoCaso.retiro
    public static let ficha = Ficha("G10, G19", datos: ["numeroCredito", "ronda (optional)"])

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.fechaRetiro = paso.context.occurredAt
        paso.anotar("actividad", paso.caso.estatus == .sesionNoAgendada ? "G10" : "G19")
    }
}

extension PasoDeCaso {
    /// Closes the case automatically by `regla` on day `dia`, keeping its status for an undo by an
    /// action that counts by day `ultimoDia`.
    mutating func cerrar(_ regla: ReglaCierre, dia: Int, ultimoDia: Int) throws(MutationRejection) {
        guard diaDeHoy >= dia else {
            throw Rechazo.cierrePrematuro(regla, dia: dia, fechaCierre: fecha(delDia: dia), hoy: diaDeHoy)
        }
        caso.cierre = CierreAutomatico(
            regla: regla, estatusAnterior: caso.estatus, dia: dia, ultimoDiaPermitido: fecha(delDia: ultimoDia),
            fecha: context.occurredAt, deshecho: nil
        )
        anotar("reglaCierre", regla.rawValue)
        anotar("dia", String(dia))
        anotar("ultimoDiaPermitido", fecha(delDia: ultimoDia).description)
    }
}
