import Foundation
import SyncCore

/// G4: the asesor records that the borrower accepted mediation. The case becomes “En Mediación”
/// and the acceptance time anchors every deadline.
public struct RegistrarAceptacion: Mutation {
    public static let name = "registrarAceptacion"
    public static let summary = "The borrower accepted the mediation service (G4)."
    public static let allowedRoles: Set<String> = .roles(.asesor)
    public static let worksOffline = true

    public var numeroCredito: String

    public init(numeroCredito: String) {
        self.numeroCredito = numeroCredito
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        let cuenta = try records.cuenta(numeroCredito)
        if let caso = try records.read(Caso.self, cuenta.casoActual) { throw Rechazo.yaRegistrado(caso.estatus) }
        var caso = Caso(numeroCredito: numeroCredito, ronda: cuenta.ronda, estatus: .enMediacion, asesor: context.author.userID)
        caso.fechaAceptacion = context.occurredAt
        records.write(caso)
        return .applied
    }
}

/// G3: the asesor records that the borrower did not accept mediation. The round ends.
public struct RegistrarNoAceptacion: Mutation {
    public static let name = "registrarNoAceptacion"
    public static let summary = "The borrower did not accept the mediation service (G3)."
    public static let allowedRoles: Set<String> = .roles(.asesor)
    public static let worksOffline = true

    public var numeroCredito: String

    public init(numeroCredito: String) {
        self.numeroCredito = numeroCredito
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        let cuenta = try records.cuenta(numeroCredito)
        if let caso = try records.read(Caso.self, cuenta.casoActual) { throw Rechazo.yaRegistrado(caso.estatus) }
        var caso = Caso(
            numeroCredito: numeroCredito, ronda: cuenta.ronda, estatus: .mediacionNoAceptada, asesor: context.author.userID
        )
        caso.fechaNoAceptacion = context.occurredAt
        records.write(caso)
        return .applied
    }
}
