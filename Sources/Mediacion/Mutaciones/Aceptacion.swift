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
        try records.abrirRonda(numeroCredito, estatus: .enMediacion, context) { $0.fechaAceptacion = context.occurredAt }
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
        try records.abrirRonda(numeroCredito, estatus: .mediacionNoAceptada, context) {
            $0.fechaNoAceptacion = context.occurredAt
        }
    }
}

extension RecordWriter {
    /// Records the borrower's answer for the account's current round: the round's case, created
    /// with `estatus` by the asesor. A round has one answer.
    fileprivate mutating func abrirRonda(
        _ numeroCredito: String, estatus: EstatusCaso, _ context: MutationContext, _ completar: (inout Caso) -> Void
    ) throws -> MutationOutcome {
        let cuenta = try cuenta(numeroCredito)
        if let caso = try read(Caso.self, cuenta.casoActual) { throw Rechazo.yaRegistrado(caso.estatus) }
        var caso = Caso(numeroCredito: numeroCredito, ronda: cuenta.ronda, estatus: estatus, asesor: context.author.userID)
        completar(&caso)
        write(caso)
        return .applied
    }
}
