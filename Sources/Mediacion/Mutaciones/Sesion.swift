import Foundation
import SyncCore

/// G8: the mediator records a contact (or an attempt) with the parties to schedule the session.
/// The first contact is due the same day or the next day after the distribution.
public struct RegistrarContacto: MutacionDeCaso {
    public static let name = "registrarContacto"
    public static let summary = "The mediator records a contact with the parties to schedule the session (G8)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.contacto
    public static let ficha = Ficha(
        "G8", precondiciones: ["the case is distributed to this mediator"],
        datos: ["numeroCredito", "ronda (optional)", "exitoso (whether the parties were reached)"],
        plazo: "first contact by diasPrimerContacto after the distribution (alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var exitoso: Bool

    public init(numeroCredito: String, ronda: Int? = nil, exitoso: Bool) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.exitoso = exitoso
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        if paso.caso.primerContacto == nil { paso.caso.primerContacto = paso.context.occurredAt }
        paso.caso.intentosContacto += 1
        paso.anotar("exitoso", String(exitoso))
    }
}

/// G9: on day 31 the mediator records that no session could be scheduled, and the cause (§6.3).
/// Operations then removes the case (G10).
public struct RegistrarNoAgendada: MutacionDeCaso {
    public static let name = "registrarNoAgendada"
    public static let summary = "The mediator records that no session could be scheduled, and why (G9)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.noAgendada
    public static let ficha = Ficha(
        "G9", precondiciones: ["the case is distributed to this mediator"],
        datos: ["numeroCredito", "ronda (optional)", "causa (§6.3)"],
        plazo: "only on days diasIntentoAgenda + 1 … diaCierreSinRegistro − 1 (day 31 by default)"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var causa: CausaNoAgendada

    public init(numeroCredito: String, ronda: Int? = nil, causa: CausaNoAgendada) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.causa = causa
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        let primero = paso.plazos.primerDiaNoAgendada
        guard paso.diaDeHoy >= primero else {
            throw Rechazo.antesDePlazo("“Sesión no agendada”", primerDia: primero, dia: paso.diaDeHoy)
        }
        try paso.exigir(hastaElDia: paso.plazos.ultimoDiaRegistroAgenda, "“Sesión no agendada”")
        paso.caso.causaNoAgendada = causa
        paso.caso.fechaNoAgendada = paso.context.occurredAt
        paso.anotar("causa", causa.rawValue)
    }
}

/// G11 (and a further session after one held, G16): the mediator records the date and time of
/// the session and how the convocation was sent (the same day, G11).
public struct AgendarSesion: MutacionDeCaso {
    public static let name = "agendarSesion"
    public static let summary = "Record the date and time of the mediation session and the convocation (G11)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.agenda
    public static let ficha = Ficha(
        "G11, G16",
        precondiciones: [
            "the case is distributed to this mediator",
            "the first session is recorded by day diaCierreSinRegistro − 1 (31); a further one by day diasParaSesion (90)",
        ],
        datos: ["numeroCredito", "ronda (optional)", "fechaHora", "medioConvocatoria (convocation sent by it)"],
        plazo: "the session date falls on or after the day recorded and by day diasParaSesion (90) from the acceptance"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var fechaHora: Date
    public var medioConvocatoria: MedioConvocatoria

    public init(numeroCredito: String, ronda: Int? = nil, fechaHora: Date, medioConvocatoria: MedioConvocatoria) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.fechaHora = fechaHora
        self.medioConvocatoria = medioConvocatoria
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        if paso.caso.estatus == .distribuido {
            try paso.exigir(hastaElDia: paso.plazos.ultimoDiaRegistroAgenda, "Scheduling the first session")
        } else {
            try paso.exigir(hastaElDia: paso.plazos.ultimoDiaSesion, "Scheduling another session")
            var anterior = try paso.sesion(paso.caso.sesiones)
            anterior.resultado = .continua
            paso.records.write(anterior)
        }
        try paso.exigirFechaDeSesion(fechaHora)
        try paso.nuevaSesion(fechaHora, medioConvocatoria, reagendada: false)
    }
}

/// G14: the scheduled session did not take place.
public struct RegistrarSesionNoCelebrada: MutacionDeCaso {
    public static let name = "registrarSesionNoCelebrada"
    public static let summary = "The scheduled session did not take place (G14)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.sesionNoCelebrada
    public static let ficha = Ficha(
        "G14", precondiciones: ["the case is distributed to this mediator", "the session's date has come"],
        datos: ["numeroCredito", "ronda (optional)", "motivo (optional)"],
        plazo: "by day diasParaSesion (90) from the acceptance"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var motivo: String?

    public init(numeroCredito: String, ronda: Int? = nil, motivo: String? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.motivo = motivo
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        var sesion = try paso.sesion(paso.caso.sesiones)
        guard paso.hoy >= CalendarioMX.fecha(sesion.fechaHora) else { throw Rechazo.sesionAunNoOcurre() }
        try paso.exigir(hastaElDia: paso.plazos.ultimoDiaSesion, "A session not held")
        sesion.celebrada = false
        sesion.motivoNoCelebrada = motivo
        sesion.resultado = .noCelebrada
        sesion.fechaResultado = paso.context.occurredAt
        paso.records.write(sesion)
        paso.anotar("sesion", sesion.id)
    }
}

/// G14: the mediator reschedules a session that did not take place — once, within the 90 days.
public struct ReagendarSesion: MutacionDeCaso {
    public static let name = "reagendarSesion"
    public static let summary = "Reschedule the session that did not take place, once, within the 90 days (G14)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.reagenda
    public static let ficha = Ficha(
        "G14", precondiciones: ["the case is distributed to this mediator", "no reschedule used yet (only one)"],
        datos: ["numeroCredito", "ronda (optional)", "fechaHora", "medioConvocatoria"],
        plazo: "recorded, and the new date falls, by day diasParaSesion (90) from the acceptance"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var fechaHora: Date
    public var medioConvocatoria: MedioConvocatoria

    public init(numeroCredito: String, ronda: Int? = nil, fechaHora: Date, medioConvocatoria: MedioConvocatoria) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.fechaHora = fechaHora
        self.medioConvocatoria = medioConvocatoria
    }

