import Foundation
import SyncCore

/// A mediation case: one round of mediation of one account (a re-mediation is a new round).
/// Id `<numeroCredito>-<ronda>`. Its `estatus` moves only through `FlujoMediacion`.
public struct Caso: Registro {
    public static let collection = "casos"

    public var id: String
    public var numeroCredito: String
    public var ronda: Int
    public var estatus: EstatusCaso
    /// When the status last changed.
    public var fechaEstatus: Date?

    // MARK: Answer (G3–G4, Anexo 1 A7 / B4 / C2)
    /// User id of the asesor who asked the borrower (G3–G4); `nil` when the agency marked the
    /// acceptance (Anexo 1 A7, B4).
    public var asesor: String?
    /// When the borrower accepted: the anchor of every deadline (day 1).
    public var fechaAceptacion: Date?
    /// When the borrower declined mediation.
    public var fechaNoAceptacion: Date?

    // MARK: Agency (G5, G7)
    /// User id of the agency user who approved the case or marked it accepted.
    public var agencia: String?
    public var fechaAprobacion: Date?
    /// Why the agency did not approve the asesor's record (G5).
    public var motivoNoAprobacion: String?
    /// User id of the mediator in charge (G5); only this mediator acts on the case.
    public var mediador: String?
    public var fechaDistribucion: Date?
    public var redistribuciones: Int
    /// Key of the Infonavit representative designated for the sessions (G7).
    public var representante: String?

    // MARK: Scheduling and sessions (G8–G17)
    /// The mediator's first contact with the parties (G8).
    public var primerContacto: Date?
    public var intentosContacto: Int
    /// G9: why no session could be scheduled, recorded on day 31.
    public var causaNoAgendada: CausaNoAgendada?
    public var fechaNoAgendada: Date?
    /// Sessions scheduled so far; session `n` has id `<caso>-s<n>`.
    public var sesiones: Int
    public var sesionesCelebradas: Int
    /// Date and time of the latest scheduled session.
    public var sesionAgendada: Date?
    /// Reschedules used: at most one (G14).
    public var reagendas: Int
    /// G12–G13: preliminary convenios requested from the DR, and received.
    public var conveniosPreliminaresSolicitados: Date?
    public var conveniosPreliminaresRecibidos: Date?

    // MARK: Outcome (G18–G21)
    public var causaNegativaFirma: CausaNegativaFirma?
    public var fechaNegativaFirma: Date?
    /// Id of the signed convenio (`convenios/<caso>`).
    public var convenio: String?
    /// The signed convenio's type.
    public var tipoConvenio: TipoConvenio?
    public var fechaFirmaConvenio: Date?
    public var fechaLimitePrimerPago: FechaCivil?
    /// G21: the quality survey was given to the borrower.
    public var encuestaEntregada: Date?

    // MARK: DR review (G22–G25)
    /// When the digitized convenio and ID were last sent to the DR.
    public var envioConvenioDR: Date?
    /// When the DR last asked for changes.
    public var cambiosSolicitados: Date?
    public var solicitudesCambios: Int
    public var fechaSolucionAprobada: Date?

    // MARK: After approval (G26–G31, procedure 34–35, first payment)
    public var invitacionesPago: [InvitacionPago]
    public var inscripcionCJA: InscripcionCJA?
    /// Where the expediente stands; details in `expedientes/<caso>`.
    public var expediente: EstadoExpediente?
    /// When the expediente last changed state.
    public var fechaEstadoExpediente: Date?
    public var pagoDerechos: PagoDerechos?
    public var envioANEC: EnvioANEC?
    public var primerPago: PrimerPago?
    public var fechaIncumplimiento: Date?

    // MARK: Exits
    public var fechaRetiro: Date?
    public var exclusion: CriterioExclusion?
    /// The automatic closure in force, when `estatus` is “Retirado automáticamente”.
    public var cierre: CierreAutomatico?
    /// Automatic closures undone by timely actions, oldest first.
    public var cierresDeshechos: [CierreAutomatico]

