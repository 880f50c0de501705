import Foundation

// Closed lists of the mediation service (DOMAIN.md §6). The raw values are written exactly as
// the institution writes them (the Guía's wording where the procedure and the Guía differ): they
// appear in reports and on screens as they are here.

/// System roles (DOMAIN.md §2). The representante del Infonavit has no login.
public enum Rol: String, Codable, Sendable, CaseIterable {
    /// Asesor de Soluciones: field collector, visits borrowers.
    case asesor
    /// Agencia de Soluciones: approves and distributes accounts, follows first payments.
    case agencia
    /// Mediador: schedules and holds sessions, signs convenios.
    case mediador
    /// Gerente de Cobranza of a Delegación Regional.
    case delegacion
    /// Gerencia de Operación de Cobranza / de Soluciones: assignment, automatic closures.
    case operacion
    /// Gerencia de Mediación y Convenios: settings, review of flagged conflicts.
    case mediacion

    /// The institution's name of the role.
    public var nombre: String {
        switch self {
        case .asesor: "Asesor de Soluciones"
        case .agencia: "Agencia de Soluciones"
        case .mediador: "Mediador"
        case .delegacion: "Gerente de Cobranza de Delegación Regional"
        case .operacion: "Gerencia de Operación de Cobranza"
        case .mediacion: "Gerencia de Mediación y Convenios"
        }
    }
}

/// Segment of the account at assignment.
public enum Segmento: String, Catalogo {
    case cobranzaAdministrativa = "Cobranza Administrativa"
    case recuperacionEspecializada = "Recuperación Especializada"
}

/// Label that makes an account eligible for the service.
public enum Etiqueta: String, Catalogo {
    case susceptibleDeMediacion = "susceptible de mediación"
    case susceptibleDeRemediacion = "susceptible de re-mediación"
}

/// Convenio types (§6.2), decided at assignment.
public enum TipoConvenio: String, Catalogo {
    /// Celebrated by a certified mediator and inscribed at a CJA: enforceable.
    case ratificado = "Ratificado"
    /// Celebrated before a notary who provides the mediation.
    case notarial = "Notarial"
    /// Celebrated by a mediation professional; no certification, not inscribed.
    case administrativo = "Administrativo"
}

/// How the convocation to a session was sent (G11): in writing, with evidence kept.
public enum MedioConvocatoria: String, Catalogo {
    case correoElectronico = "Correo electrónico"
    case mensajeSMS = "Mensaje SMS"
    case whatsapp = "Whatsapp"
}

/// Exclusion criteria at assignment (§6.1, general guideline 1 of the Guía).
public enum CriterioExclusion: String, Catalogo {
    case dosConveniosIncumplidos = "Créditos con dos convenios de mediación incumplidos"
    case viviendaDAVI =
        "Créditos dictaminados previamente como vivienda abandonada, invadida, vandalizada, no habitada o no localizada"
    case reestructuraActiva = "Créditos con reestructura activa"
    case tercerizados = "Créditos tercerizados"
    case poolFideicomiso = "Créditos del pool fideicomiso"
    case noFacturanRenewall = "Créditos que no facturan Renewall"
    case prorrogaActiva = "Créditos con prórroga activa"
    case sinConvenioOSolucion = "Créditos que no cuenten con algún convenio o solución disponible"
    case demanda = "Créditos con demanda o etapa procesal posterior"
    case cuentasDeAcompanamiento = "Cuentas de Acompañamiento"
}

/// Causes of “the session could not be scheduled” (§6.3, G9).
public enum CausaNoAgendada: String, Catalogo {
    case sinContacto = "No se logró contacto con el acreditado"
    case negativaExpresa = "El acreditado manifestó de manera expresa su negativa para asistir a la sesión"
    case sinDiaNiHora = "El acreditado no facilitó día y hora para sesión"
}

