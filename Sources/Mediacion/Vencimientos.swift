import Foundation
import SyncCore

/// A deadline a case is waiting on: what is due, by which Mexico City date, who must act, and
/// whether that date has passed.
public struct Vencimiento: Sendable, Hashable {
    /// What happens when it passes.
    public enum Consecuencia: Sendable, Hashable {
        /// An overdue alert for people; nothing changes by itself.
        case alerta
        /// The server's closure job closes the case the day after `fechaLimite`.
        case cierreAutomatico(ReglaCierre)
        /// The convenio is breached if the first payment does not come.
        case incumplimiento
    }

    /// The setting that sets it; `nil` when the convenio sets it (the first payment's deadline).
    public var plazo: NombrePlazo?
    /// What is due, in words (no personal data).
    public var pendiente: String
    /// The last date it may be done.
    public var fechaLimite: FechaCivil
    /// Whether `fechaLimite` has passed on the day asked about.
    public var vencido: Bool
    /// What happens when `fechaLimite` passes.
    public var consecuencia: Consecuencia
    /// The role that must act before `fechaLimite` (the agency for a closure deadline while the
    /// case has no mediator yet).
    public var responsable: Rol

    /// The date the server closes the case, for a `cierreAutomatico` deadline: the day after
    /// `fechaLimite`.
    public var fechaCierre: FechaCivil? {
        if case .cierreAutomatico = consecuencia { return fechaLimite.adding(days: 1) }
        return nil
    }
}

/// The deadlines of a case, computed the same way on the device (offline) and on the server: a
/// pure function of the case, the plazos in force and the Mexico City date.
///
/// Two ways of counting, as the procedure words them:
/// - days counted *from the acceptance* ("30 días naturales contados a partir de la fecha",
///   "al día 31", "llegado el día 32", "a los 91 días"): the acceptance date is day 1, so day
///   `n` is the acceptance date + `n − 1` (`CalendarioMX.dia(_:desde:)`);
/// - days *after an event* ("el mismo día", "al día siguiente", "dentro de los dos días
///   siguientes"): the event's date is day 0, so "the next day" is the event date + 1.
/// Dates are Mexico City calendar dates, not 24-hour periods in UTC.
public enum Vencimientos {
    /// Every deadline the case is waiting on, earliest first.
    public static func pendientes(caso: Caso, plazos: Plazos, hoy: FechaCivil) -> [Vencimiento] {
        var lista: [Vencimiento] = []
        func agregar(
            _ plazo: NombrePlazo?, _ responsable: Rol, _ pendiente: String, _ fecha: FechaCivil,
            _ consecuencia: Vencimiento.Consecuencia = .alerta
        ) {
            lista.append(
                Vencimiento(
                    plazo: plazo, pendiente: pendiente, fechaLimite: fecha, vencido: hoy > fecha, consecuencia: consecuencia,
                    responsable: responsable
                )
            )
        }
        func despues(_ instante: Date?, _ plazo: NombrePlazo) -> FechaCivil? {
            instante.map { CalendarioMX.siguiente(plazos[plazo], despuesDe: CalendarioMX.fecha($0)) }
        }
        let aceptacion = caso.diaAceptacion
        func dia(_ n: Int) -> FechaCivil? { aceptacion.map { CalendarioMX.dia(n, desde: $0) } }

        switch caso.estatus {
        case .enMediacion:
            if let fecha = despues(caso.fechaAceptacion, .diasAprobacionAgencia) {
                agregar(.diasAprobacionAgencia, .agencia, "The agency approves and distributes the case (G5).", fecha)
            }
        case .aprobado:
            if let fecha = despues(caso.fechaAprobacion ?? caso.fechaAceptacion, .diasAprobacionAgencia) {
                agregar(.diasAprobacionAgencia, .agencia, "The agency distributes the case to a mediator (G5).", fecha)
            }
        case .distribuido where caso.primerContacto == nil:
            if let fecha = despues(caso.fechaDistribucion, .diasPrimerContacto) {
                agregar(.diasPrimerContacto, .mediador, "The mediator contacts the parties (G8).", fecha)
            }
        case .convenioFirmado:
            if let fecha = despues(caso.fechaFirmaConvenio, .diasEnvioConvenioDR) {
                agregar(.diasEnvioConvenioDR, .mediador, "The mediator sends the digitized convenio and the borrower's ID to the DR (G22).", fecha)
            }
        case .convenioEnRevision:
            if let fecha = despues(caso.envioConvenioDR, .diasRevisionConvenioDR) {
                agregar(.diasRevisionConvenioDR, .delegacion, "The DR reviews the convenio: approves the solution or asks for changes (G23–G25).", fecha)
            }
        case .cambiosSolicitados:
            if let fecha = despues(caso.cambiosSolicitados, .diasRespuestaCambios) {
                agregar(.diasRespuestaCambios, .mediador, "The mediator answers the DR's change request (G24).", fecha)
            }
        case .solucionAprobada:
            if let fecha = caso.fechaLimitePrimerPago {
                agregar(nil, .agencia, "The borrower makes the first payment; the agency follows it up (G26).", fecha, .incumplimiento)
            }
        default:
            break
        }

        if FlujoMediacion.permite(caso.estatus, .cierreSinRegistro), let fecha = dia(plazos.ultimoDiaRegistroAgenda) {
            if caso.estatus == .distribuido {
                agregar(
                    .diaCierreSinRegistro, .mediador,
                    "The mediator records the scheduled session or “Sesión no agendada” (G9–G10).", fecha, .cierreAutomatico(.sinRegistro)
                )
            } else {
                agregar(
                    .diaCierreSinRegistro, .agencia,
                    "The agency distributes the case in time for the mediator to record the scheduled session or “Sesión no agendada” (G5, G10).",
                    fecha, .cierreAutomatico(.sinRegistro)
                )
            }
        }
        if FlujoMediacion.permite(caso.estatus, .cierreSinSesion), let fecha = dia(plazos.ultimoDiaSesion) {
            agregar(
                .diaCierreSinSesion, .mediador,
                "A session is held, or a new date recorded, within the \(plazos.diasParaSesion) days (G14–G15).", fecha,
                .cierreAutomatico(.sinSesion)
            )
        }

        if FlujoMediacion.conServicioConcluido.contains(caso.estatus) {
            let firmado = caso.convenio != nil
            let conDerechos = caso.tipoConvenio == .ratificado || caso.tipoConvenio == .notarial
            switch caso.expediente {
            case .entregado?:
                if let fecha = despues(caso.fechaEstadoExpediente, .diasSolicitudAclaracionExpediente) {
                    agregar(.diasSolicitudAclaracionExpediente, .delegacion, "The DR reviews the expediente (G29–G30).", fecha)
                }
            case .aclaracionSolicitada?:
                if let fecha = despues(caso.fechaEstadoExpediente, .diasRespuestaAclaracionExpediente) {
                    agregar(.diasRespuestaAclaracionExpediente, .mediador, "The mediator answers the expediente clarification (G30).", fecha)
                }
            case .aceptado? where firmado:
                if conDerechos && caso.pagoDerechos == nil {
                    if let fecha = despues(caso.fechaEstadoExpediente, .diasValidacionDerechos) {
                        agregar(.diasValidacionDerechos, .delegacion, "The DR validates the CJA or notary fees (G31).", fecha)
                    }
                } else if let fecha = despues(caso.pagoDerechos?.validado ?? caso.fechaEstadoExpediente, .diasDigitalizacionANEC) {
                    agregar(.diasDigitalizacionANEC, .delegacion, "The DR digitizes the expediente for the ANEC (procedure 34).", fecha)
                }
            default:
                break
            }
        }
        return lista.sorted { ($0.fechaLimite, $0.pendiente) < ($1.fechaLimite, $1.pendiente) }
    }