    public static func id(numeroCredito: String, ronda: Int) -> String { "\(numeroCredito)-\(ronda)" }

    public init(numeroCredito: String, ronda: Int, estatus: EstatusCaso, asesor: String?) {
        self.id = Caso.id(numeroCredito: numeroCredito, ronda: ronda)
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.estatus = estatus
        self.asesor = asesor
        redistribuciones = 0
        intentosContacto = 0
        sesiones = 0
        sesionesCelebradas = 0
        reagendas = 0
        solicitudesCambios = 0
        invitacionesPago = []
        cierresDeshechos = []
    }

    /// The Mexico City date of the acceptance: day 1 of every plazo counted from it.
    public var diaAceptacion: FechaCivil? { fechaAceptacion.map(CalendarioMX.fecha) }

    /// Id of session `numero` of this case.
    public func sesionID(_ numero: Int) -> String { Sesion.id(casoId: id, numero: numero) }
}

/// A first-payment invitation (G26).
public struct InvitacionPago: Codable, Sendable, Equatable {
    public var medio: MedioInvitacionPago
    public var fecha: Date
    public var usuario: String
}

/// The convenio's inscription at the CJA or equivalent authority (G27).
public struct InscripcionCJA: Codable, Sendable, Equatable {
    public var fechaInscripcion: FechaCivil
    public var numeroInscripcion: String
    public var autoridad: String
    public var registrada: Date
}

/// The CJA or notary fees, validated by the DR (G31).
public struct PagoDerechos: Codable, Sendable, Equatable {
    /// When the DR received the payment proofs.
    public var fechaConstancias: FechaCivil
    public var monto: Double?
    public var validado: Date
}

/// The expediente's shipment to the ANEC (procedure 34–35).
public struct EnvioANEC: Codable, Sendable, Equatable {
    public var numeroGuia: String
    public var fechaEnvio: FechaCivil
    public var registrado: Date
}

/// The first payment of the convenio.
public struct PrimerPago: Codable, Sendable, Equatable {
    public var monto: Double
    public var fechaPago: FechaCivil
    public var registrado: Date
}

/// An automatic closure (G10 day 32, G15 day 91) and, once a timely action undid it, how.
public struct CierreAutomatico: Codable, Sendable, Equatable {
    public var regla: ReglaCierre
    /// The status the case had; the closure keeps it so that it can be undone.
    public var estatusAnterior: EstatusCaso
    /// The day of the plazo (acceptance = day 1) on which the closure applies, as set then.
    public var dia: Int
    /// The last date an action could count on to prevent the closure.
    public var ultimoDiaPermitido: FechaCivil
    /// When the closure ran (server time).
    public var fecha: Date
    /// Set when a timely action undid it.
    public var deshecho: CierreDeshecho?
}

/// The action that undid an automatic closure.
public struct CierreDeshecho: Codable, Sendable, Equatable {
    /// The mutation name.
    public var accion: String
    /// When the action counts (within the closure's deadline).
    public var ocurrido: Date
    public var usuario: String
    public var dispositivo: String
}

/// A mediation session (*sesión de mediación*) of a case (G11, G14, G16).
public struct Sesion: Registro {
    public static let collection = "sesiones"

    public var id: String
    public var casoId: String
    public var numeroCredito: String
    /// 1 for the first session of the case, 2 for the next...
    public var numero: Int
    public var fechaHora: Date
    public var medioConvocatoria: MedioConvocatoria
    /// When the convocation was sent (G11: the same day the session was scheduled).
    public var convocatoriaEnviada: Date
    /// User id of the mediator who scheduled it.
    public var mediador: String
    /// When the mediator recorded it (the time the action counts).
    public var registrada: Date
    /// Whether this session is the one reschedule of the case (G14).
    public var reagendada: Bool
    /// `true` held, `false` not held, `nil` not recorded yet.
    public var celebrada: Bool?
    public var motivoNoCelebrada: String?
    public var fechaResultado: Date?
    /// The session checklist (§6.6), for a session held.
    public var verificacion: VerificacionSesion?
    public var identificacionAcreditado: TipoIdentificacion?
    /// Key of the representative who attended (G17).
    public var representante: String?
    public var resultado: ResultadoSesion?

