import Foundation
import SyncCore

/// The deadlines (*plazos*) of the service (DOMAIN.md §5). Each is a setting: the Gerencia de
/// Mediación y Convenios may change it "after notifying the areas and adjusting the system"
/// (`cambiarPlazo`). The raw value is the setting's key in the `ajustes/plazos` record.
public enum NombrePlazo: String, Catalogo {
    case diasAprobacionAgencia
    case diasPrimerContacto
    case diasIntentoAgenda
    case diaCierreSinRegistro
    case diasParaSesion
    case diaCierreSinSesion
    case diasConvocatoria
    case diasNivelServicioConvenio
    case diasEnvioConvenioDR
    case diasRevisionConvenioDR
    case diasRespuestaCambios
    case diasSolicitudAclaracionExpediente
    case diasRespuestaAclaracionExpediente
    case diasValidacionDerechos
    case diasDigitalizacionANEC
    case diasAclaracionInforme
    case diasRespuestaInforme
    case diaLimiteReporteANEC

    /// The procedure's value.
    public var predeterminado: Int {
        switch self {
        case .diasAprobacionAgencia: 1
        case .diasPrimerContacto: 1
        case .diasIntentoAgenda: 30
        case .diaCierreSinRegistro: 32
        case .diasParaSesion: 90
        case .diaCierreSinSesion: 91
        case .diasConvocatoria: 0
        case .diasNivelServicioConvenio: 30
        case .diasEnvioConvenioDR: 0
        case .diasRevisionConvenioDR: 1
        case .diasRespuestaCambios: 1
        case .diasSolicitudAclaracionExpediente: 2
        case .diasRespuestaAclaracionExpediente: 2
        case .diasValidacionDerechos: 1
        case .diasDigitalizacionANEC: 2
        case .diasAclaracionInforme: 10
        case .diasRespuestaInforme: 2
        case .diaLimiteReporteANEC: 15
        }
    }

    /// The values a setting may take.
    public var rango: ClosedRange<Int> {
        switch self {
        case .diaCierreSinRegistro, .diaCierreSinSesion, .diasIntentoAgenda, .diasParaSesion: 1...365
        case .diaLimiteReporteANEC: 1...28
        default: 0...60
        }
    }

    /// Whether the number is a day counted from the acceptance with the acceptance date as day 1
    /// ("al día 31", "llegado el día 32", "a los 91 días naturales"), rather than a number of days
    /// after an event (the event's date is day 0: "al día siguiente" = 1).
    public var cuentaDesdeAceptacion: Bool {
        switch self {
        case .diasIntentoAgenda, .diaCierreSinRegistro, .diasParaSesion, .diaCierreSinSesion, .diasNivelServicioConvenio:
            true
        default:
            false
        }
    }

    /// How the number is counted, in words.
    public var conteo: String {
        if self == .diaLimiteReporteANEC { return "day of the month" }
        return cuentaDesdeAceptacion ? "day n from the acceptance (day 1)" : "days after the event (day 0)"
    }

    /// Where the procedure sets it.
    public var fuente: String {
        switch self {
        case .diasAprobacionAgencia: "G5"
        case .diasPrimerContacto: "G8"
        case .diasIntentoAgenda: "G9"
        case .diaCierreSinRegistro: "G10"
        case .diasParaSesion: "G9 nota 1, G14"
        case .diaCierreSinSesion: "G15"
        case .diasConvocatoria: "G11"
        case .diasNivelServicioConvenio: "Niveles de servicio"
        case .diasEnvioConvenioDR: "G22"
        case .diasRevisionConvenioDR: "G23–G25"
        case .diasRespuestaCambios: "G24"
        case .diasSolicitudAclaracionExpediente, .diasRespuestaAclaracionExpediente: "G30"
        case .diasValidacionDerechos: "G31"
        case .diasDigitalizacionANEC: "Procedimiento 34"
        case .diasAclaracionInforme, .diasRespuestaInforme: "G33"
        case .diaLimiteReporteANEC: "Procedimiento 35"
        }
    }