    /// The case's next deadline (the earliest one, overdue ones first), or `nil`.
    ///
    /// ```swift
    /// let proximo = Vencimientos.siguiente(caso: caso, plazos: plazos, hoy: CalendarioMX.fecha(Date()))
    /// if proximo?.vencido == true { /* show the overdue alert */ }
    /// ```
    public static func siguiente(caso: Caso, plazos: Plazos, hoy: FechaCivil) -> Vencimiento? {
        pendientes(caso: caso, plazos: plazos, hoy: hoy).first
    }

    /// The case's next deadline at instant `ahora` (its Mexico City date).
    public static func siguiente(caso: Caso, plazos: Plazos, ahora: Date) -> Vencimiento? {
        siguiente(caso: caso, plazos: plazos, hoy: CalendarioMX.fecha(ahora))
    }

    /// The automatic closure due for the case on `hoy`, if any: what the server's closure job
    /// runs (as `cerrarSinRegistro` / `cerrarSinSesion`, role `operacion`).
    public static func cierrePendiente(caso: Caso, plazos: Plazos, hoy: FechaCivil) -> ReglaCierre? {
        guard let aceptacion = caso.diaAceptacion else { return nil }
        let dia = CalendarioMX.numeroDeDia(hoy, desde: aceptacion)
        if FlujoMediacion.permite(caso.estatus, .cierreSinRegistro) && dia >= plazos.diaCierreSinRegistro { return .sinRegistro }
        if FlujoMediacion.permite(caso.estatus, .cierreSinSesion) && dia >= plazos.diaCierreSinSesion { return .sinSesion }
        return nil
    }

    /// The closure mutation due for the case on `hoy` (name and arguments), for the server's job.
    public static func mutacionDeCierre(caso: Caso, plazos: Plazos, hoy: FechaCivil) -> (name: String, arguments: JSONObject)? {
        guard let regla = cierrePendiente(caso: caso, plazos: plazos, hoy: hoy) else { return nil }
        let arguments: JSONObject = ["numeroCredito": .string(caso.numeroCredito), "ronda": .int(Int64(caso.ronda))]
        switch regla {
        case .sinRegistro: return (CerrarSinRegistro.name, arguments)
        case .sinSesion: return (CerrarSinSesion.name, arguments)
        }
    }
}