    public static func id(casoId: String, numero: Int) -> String { "\(casoId)-s\(numero)" }

    public init(
        casoId: String, numeroCredito: String, numero: Int, fechaHora: Date, medioConvocatoria: MedioConvocatoria,
        mediador: String, registrada: Date, reagendada: Bool
    ) {
        self.id = Sesion.id(casoId: casoId, numero: numero)
        self.casoId = casoId
        self.numeroCredito = numeroCredito
        self.numero = numero
        self.fechaHora = fechaHora
        self.medioConvocatoria = medioConvocatoria
        self.convocatoriaEnviada = registrada
        self.mediador = mediador
        self.registrada = registrada
        self.reagendada = reagendada
    }
}

/// The session checklist (§6.6, guideline 5 a–j of the Guía).
public struct VerificacionSesion: Codable, Sendable, Equatable {
    /// a) Identificación plena del mediador.
    public var mediadorIdentificado: Bool
    /// b) Puesta a disposición del aviso de privacidad.
    public var avisoPrivacidad: Bool
    /// c) Acreditación de la identidad de los mediados y la personalidad de sus representantes.
    public var identidadAcreditada: Bool
    /// d) Verificación de la capacidad jurídica de las partes.
    public var capacidadJuridica: Bool
    /// e) Comunicación de reglas, derechos, obligaciones, alcances e implicaciones.
    public var reglasComunicadas: Bool
    /// f) Comunicación del convenio de confidencialidad y de aceptación del servicio.
    public var convenioConfidencialidad: Bool
    /// g) Narración del conflicto.
    public var narracionConflicto: Bool
    /// h) Presentación y selección de alternativas de solución.
    public var alternativasPresentadas: Bool
    /// i) Construcción de acuerdos.
    public var acuerdosConstruidos: Bool
    /// j) En su caso, celebración del convenio de mediación.
    public var convenioCelebrado: Bool

    public init(
        mediadorIdentificado: Bool = true, avisoPrivacidad: Bool = true, identidadAcreditada: Bool = true,
        capacidadJuridica: Bool = true, reglasComunicadas: Bool = true, convenioConfidencialidad: Bool = true,
        narracionConflicto: Bool = true, alternativasPresentadas: Bool = true, acuerdosConstruidos: Bool = false,
        convenioCelebrado: Bool = false
    ) {
        self.mediadorIdentificado = mediadorIdentificado
        self.avisoPrivacidad = avisoPrivacidad
        self.identidadAcreditada = identidadAcreditada
        self.capacidadJuridica = capacidadJuridica
        self.reglasComunicadas = reglasComunicadas
        self.convenioConfidencialidad = convenioConfidencialidad
        self.narracionConflicto = narracionConflicto
        self.alternativasPresentadas = alternativasPresentadas
        self.acuerdosConstruidos = acuerdosConstruidos
        self.convenioCelebrado = convenioCelebrado
    }

    /// The points a session held must have covered (a–f: the safeguards of the service), with
    /// the Guía's wording, that this checklist lacks.
    public var faltantesObligatorios: [String] {
        var faltan: [String] = []
        if !mediadorIdentificado { faltan.append("a) Identificación plena del mediador") }
        if !avisoPrivacidad { faltan.append("b) Puesta a disposición del aviso de privacidad") }
        if !identidadAcreditada { faltan.append("c) Acreditación de la identidad de los mediados") }
        if !capacidadJuridica { faltan.append("d) Verificación de la capacidad jurídica de las partes") }
        if !reglasComunicadas { faltan.append("e) Comunicación a las partes de las reglas de la mediación") }
        if !convenioConfidencialidad {
            faltan.append("f) Comunicación del convenio de confidencialidad y de aceptación del servicio")
        }
        return faltan
    }
}
