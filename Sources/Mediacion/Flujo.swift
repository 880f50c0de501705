import Foundation
import SyncCore

/// What can happen to a mediation case: one event per case-level mutation.
public enum EventoCaso: String, CaseIterable, Sendable, Codable {
    case aceptacion
    case noAceptacion
    case aceptacionPorAgencia
    case aprobacion
    case noAprobacion
    case distribucion
    case redistribucion
    case designacionRepresentante
    case contacto
    case noAgendada
    case agenda
    case solicitudConveniosPreliminares
    case entregaConveniosPreliminares
    case sesionNoCelebrada
    case reagenda
    case sesionCelebrada
    case negativaFirma
    case firmaConvenio
    case encuesta
    case envioConvenio
    case solicitudCambios
    case aprobacionSolucion
    case invitacionPago
    case inscripcionCJA
    case primerPago
    case incumplimiento
    case entregaExpediente
    case solicitudAclaracionExpediente
    case respuestaAclaracionExpediente
    case aceptacionExpediente
    case validacionDerechos
    case digitalizacionExpediente
    case envioANEC
    case retiro
    case exclusion
    case cierreSinRegistro
    case cierreSinSesion

    /// The action in words, for refusals: "does not allow <accion>".
    public var accion: String {
        switch self {
        case .aceptacion: "recording the acceptance of mediation"
        case .noAceptacion: "recording that mediation was not accepted"
        case .aceptacionPorAgencia: "marking mediation as accepted by the agency"
        case .aprobacion: "the agency's approval"
        case .noAprobacion: "the agency's non-approval"
        case .distribucion: "distributing it to a mediator"
        case .redistribucion: "redistributing it to another mediator"
        case .designacionRepresentante: "designating the Infonavit representative"
        case .contacto: "recording a contact with the parties"
        case .noAgendada: "recording “Sesión no agendada”"
        case .agenda: "scheduling a session"
        case .solicitudConveniosPreliminares: "requesting the preliminary convenios"
        case .entregaConveniosPreliminares: "delivering the preliminary convenios"
        case .sesionNoCelebrada: "recording that the session did not take place"
        case .reagenda: "rescheduling the session"
        case .sesionCelebrada: "recording a session held"
        case .negativaFirma: "recording the refusal to sign"
        case .firmaConvenio: "recording a signed convenio"
        case .encuesta: "recording the quality survey"
        case .envioConvenio: "sending the convenio to the DR"
        case .solicitudCambios: "requesting changes to the convenio"
        case .aprobacionSolucion: "approving the solution"
        case .invitacionPago: "inviting the borrower to the first payment"
        case .inscripcionCJA: "recording the CJA inscription"
        case .primerPago: "recording the first payment"
        case .incumplimiento: "recording a breached convenio"
        case .entregaExpediente: "delivering the expediente"
        case .solicitudAclaracionExpediente: "requesting an expediente clarification"
        case .respuestaAclaracionExpediente: "answering an expediente clarification"
        case .aceptacionExpediente: "accepting the expediente"
        case .validacionDerechos: "validating the CJA or notary fees"
        case .digitalizacionExpediente: "digitizing the expediente for the ANEC"
        case .envioANEC: "shipping the expediente to the ANEC"
        case .retiro: "removing it from mediation"
        case .exclusion: "excluding it from mediation"
        case .cierreSinRegistro: "the automatic closure for lack of a schedule record"
        case .cierreSinSesion: "the automatic closure for lack of a session"
        }
    }

    /// Whether the event answers the borrower's decision and so creates the round's case.
    public var abreCaso: Bool {
        switch self {
        case .aceptacion, .noAceptacion, .aceptacionPorAgencia: true
        default: false
        }
    }
}

/// A transition the workflow refuses, as a value: the status, the event and why.
public struct TransicionInvalida: Error, Sendable, Hashable {
    /// Why, from the most specific reason to the most general.
    public enum Motivo: String, Sendable, Hashable {
        /// The round has no case yet (nobody recorded the borrower's answer).
        case sinCaso = "caso_no_existe"
        /// The round's answer is already recorded.
        case respuestaYaRegistrada = "respuesta_ya_registrada"
        /// A session is scheduled and not yet held or recorded as not held.
        case sesionYaAgendada = "sesion_ya_agendada"
        /// The case was closed automatically (day 32 or day 91).
        case cerradoAutomaticamente = "caso_cerrado_automaticamente"
        /// The round is over.
        case casoCerrado = "caso_cerrado"
        /// The status does not allow the event.
        case estatusNoPermite = "estatus_no_permite"
    }

    public var estatus: EstatusCaso?
    public var evento: EventoCaso
    public var motivo: Motivo

