import Foundation
import SyncCore

/// G28: the mediator integrates the expediente of the service — with a signed convenio or
/// without one (§6.7) — and delivers it to the DR.
public struct EntregarExpediente: MutacionDeCaso {
    public static let name = "entregarExpediente"
    public static let summary = "The mediator delivers the expediente of the service to the DR, with its documents (G28)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.entregaExpediente
    public static let ficha = Ficha(
        "G28",
        precondiciones: [
            "the case is distributed to this mediator",
            "without a convenio: at least one session held", "“Ratificado”: the CJA inscription is recorded (G27)",
            "every required document of §6.7 for its variant (signed or not)",
        ],
        datos: ["numeroCredito", "ronda (optional)", "documentos (§6.7)"],
        plazo: "starts diasSolicitudAclaracionExpediente (the DR's review, alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var documentos: [DocumentoExpediente]

    public init(numeroCredito: String, ronda: Int? = nil, documentos: [DocumentoExpediente]) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.documentos = documentos
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.avanzarExpediente(Self.evento)
        let firmado = paso.caso.convenio != nil
        let tipo = firmado ? try paso.convenio().tipo : nil
        if !firmado && paso.caso.sesionesCelebradas == 0 { throw Rechazo.sinSesionCelebrada() }
        if tipo == .ratificado && paso.caso.inscripcionCJA == nil { throw Rechazo.inscripcionCJAPendiente() }
        let faltan = DocumentoExpediente.requeridos(firmado: firmado, tipo: tipo).filter { !documentos.contains($0) }
        guard faltan.isEmpty else { throw Rechazo.documentosFaltantes(faltan) }
        let expediente = Expediente(
            casoId: paso.caso.id, numeroCredito: numeroCredito, conConvenioFirmado: firmado,
            documentos: DocumentoExpediente.allCases.filter(documentos.contains), entregas: [paso.context.occurredAt],
            aclaraciones: []
        )
        paso.records.write(expediente)
        paso.anotar("conConvenioFirmado", String(firmado))
    }
}

/// G30: the DR asks the mediator for corrections or clarifications to the expediente.
public struct SolicitarAclaracionExpediente: MutacionDeCaso {
    public static let name = "solicitarAclaracionExpediente"
    public static let summary = "The DR asks the mediator to correct or clarify the expediente (G30)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.solicitudAclaracionExpediente
    public static let ficha = Ficha(
        "G29–G30", precondiciones: ["a reason"],
        datos: ["numeroCredito", "ronda (optional)", "motivo"],
        plazo: "within diasSolicitudAclaracionExpediente (2) of receipt; the answer within diasRespuestaAclaracionExpediente (2); alerts"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var motivo: String

    public init(numeroCredito: String, ronda: Int? = nil, motivo: String) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.motivo = motivo
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.avanzarExpediente(Self.evento)
        guard !motivo.trimmingCharacters(in: .whitespaces).isEmpty else { throw Rechazo.datoInvalido("motivo", "must not be empty") }
        var expediente = try paso.expediente()
        expediente.aclaraciones.append(AclaracionExpediente(motivo: motivo, solicitada: paso.context.occurredAt))
        paso.records.write(expediente)
        paso.anotar("motivo", motivo)
    }
}

