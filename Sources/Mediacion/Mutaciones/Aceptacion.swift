import Foundation
import SyncCore

/// G4 (and Anexo 1 C2 for a re-mediation round): the asesor records that the borrower accepted
/// mediation. The case becomes “En Mediación” and the acceptance date is day 1 of every plazo.
public struct RegistrarAceptacion: MutacionDeCaso {
    public static let name = "registrarAceptacion"
    public static let summary = "The borrower accepted the mediation service (G4)."
    public static let allowedRoles: Set<String> = .roles(.asesor)
    public static let worksOffline = true
    public static let evento = EventoCaso.aceptacion
    public static let ficha = Ficha(
        "G4, Anexo 1 C2", precondiciones: ["the credit is not excluded"],
        datos: ["numeroCredito", "ronda (optional; 2+ for a re-mediation)", "the acceptance time is the action's time"],
        plazo: "starts every plazo: the acceptance date is day 1"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.asesor = paso.context.author.userID
        paso.caso.fechaAceptacion = paso.context.occurredAt
    }
}

/// G3 (and Anexo 1 C3): the asesor records that the borrower did not accept mediation. The round
/// ends; the account may go to Recuperación Especializada.
public struct RegistrarNoAceptacion: MutacionDeCaso {
    public static let name = "registrarNoAceptacion"
    public static let summary = "The borrower did not accept the mediation service (G3)."
    public static let allowedRoles: Set<String> = .roles(.asesor)
    public static let worksOffline = true
    public static let evento = EventoCaso.noAceptacion
    public static let ficha = Ficha(
        "G3, Anexo 1 C3", precondiciones: ["the credit is not excluded"], datos: ["numeroCredito", "ronda (optional)"]
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.asesor = paso.context.author.userID
        paso.caso.fechaNoAceptacion = paso.context.occurredAt
    }
}

/// Anexo 1 A7 and B4: the agency marks mediation as accepted for an account proposed and found
/// susceptible (A) or of the Recuperación Especializada segment (B). The case starts approved, so
/// the flow continues at the distribution (G5).
public struct MarcarMediacionAceptada: MutacionDeCaso {
    public static let name = "marcarMediacionAceptada"
    public static let summary =
        "The agency marks mediation as accepted for a proposed or Recuperación Especializada account (Anexo 1 A7, B4)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = true
    public static let evento = EventoCaso.aceptacionPorAgencia
    public static let ficha = Ficha(
        "Anexo 1 A7, B4",
        precondiciones: [
            "the credit is not excluded",
            "segment “Recuperación Especializada”, or a proposal reviewed as “Susceptible de mediación”",
        ],
        datos: ["numeroCredito", "ronda (optional)"],
        plazo: "starts every plazo: the marking date is day 1 (A7: by the day after the labelling)"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        let propuesta = try paso.records.read(Propuesta.self, numeroCredito)
        guard paso.cuenta.segmento == .recuperacionEspecializada || propuesta?.estado == .susceptible else {
            throw Rechazo.entradaNoPermite()
        }
        paso.caso.fechaAceptacion = paso.context.occurredAt
        paso.caso.agencia = paso.context.author.userID
        paso.caso.fechaAprobacion = paso.context.occurredAt
        paso.anotar("entrada", paso.cuenta.segmento == .recuperacionEspecializada ? "Anexo 1 B" : "Anexo 1 A")
    }
}