    /// The refusal people read: a stable code (`motivo.rawValue`) and a message that names the
    /// status and, where it helps, the statuses that would allow the event.
    public var rechazo: MutationRejection {
        let codigo = motivo.rawValue
        switch motivo {
        case .sinCaso:
            return Rechazo.casoNoExiste()
        case .respuestaYaRegistrada:
            return Rechazo.yaRegistrado(estatus ?? .enMediacion)
        case .sesionYaAgendada:
            return Rechazo.sesionYaAgendada()
        case .cerradoAutomaticamente:
            return MutationRejection(
                code: codigo,
                message: "The case was closed automatically (status “\(EstatusCaso.retiradoAutomaticamente.rawValue)”) "
                    + "and does not allow \(evento.accion)."
            )
        case .casoCerrado:
            return MutationRejection(
                code: codigo,
                message: "The case is closed (status “\(estatus?.rawValue ?? "")”): this round does not allow "
                    + "\(evento.accion)."
            )
        case .estatusNoPermite:
            let permitidos = FlujoMediacion.origenes(evento).compactMap { $0 }.map { "“\($0.rawValue)”" }
            let lista =
                permitidos.count > 1
                ? permitidos.dropLast().joined(separator: ", ") + " or " + permitidos.last! : permitidos.first ?? ""
            return MutationRejection(
                code: codigo,
                message: "A case with status “\(estatus?.rawValue ?? "")” does not allow \(evento.accion)"
                    + (lista.isEmpty ? "." : "; it is allowed when the status is \(lista).")
            )
        }
    }
}

/// The mediation workflow as a value: which event is legal in which status and where it leads.
/// No I/O, no clock: device and server run the same function. `nil` status means the round has
/// no case yet (the account is labelled and waits for the borrower's answer).
public enum FlujoMediacion {
    /// One legal transition. `hacia == desde` when the event records data without moving the case.
    public struct Transicion: Sendable, Hashable {
        public var desde: EstatusCaso?
        public var evento: EventoCaso
        public var hacia: EstatusCaso
    }

    /// The statuses in which the expediente of a concluded service may be handled (G28–G30):
    /// after the solution was approved, or after a session without a signed convenio.
    static let conServicioConcluido: [EstatusCaso] = [
        .solucionAprobada, .convenioVigente, .convenioIncumplido, .negativaFirma, .retirado,
    ]
    /// The statuses with a signed convenio whose solution was approved (G31, procedure 34–35).
    static let conConvenioAprobado: [EstatusCaso] = [.solucionAprobada, .convenioVigente, .convenioIncumplido]
    /// The statuses between distribution and the end of the sessions.
    static let enSesiones: [EstatusCaso] = [.distribuido, .sesionAgendada, .sesionNoCelebrada, .sesionCelebrada]

    /// Every legal transition, in the order of the procedure.
    public static let transiciones: [Transicion] = {
        var lista: [Transicion] = []
        func regla(_ desde: [EstatusCaso?], _ evento: EventoCaso, _ hacia: EstatusCaso?) {
            for origen in desde {
                guard let destino = hacia ?? origen else { preconditionFailure("no status to stay in") }
                lista.append(Transicion(desde: origen, evento: evento, hacia: destino))
            }
        }
        regla([nil], .aceptacion, .enMediacion)
        regla([nil], .noAceptacion, .mediacionNoAceptada)
        regla([nil], .aceptacionPorAgencia, .aprobado)
        regla([.enMediacion], .aprobacion, .aprobado)
        regla([.enMediacion], .noAprobacion, .gestionNoAprobada)
        regla([.aprobado], .distribucion, .distribuido)
        regla(enSesiones, .redistribucion, nil)
        regla([.aprobado] + enSesiones, .designacionRepresentante, nil)
        regla([.distribuido, .sesionAgendada, .sesionNoCelebrada], .contacto, nil)
        regla([.distribuido], .noAgendada, .sesionNoAgendada)
        regla([.distribuido, .sesionCelebrada], .agenda, .sesionAgendada)
        regla([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada], .solicitudConveniosPreliminares, nil)
        regla([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada], .entregaConveniosPreliminares, nil)
        regla([.sesionAgendada], .sesionNoCelebrada, .sesionNoCelebrada)
        regla([.sesionNoCelebrada], .reagenda, .sesionAgendada)
        regla([.sesionAgendada], .sesionCelebrada, .sesionCelebrada)
        regla([.sesionCelebrada], .negativaFirma, .negativaFirma)
        regla([.sesionCelebrada], .firmaConvenio, .convenioFirmado)
        regla(
            [.sesionCelebrada, .negativaFirma, .convenioFirmado, .convenioEnRevision, .cambiosSolicitados, .solucionAprobada,
            .convenioVigente], .encuesta, nil
        )
        regla([.convenioFirmado, .cambiosSolicitados], .envioConvenio, .convenioEnRevision)
        regla([.convenioEnRevision], .solicitudCambios, .cambiosSolicitados)
        regla([.convenioEnRevision], .aprobacionSolucion, .solucionAprobada)
        regla([.solucionAprobada], .invitacionPago, nil)
        regla([.solucionAprobada, .convenioVigente], .inscripcionCJA, nil)
        regla([.solucionAprobada], .primerPago, .convenioVigente)
        regla([.solucionAprobada, .convenioVigente], .incumplimiento, .convenioIncumplido)
        regla(conServicioConcluido, .entregaExpediente, nil)
        regla(conServicioConcluido, .solicitudAclaracionExpediente, nil)
        regla(conServicioConcluido, .respuestaAclaracionExpediente, nil)
        regla(conServicioConcluido, .aceptacionExpediente, nil)
        regla(conConvenioAprobado, .validacionDerechos, nil)
        regla(conConvenioAprobado, .digitalizacionExpediente, nil)
        regla(conConvenioAprobado, .envioANEC, nil)
        regla([.sesionNoAgendada, .negativaFirma], .retiro, .retirado)
        regla([.enMediacion, .aprobado] + enSesiones + [.sesionNoAgendada, .negativaFirma], .exclusion, .excluido)
        regla([.enMediacion, .aprobado, .distribuido], .cierreSinRegistro, .retiradoAutomaticamente)
        regla([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada], .cierreSinSesion, .retiradoAutomaticamente)
        return lista
    }()