/// Causes of the borrower's refusal to sign the convenio (§6.4, G18).
public enum CausaNegativaFirma: String, Catalogo {
    case factoresAltos =
        "El acreditado consideró que los factores de los productos son altos y no tiene ingresos suficientes para cubrirlos (si fueran más bajos sí podría)"
    case sinIngresos =
        "El acreditado manifestó no tener ingresos, por lo que no puede comprometerse a pagar alguna de las soluciones ofrecidas"
    case desacuerdoAdeudo =
        "El acreditado manifestó no estar de acuerdo con el adeudo que tiene a la fecha y que está plasmado en el convenio"
    case efectosDeLaFirma =
        "Al conocer los efectos y consecuencias de la firma de un convenio de mediación, el acreditado se negó a firmarlo"
    case sinInformacion =
        "El acreditado no contó con información precisa sobre los productos, por lo que no aceptó firmar el convenio"
}

/// Accepted official identification (§6.5, guideline 5 c).
public enum TipoIdentificacion: String, Catalogo {
    case credencialParaVotar = "Credencial para Votar"
    case pasaporte = "Pasaporte"
    case cedulaProfesional = "Cédula profesional"
    case otraConFotografia = "Identificación con fotografía emitida por alguna autoridad"
}

/// Documents of the expediente (§6.7, G28), as the Guía lists them.
public enum DocumentoExpediente: String, Catalogo {
    case convenioOriginal = "Original del convenio de mediación firmado"
    case acuseConvenio = "Acuse donde conste que el acreditado recibió un original del convenio firmado"
    case identificaciones = "Copia de las identificaciones oficiales de los mediados y del mediador"
    case constanciasCJA = "Constancias de inscripción del convenio ante el CJA y del pago de derechos"
    case convenioConfidencialidad =
        "Convenio de confidencialidad y de aceptación del servicio debidamente firmado por el acreditado"
    case otros = "Demás documentos que se hayan generado o entregado en el proceso de mediación"

    /// The documents an expediente must hold (G28): with a signed convenio, or without one.
    /// The CJA proofs are required for *Ratificado* convenios only; "other documents" never.
    public static func requeridos(firmado: Bool, tipo: TipoConvenio?) -> [DocumentoExpediente] {
        guard firmado else { return [.identificaciones, .convenioConfidencialidad] }
        var documentos: [DocumentoExpediente] = [.convenioOriginal, .acuseConvenio, .identificaciones]
        if tipo == .ratificado { documentos.append(.constanciasCJA) }
        documentos.append(.convenioConfidencialidad)
        return documentos
    }
}

/// How the agency invites the borrower to the first payment (G26).
public enum MedioInvitacionPago: String, Catalogo {
    case visitaDomicilio = "Visita en el domicilio"
    case telefono = "Teléfono"
    case correoElectronico = "Correo electrónico"
    case correoPostal = "Correo postal"
    case mensajeSMS = "Mensaje de texto SMS"
}

/// Who proposes an unlabelled account for mediation (Anexo 1 A, activity 1).
public enum Solicitante: String, Catalogo {
    case acreditado = "Acreditado"
    case gerenciaCobranzaDR = "Gerencia de Cobranza en Delegación Regional"
    case gerenciaRecuperacionEspecializada = "Gerencia de Recuperación Especializada"
    case gerenciaMediacion = "Gerencia de Mediación"
    case gerenciaCobranzaAdministrativa = "Gerencia de Cobranza Administrativa y Recuperación de Cartera Vencida"
}

/// Where a proposal (Anexo 1 A) stands.
public enum EstadoPropuesta: String, Catalogo {
    case presentada = "Presentada"
    case susceptible = "Susceptible de mediación"
    case noSusceptible = "No susceptible de mediación"
}

/// What came of a session.
public enum ResultadoSesion: String, Catalogo {
    case noCelebrada = "No celebrada"
    case continua = "Continúa en otra sesión"
    case convenioFirmado = "Convenio firmado"
    case negativaFirma = "Negativa de firma de convenio"
}

/// Which automatic closure removed a case (G10, G15).
public enum ReglaCierre: String, Catalogo {
    /// Day 32: the mediator recorded neither a scheduled session nor “not scheduled” by day 31 (G10).
    case sinRegistro = "Sin registro de agenda"
    /// Day 91: no session held and no new date within the 90 days (G15).
    case sinSesion = "Sin sesión en el plazo"
}