    /// The procedure's own words for the deadline (the Guía's where the two differ).
    public var procedimiento: String {
        switch self {
        case .diasAprobacionAgencia: "Aprobar … y distribuir … las cuentas … de manera diaria"
        case .diasPrimerContacto:
            "iniciar el contacto con los mediados el mismo día o a más tardar al día siguiente de que se le hayan notificado … las cuentas"
        case .diasIntentoAgenda:
            "al menos durante 30 días naturales, contados a partir de la fecha en que se haya registrado … que el acreditado aceptó el servicio"
        case .diaCierreSinRegistro:
            "Si llegado el día 32, el mediador no ha registrado que se agendó la cita … se deberá ejecutar el proceso automático para cerrar"
        case .diasParaSesion: "contará con 90 días naturales para llevar a cabo la sesión de Mediación"
        case .diaCierreSinSesion:
            "A los 91 días naturales … si el mediador no registra una nueva fecha … corre el proceso automático para retirar la cuenta"
        case .diasConvocatoria: "deberán realizarse el mismo día en que se agendó la sesión de mediación"
        case .diasNivelServicioConvenio: "Convenio de Mediación firmado por el acreditado: 30 días naturales"
        case .diasEnvioConvenioDR: "se deberá realizar el mismo día de la firma del convenio"
        case .diasRevisionConvenioDR: "a más tardar al día siguiente de haber recibido el convenio firmado digitalizado"
        case .diasRespuestaCambios: "deberá dar respuesta a más tardar al día siguiente de recibir el requerimiento"
        case .diasSolicitudAclaracionExpediente: "dentro de los dos días siguientes a la recepción del expediente"
        case .diasRespuestaAclaracionExpediente: "dentro de los dos días siguientes a la recepción de la solicitud"
        case .diasValidacionDerechos: "a más tardar al día siguiente de haber recibido las constancias de pago"
        case .diasDigitalizacionANEC: "dentro de los dos días siguientes a que haya concluido el servicio de mediación"
        case .diasAclaracionInforme: "dentro de los diez días siguientes a la recepción de los informes"
        case .diasRespuestaInforme: "dentro de los dos días siguientes a la recepción de la solicitud"
        case .diaLimiteReporteANEC: "en los primeros quince días de cada mes"
        }
    }

    /// What the system does with the setting.
    public var uso: UsoPlazo {
        switch self {
        case .diaCierreSinRegistro, .diaCierreSinSesion: .cierreAutomatico
        case .diasIntentoAgenda, .diasParaSesion: .ventana
        case .diasAprobacionAgencia, .diasPrimerContacto, .diasEnvioConvenioDR, .diasRevisionConvenioDR, .diasRespuestaCambios,
            .diasSolicitudAclaracionExpediente, .diasRespuestaAclaracionExpediente, .diasValidacionDerechos, .diasDigitalizacionANEC:
            .alerta
        case .diasConvocatoria: .registradoConLaAgenda
        case .diasNivelServicioConvenio: .nivelDeServicio
        case .diasAclaracionInforme, .diasRespuestaInforme, .diaLimiteReporteANEC: .fueraDelSistema
        }
    }

    /// The setting names, for error messages.
    public static var lista: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// What the setting means, for people.
    public var descripcion: String {
        switch self {
        case .diasAprobacionAgencia: "The agency approves and distributes an accepted case (daily): days after the acceptance."
        case .diasPrimerContacto: "The mediator first contacts the parties: days after the distribution (same day or next)."
        case .diasIntentoAgenda:
            "The mediator keeps trying to schedule the session for this many days from the acceptance; "
                + "“Sesión no agendada” is recorded on the next day."
        case .diaCierreSinRegistro:
            "On this day from the acceptance, a case with no session scheduled and no “Sesión no agendada” is closed automatically."
        case .diasParaSesion: "The session must be held by this day from the acceptance; one reschedule is allowed within it."
        case .diaCierreSinSesion: "On this day from the acceptance, a case with no session held and no new date is closed automatically."
        case .diasConvocatoria: "The convocation is sent: days after the session was scheduled (same day)."
        case .diasNivelServicioConvenio: "Service level: the convenio signed by this day from the acceptance (reported, not enforced)."
        case .diasEnvioConvenioDR: "The digitized convenio and the borrower's ID are sent to the DR: days after the signature."
        case .diasRevisionConvenioDR: "The DR reviews the convenio, asks for changes or approves the solution: days after receipt."
        case .diasRespuestaCambios: "The mediator answers a change request: days after the request."
        case .diasSolicitudAclaracionExpediente: "The DR asks for expediente clarifications: days after receipt."
        case .diasRespuestaAclaracionExpediente: "The mediator answers an expediente clarification: days after the request."
        case .diasValidacionDerechos: "The DR validates the CJA or notary fees: days after receiving the proofs."
        case .diasDigitalizacionANEC: "The DR digitizes the expediente for the ANEC: days after the service concluded."
        case .diasAclaracionInforme: "The Gerencia asks the agency to clarify its monthly report: days after receipt."
        case .diasRespuestaInforme: "The agency answers a report clarification: days after the request."
        case .diaLimiteReporteANEC: "The ANEC progress report is sent by this day of each month."
        }
    }
}