    private static let porPar: [Par: EstatusCaso] = {
        var tabla: [Par: EstatusCaso] = [:]
        for t in transiciones {
            precondition(tabla[Par(t.desde, t.evento)] == nil, "two transitions for \(t.evento) from \(String(describing: t.desde))")
            tabla[Par(t.desde, t.evento)] = t.hacia
        }
        return tabla
    }()

    private struct Par: Hashable {
        var estatus: EstatusCaso?
        var evento: EventoCaso
        init(_ estatus: EstatusCaso?, _ evento: EventoCaso) {
            self.estatus = estatus
            self.evento = evento
        }
    }

    /// Where `evento` leads from `estatus`, or why the workflow refuses it.
    ///
    /// ```swift
    /// try FlujoMediacion.siguiente(.distribuido, .agenda).get()  // .sesionAgendada
    /// ```
    public static func siguiente(_ estatus: EstatusCaso?, _ evento: EventoCaso) -> Result<EstatusCaso, TransicionInvalida> {
        if let hacia = porPar[Par(estatus, evento)] { return .success(hacia) }
        return .failure(TransicionInvalida(estatus: estatus, evento: evento, motivo: motivo(estatus, evento)))
    }

    /// Whether `evento` is legal in `estatus`.
    public static func permite(_ estatus: EstatusCaso?, _ evento: EventoCaso) -> Bool {
        porPar[Par(estatus, evento)] != nil
    }

    /// The statuses in which `evento` is legal, in the order of `EstatusCaso.allCases`
    /// (`nil` first: no case yet).
    public static func origenes(_ evento: EventoCaso) -> [EstatusCaso?] {
        ([nil] + EstatusCaso.allCases.map(Optional.some)).filter { permite($0, evento) }
    }

    private static func motivo(_ estatus: EstatusCaso?, _ evento: EventoCaso) -> TransicionInvalida.Motivo {
        guard let estatus else { return .sinCaso }
        if evento.abreCaso { return .respuestaYaRegistrada }
        if estatus == .retiradoAutomaticamente { return .cerradoAutomaticamente }
        if estatus.isFinal { return .casoCerrado }
        if estatus == .sesionAgendada && (evento == .agenda || evento == .reagenda) { return .sesionYaAgendada }
        return .estatusNoPermite
    }
}

/// The expediente's own small workflow (G28–G31, procedure 34–35), beside the case's status.
public enum FlujoExpediente {
    /// Where `evento` leads the expediente from `estado` (`nil`: not delivered yet), or `nil`
    /// when it does not apply. Events that are not about the expediente return `nil`.
    public static func siguiente(_ estado: EstadoExpediente?, _ evento: EventoCaso) -> EstadoExpediente? {
        switch (estado, evento) {
        case (nil, .entregaExpediente): .entregado
        case (.entregado?, .solicitudAclaracionExpediente): .aclaracionSolicitada
        case (.aclaracionSolicitada?, .respuestaAclaracionExpediente): .entregado
        case (.entregado?, .aceptacionExpediente): .aceptado
        case (.aceptado?, .validacionDerechos): .aceptado
        case (.aceptado?, .digitalizacionExpediente): .digitalizado
        case (.digitalizado?, .envioANEC): .enviadoANEC
        default: nil
        }
    }

    /// The expediente states in which `evento` applies (`nil`: not delivered yet).
    public static func origenes(_ evento: EventoCaso) -> [EstadoExpediente?] {
        ([nil] + EstadoExpediente.allCases.map(Optional.some)).filter { siguiente($0, evento) != nil }
    }

    /// The refusal when `evento` does not apply to an expediente in `estado`.
    public static func rechazo(_ estado: EstadoExpediente?, _ evento: EventoCaso) -> MutationRejection {
        let actual = estado.map { "is “\($0.rawValue)”" } ?? "was not delivered yet"
        let permitidos = origenes(evento).map { $0.map { "“\($0.rawValue)”" } ?? "not delivered yet" }
        return MutationRejection(
            code: "expediente_no_permite",
            message: "The expediente \(actual): that does not allow \(evento.accion); it is allowed when the expediente is "
                + permitidos.joined(separator: " or ") + "."
        )
    }
}