/// Status of a mediation case (one round of one account). Values as people read them.
public enum EstatusCaso: String, Catalogo {
    /// The borrower accepted mediation (G4). The status the institution names “En Mediación”.
    case enMediacion = "En Mediación"
    /// The borrower did not accept mediation (G3, Anexo 1 C3): end of the round.
    case mediacionNoAceptada = "Mediación no aceptada"
    /// The agency found the asesor's record not valid and did not approve it (G5): end of the round.
    case gestionNoAprobada = "Gestión no aprobada"
    /// The agency approved the case (G5), or marked it accepted (Anexo 1 A7, B4).
    case aprobado = "Aprobado por la agencia"
    /// The agency distributed the case to a mediator (G5).
    case distribuido = "Distribuido al mediador"
    /// The mediator recorded on day 31 that no session could be scheduled, and why (G9).
    case sesionNoAgendada = "Sesión no agendada"
    /// The mediator recorded the date and time of a session (G11, G14).
    case sesionAgendada = "Sesión agendada"
    /// The scheduled session did not take place (G14): it may be rescheduled once.
    case sesionNoCelebrada = "Sesión no celebrada"
    /// A session took place (G16); another may follow, or the convenio is signed or refused.
    case sesionCelebrada = "Sesión celebrada"
    /// The borrower refused to sign at the last session (G18); operations removes the case (G19).
    case negativaFirma = "Negativa de firma de convenio"
    /// The convenio was signed (G20).
    case convenioFirmado = "Convenio firmado"
    /// The digitized convenio and the borrower's ID were sent to the DR (G22).
    case convenioEnRevision = "Convenio en revisión de la DR"
    /// The DR asked the mediator for changes or clarifications (G24).
    case cambiosSolicitados = "Cambios solicitados por la DR"
    /// The DR approved the solution; the restructure migrates to ALS (G25).
    case solucionAprobada = "Solución aprobada"
    /// The first payment was recorded: the convenio is in force.
    case convenioVigente = "Convenio vigente"
    /// The convenio was breached: end of the round; the account may be re-mediated (Anexo 1 C).
    case convenioIncumplido = "Convenio incumplido"
    /// Operations removed the case from mediation (G10, G19): end of the round.
    case retirado = "Retirado de mediación"
    /// Closed automatically on day 32 or day 91 (G10, G15); a timely offline action undoes it.
    case retiradoAutomaticamente = "Retirado automáticamente"
    /// An exclusion criterion was found (§6.1): end of the round.
    case excluido = "Excluido de mediación"

    /// Whether the round is over: nothing but the expediente of a concluded service is recorded.
    public var isFinal: Bool {
        switch self {
        case .mediacionNoAceptada, .gestionNoAprobada, .convenioIncumplido, .retirado, .retiradoAutomaticamente,
            .excluido:
            true
        default:
            false
        }
    }
}

/// Where the expediente of a case stands (G28–G31, procedure 34–35).
public enum EstadoExpediente: String, Catalogo {
    /// The mediator delivered it to the DR (G28).
    case entregado = "Entregado a la DR"
    /// The DR asked the mediator for corrections or clarifications (G30).
    case aclaracionSolicitada = "Aclaración solicitada"
    /// The DR found it complete and correct (G29).
    case aceptado = "Aceptado por la DR"
    /// The DR digitized it for the ANEC (procedure 34).
    case digitalizado = "Digitalizado"
    /// Shipped to the ANEC with a guide number (procedure 35).
    case enviadoANEC = "Enviado al ANEC"
}

/// A closed list whose values are written as the institution writes them. Decoding an unknown
/// value fails with a message that lists the valid ones.
public protocol Catalogo: RawRepresentable, Codable, Sendable, CaseIterable, Hashable where RawValue == String {}

extension Catalogo {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "must be one of \(Self.catalogueList)")
            )
        }
        self = value
    }

    /// The catalogue's values as people read them: `"Ratificado", "Notarial" or "Administrativo"`.
    public static var catalogueList: String {
        let values = allCases.map { "\"\($0.rawValue)\"" }
        guard values.count > 1 else { return values.first ?? "" }
        return values.dropLast().joined(separator: ", ") + " or " + values.last!
    }
}