    public func rechazoPrevio(_ caso: Caso) -> MutationRejection? {
        caso.reagendas >= 1 && !caso.estatus.isFinal ? Rechazo.reagendaUnica() : nil
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.exigir(hastaElDia: paso.plazos.ultimoDiaSesion, "Rescheduling")
        try paso.exigirFechaDeSesion(fechaHora)
        try paso.nuevaSesion(fechaHora, medioConvocatoria, reagendada: true)
        paso.caso.reagendas += 1
    }
}

/// G12: the mediator asks the DR for the preliminary convenios of the credit.
public struct SolicitarConveniosPreliminares: MutacionDeCaso {
    public static let name = "solicitarConveniosPreliminares"
    public static let summary = "The mediator asks the DR for the preliminary convenios of the credit (G12)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.solicitudConveniosPreliminares
    public static let ficha = Ficha(
        "G12", precondiciones: ["the case is distributed to this mediator"], datos: ["numeroCredito", "ronda (optional)"]
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.conveniosPreliminaresSolicitados = paso.context.occurredAt
    }
}

/// G13: the DR delivers the preliminary convenios available in the Módulo de Gestión.
public struct EntregarConveniosPreliminares: MutacionDeCaso {
    public static let name = "entregarConveniosPreliminares"
    public static let summary = "The DR delivers the preliminary convenios to the mediator (G13)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.entregaConveniosPreliminares
    public static let ficha = Ficha(
        "G13", precondiciones: ["the mediator requested them"], datos: ["numeroCredito", "ronda (optional)"]
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        guard paso.caso.conveniosPreliminaresSolicitados != nil else { throw Rechazo.sinSolicitud() }
        paso.caso.conveniosPreliminaresRecibidos = paso.context.occurredAt
    }
}

/// G16–G17: the session took place, with the checklist of guideline 5 (§6.6) and the borrower's
/// identification (§6.5). More sessions may follow within the 90 days.
public struct RegistrarSesionCelebrada: MutacionDeCaso {
    public static let name = "registrarSesionCelebrada"
    public static let summary = "The mediation session took place, with its checklist (G16–G17)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.sesionCelebrada
    public static let ficha = Ficha(
        "G16–G17, Lineamiento 5",
        precondiciones: [
            "the case is distributed to this mediator", "the session's date has come",
            "checklist points a–f covered (the safeguards of the service)",
        ],
        datos: [
            "numeroCredito", "ronda (optional)", "verificacion (§6.6 a–j)", "identificacionAcreditado (§6.5)",
            "asistioRepresentante",
        ],
        plazo: "by day diasParaSesion (90) from the acceptance"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var verificacion: VerificacionSesion
    public var identificacionAcreditado: TipoIdentificacion
    public var asistioRepresentante: Bool

    public init(
        numeroCredito: String, ronda: Int? = nil, verificacion: VerificacionSesion,
        identificacionAcreditado: TipoIdentificacion, asistioRepresentante: Bool
    ) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.verificacion = verificacion
        self.identificacionAcreditado = identificacionAcreditado
        self.asistioRepresentante = asistioRepresentante
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        var sesion = try paso.sesion(paso.caso.sesiones)
        guard paso.hoy >= CalendarioMX.fecha(sesion.fechaHora) else { throw Rechazo.sesionAunNoOcurre() }
        try paso.exigir(hastaElDia: paso.plazos.ultimoDiaSesion, "A session held")
        let faltan = verificacion.faltantesObligatorios
        guard faltan.isEmpty else { throw Rechazo.verificacionIncompleta(faltan) }
        sesion.celebrada = true
        sesion.verificacion = verificacion
        sesion.identificacionAcreditado = identificacionAcreditado
        sesion.representante = asistioRepresentante ? paso.caso.representante : nil
        sesion.fechaResultado = paso.context.occurredAt
        paso.records.write(sesion)
        paso.caso.sesionesCelebradas += 1
        paso.anotar("sesion", sesion.id)
    }
}

extension PasoDeCaso {
    /// Writes the case's next session, scheduled by this action.
    mutating func nuevaSesion(_ fechaHora: Date, _ medio: MedioConvocatoria, reagendada: Bool) throws {
        let numero = caso.sesiones + 1
        let sesion = Sesion(
            casoId: caso.id, numeroCredito: caso.numeroCredito, numero: numero, fechaHora: fechaHora,
            medioConvocatoria: medio, mediador: context.author.userID, registrada: context.occurredAt, reagendada: reagendada
        )
        records.write(sesion)
        caso.sesiones = numero
        caso.sesionAgendada = fechaHora
        anotar("sesion", sesion.id)
        anotar("fechaHora", RFC3339.string(from: fechaHora))
        anotar("medioConvocatoria", medio.rawValue)
    }
}