/// What the system does with a plazo.
public enum UsoPlazo: String, Sendable, Codable, CaseIterable {
    /// The server's sweep closes the case automatically on that day (G10, G15).
    case cierreAutomatico
    /// A window the mutations enforce (an action after it is refused).
    case ventana
    /// An overdue alert: in the agenda of the role that acts, and in the sweep's report.
    case alerta
    /// Recorded with the scheduled session itself, so it cannot be late.
    case registradoConLaAgenda
    /// A service level: for the reports, no alert.
    case nivelDeServicio
    /// About reports exchanged outside the system (e-mail): shown for reference, not tracked.
    case fueraDelSistema

    /// In words.
    public var descripcion: String {
        switch self {
        case .cierreAutomatico: "automatic closure"
        case .ventana: "enforced window"
        case .alerta: "overdue alert"
        case .registradoConLaAgenda: "recorded with the schedule"
        case .nivelDeServicio: "service level (reports)"
        case .fueraDelSistema: "outside the system"
        }
    }
}

/// The deadline settings in force (record `ajustes/plazos`). A setting absent from the record has
/// the procedure's value, so an empty or missing record means "the procedure's plazos".
public struct Plazos: Registro {
    public static let collection = "ajustes"
    /// The id of the one settings record.
    public static let registroID = "plazos"

    public var id: String { Self.registroID }

    /// Values that differ from the procedure's or were set explicitly.
    public private(set) var valores: [NombrePlazo: Int]

    /// The procedure's plazos.
    public init() {
        valores = [:]
    }

    /// The procedure's plazos with `valores` changed.
    public init(_ valores: [NombrePlazo: Int]) {
        self.valores = valores
    }

    /// The procedure's plazos with another session window (kept for existing callers).
    public init(diasParaSesion: Int) {
        valores = [.diasParaSesion: diasParaSesion]
    }

    /// The procedure's defaults.
    public static let procedimiento = Plazos()

    /// The value in force of `plazo`.
    public subscript(_ plazo: NombrePlazo) -> Int {
        get { valores[plazo] ?? plazo.predeterminado }
        set { valores[plazo] = newValue }
    }

    public var diasParaSesion: Int { self[.diasParaSesion] }
    public var diasIntentoAgenda: Int { self[.diasIntentoAgenda] }
    public var diaCierreSinRegistro: Int { self[.diaCierreSinRegistro] }
    public var diaCierreSinSesion: Int { self[.diaCierreSinSesion] }

    /// The last day (counted from the acceptance as day 1) on which the mediator may record a
    /// scheduled session or “Sesión no agendada”: the day before the automatic closure.
    public var ultimoDiaRegistroAgenda: Int { diaCierreSinRegistro - 1 }
    /// The first day on which “Sesión no agendada” may be recorded (G9: "al día 31").
    public var primerDiaNoAgendada: Int { diasIntentoAgenda + 1 }
    /// The last day on which a session may be held or a new date recorded (G14: 90 days).
    public var ultimoDiaSesion: Int { diasParaSesion }

    /// Why this combination of settings cannot work, or `nil` when it can.
    public func incoherencia() -> String? {
        for plazo in NombrePlazo.allCases where !plazo.rango.contains(self[plazo]) {
            return "\(plazo.rawValue) must be between \(plazo.rango.lowerBound) and \(plazo.rango.upperBound)"
        }
        if diaCierreSinRegistro <= diasIntentoAgenda {
            return "diaCierreSinRegistro (\(diaCierreSinRegistro)) must come after the \(diasIntentoAgenda) days of diasIntentoAgenda"
        }
        if diaCierreSinSesion <= diasParaSesion {
            return "diaCierreSinSesion (\(diaCierreSinSesion)) must come after the \(diasParaSesion) days of diasParaSesion"
        }
        if diasParaSesion < ultimoDiaRegistroAgenda {
            return "diasParaSesion (\(diasParaSesion)) must not end before the last day to record the schedule (day \(ultimoDiaRegistroAgenda))"
        }
        return nil
    }

    // Stored flat, every setting by its key: `{"diasParaSesion": 90, ...}`. Absent keys take the
    // procedure's value; unknown keys (a newer version's settings) are ignored.
    private struct Clave: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Clave.self)
        var valores: [NombrePlazo: Int] = [:]
        for plazo in NombrePlazo.allCases {
            if let valor = try container.decodeIfPresent(Int.self, forKey: Clave(stringValue: plazo.rawValue)) {
                valores[plazo] = valor
            }
        }
        self.valores = valores
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Clave.self)
        for plazo in NombrePlazo.allCases {
            try container.encode(self[plazo], forKey: Clave(stringValue: plazo.rawValue))
        }
    }

    public static func == (a: Plazos, b: Plazos) -> Bool {
        NombrePlazo.allCases.allSatisfy { a[$0] == b[$0] }
    }
}

extension RecordWriter {
    /// The plazos in force: the `ajustes/plazos` record, or the procedure's when absent.
    public func plazos() throws -> Plazos {
        try read(Plazos.self, Plazos.registroID) ?? .procedimiento
    }
}
