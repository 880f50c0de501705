import Foundation
import SyncCore

/// G11: the mediator records the date and time of the session and how the convocation was sent.
/// The session must fall within the plazo counted from the acceptance.
public struct AgendarSesion: Mutation {
    public static let name = "agendarSesion"
    public static let summary = "Record the date and time of the mediation session and the convocation (G11)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true

    public var numeroCredito: String
    public var fechaHora: Date
    public var medioConvocatoria: MedioConvocatoria

    public init(numeroCredito: String, fechaHora: Date, medioConvocatoria: MedioConvocatoria) {
        self.numeroCredito = numeroCredito
        self.fechaHora = fechaHora
        self.medioConvocatoria = medioConvocatoria
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        var (_, caso) = try records.casoActual(numeroCredito)
        switch caso.estatus {
        case .enMediacion: break
        case .sesionAgendada: throw Rechazo.sesionYaAgendada()
        case .mediacionNoAceptada: throw Rechazo.estatusNoPermite(caso.estatus, accion: "scheduling a session")
        }
        let plazos = Plazos.procedimiento
        guard CalendarioMX.fecha(fechaHora) >= CalendarioMX.fecha(context.occurredAt) else {
            throw Rechazo.fechaEnElPasado()
        }
        if let aceptacion = caso.fechaAceptacion,
            CalendarioMX.fecha(fechaHora) > CalendarioMX.fecha(aceptacion).adding(days: plazos.diasParaSesion)
        {
            throw Rechazo.fechaFueraDePlazo(dias: plazos.diasParaSesion)
        }
        let sesion = Sesion(
            id: Sesion.id(casoId: caso.id, numero: 1), casoId: caso.id, numeroCredito: numeroCredito,
            fechaHora: fechaHora, medioConvocatoria: medioConvocatoria, mediador: context.author.userID,
            registrada: context.occurredAt
        )
        caso.estatus = .sesionAgendada
        caso.mediador = context.author.userID
        caso.sesionAgendada = fechaHora
        records.write(caso)
        records.write(sesion)
        return .applied
    }
}