/// G30: the mediator answers the clarification (documents added, if any) and delivers it again.
public struct ResponderAclaracionExpediente: MutacionDeCaso {
    public static let name = "responderAclaracionExpediente"
    public static let summary = "The mediator answers the DR's expediente clarification (G30)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.respuestaAclaracionExpediente
    public static let ficha = Ficha(
        "G30", precondiciones: ["the case is distributed to this mediator"],
        datos: ["numeroCredito", "ronda (optional)", "documentos (optional: documents added)"],
        plazo: "within diasRespuestaAclaracionExpediente (2) of the request (alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var documentos: [DocumentoExpediente]?

    public init(numeroCredito: String, ronda: Int? = nil, documentos: [DocumentoExpediente]? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.documentos = documentos
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.avanzarExpediente(Self.evento)
        var expediente = try paso.expediente()
        let todos = expediente.documentos + (documentos ?? [])
        expediente.documentos = DocumentoExpediente.allCases.filter(todos.contains)
        expediente.entregas.append(paso.context.occurredAt)
        if let ultima = expediente.aclaraciones.indices.last { expediente.aclaraciones[ultima].respondida = paso.context.occurredAt }
        paso.records.write(expediente)
    }
}

/// G29: the DR finds the expediente complete and correct.
public struct AceptarExpediente: MutacionDeCaso {
    public static let name = "aceptarExpediente"
    public static let summary = "The DR finds the expediente complete and correct (G29)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.aceptacionExpediente
    public static let ficha = Ficha(
        "G29",
        datos: ["numeroCredito", "ronda (optional)"],
        plazo: "starts diasDigitalizacionANEC (2, alert) for a signed convenio"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.avanzarExpediente(Self.evento)
        var expediente = try paso.expediente()
        expediente.aceptado = paso.context.occurredAt
        paso.records.write(expediente)
    }
}

/// G31: for *Ratificado* and *Notarial* convenios, the DR validates the CJA or notary fees once it
/// holds the payment proofs.
public struct ValidarPagoDerechos: MutacionDeCaso {
    public static let name = "validarPagoDerechos"
    public static let summary = "The DR validates the CJA or notary fees of the convenio (G31)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.validacionDerechos
    public static let ficha = Ficha(
        "G31",
        precondiciones: ["a “Ratificado” or “Notarial” convenio", "not validated yet"],
        datos: ["numeroCredito", "ronda (optional)", "fechaConstancias (receipt of the proofs)", "monto (optional)"],
        plazo: "by the day after the proofs were received (diasValidacionDerechos, alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var fechaConstancias: FechaCivil
    public var monto: Double?

    public init(numeroCredito: String, ronda: Int? = nil, fechaConstancias: FechaCivil, monto: Double? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.fechaConstancias = fechaConstancias
        self.monto = monto
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        let tipo = try paso.convenio().tipo
        guard tipo == .ratificado || tipo == .notarial else {
            throw Rechazo.soloTipos([.ratificado, .notarial], accion: "Validating the CJA or notary fees")
        }
        try paso.avanzarExpediente(Self.evento)
        guard paso.caso.pagoDerechos == nil else { throw Rechazo.yaRegistrada("The validation of the fees") }
        guard fechaConstancias <= paso.hoy else { throw Rechazo.datoInvalido("fechaConstancias", "must not be in the future") }
        if let monto, !(monto > 0 && monto.isFinite) { throw Rechazo.datoInvalido("monto", "must be a positive amount") }
        paso.caso.pagoDerechos = PagoDerechos(fechaConstancias: fechaConstancias, monto: monto, validado: paso.context.occurredAt)
    }
}

/// Procedure 34: the DR digitizes the complete expediente of a signed convenio (kept at least a
/// year) and prepares the physical one for the ANEC.
public struct DigitalizarExpediente: MutacionDeCaso {
    public static let name = "digitalizarExpediente"
    public static let summary = "The DR digitizes the expediente of the signed convenio for the ANEC (procedure 34)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.digitalizacionExpediente
    public static let ficha = Ficha(
        "Procedimiento 34", precondiciones: ["“Ratificado” or “Notarial”: the fees validated (G31)"],
        datos: ["numeroCredito", "ronda (optional)"],
        plazo: "within diasDigitalizacionANEC (2) after the service concluded (alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.avanzarExpediente(Self.evento)
        let tipo = try paso.convenio().tipo
        if (tipo == .ratificado || tipo == .notarial) && paso.caso.pagoDerechos == nil { throw Rechazo.derechosPendientes() }
        var expediente = try paso.expediente()
        expediente.digitalizado = paso.context.occurredAt
        paso.records.write(expediente)
    }
}

/// Procedure 35: the DR ships the expediente to the ANEC with the courier's guide number.
public struct EnviarExpedienteANEC: MutacionDeCaso {
    public static let name = "enviarExpedienteANEC"
    public static let summary = "The DR ships the expediente to the ANEC with its guide number (procedure 35)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.envioANEC
    public static let ficha = Ficha(
        "Procedimiento 34–35", precondiciones: ["shipped between the digitization and today"],
        datos: ["numeroCredito", "ronda (optional)", "numeroGuia", "fechaEnvio"]
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var numeroGuia: String
    public var fechaEnvio: FechaCivil

    public init(numeroCredito: String, ronda: Int? = nil, numeroGuia: String, fechaEnvio: FechaCivil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.numeroGuia = numeroGuia
        self.fechaEnvio = fechaEnvio
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.avanzarExpediente(Self.evento)
        guard !numeroGuia.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Rechazo.datoInvalido("numeroGuia", "must not be empty")
        }
        let digitalizado = try paso.expediente().digitalizado.map(CalendarioMX.fecha)
        guard fechaEnvio <= paso.hoy, fechaEnvio >= (digitalizado ?? fechaEnvio) else {
            throw Rechazo.datoInvalido("fechaEnvio", "must fall between the digitization and today")
        }
        paso.caso.envioANEC = EnvioANEC(numeroGuia: numeroGuia, fechaEnvio: fechaEnvio, registrado: paso.context.occurredAt)
        paso.anotar("numeroGuia", numeroGuia)
    }
}

extension PasoDeCaso {
    /// Moves the expediente by `evento`, or refuses when its state does not allow it.
    mutating func avanzarExpediente(_ evento: EventoCaso) throws(MutationRejection) {
        guard let siguiente = FlujoExpediente.siguiente(caso.expediente, evento) else {
            throw FlujoExpediente.rechazo(caso.expediente, evento)
        }
        if caso.expediente != siguiente {
            anotar("expediente", siguiente.rawValue)
            caso.fechaEstadoExpediente = context.occurredAt
        }
        caso.expediente = siguiente
    }

    /// The case's expediente record.
    func expediente() throws -> Expediente {
        guard let expediente = try records.read(Expediente.self, caso.id) else {
            throw StoredRecordError(collection: Expediente.collection, reason: "the expediente of a case is missing")
        }
        return expediente
    }
}
