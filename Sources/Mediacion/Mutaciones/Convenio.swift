import Foundation
import SyncCore

/// G18: at the end of the session considered the last, the borrower refuses to sign; the mediator
/// records the cause (§6.4). Operations then removes the case (G19).
public struct RegistrarNegativaFirma: MutacionDeCaso {
    public static let name = "registrarNegativaFirma"
    public static let summary = "The borrower refused to sign the convenio at the last session; record the cause (G18)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.negativaFirma
    public static let ficha = Ficha(
        "G18",
        precondiciones: [
            "the case is distributed to this mediator",
            "at the last session: the latest session was held and no other is scheduled",
        ],
        datos: ["numeroCredito", "ronda (optional)", "causa (§6.4)", "the session's date is taken from the last session"],
        plazo: "by day diasParaSesion (90) from the acceptance"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var causa: CausaNegativaFirma

    public init(numeroCredito: String, ronda: Int? = nil, causa: CausaNegativaFirma) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.causa = causa
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        try paso.exigir(hastaElDia: paso.plazos.ultimoDiaSesion, "The refusal to sign")
        var sesion = try paso.sesion(paso.caso.sesiones)
        sesion.resultado = .negativaFirma
        paso.records.write(sesion)
        paso.caso.causaNegativaFirma = causa
        paso.caso.fechaNegativaFirma = paso.context.occurredAt
        paso.anotar("causa", causa.rawValue)
        paso.anotar("fechaSesion", RFC3339.string(from: sesion.fechaHora))
    }
}

/// G20: at the end of the session the convenio is signed by the borrower, the Infonavit
/// representative and the mediator, in at least three originals; the mediator records its type,
/// date (the action's time) and solution, and the payment terms.
public struct FirmarConvenio: MutacionDeCaso {
    public static let name = "firmarConvenio"
    public static let summary = "The convenio was signed at the end of the session: type, solution and payment terms (G20)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.firmaConvenio
    public static let ficha = Ficha(
        "G20, Lineamientos 2, 5–6",
        precondiciones: [
            "the case is distributed to this mediator", "type and solution given",
            "the type is the one decided at assignment (the account's tipoConvenio)",
            "a designated representative; with legal powers unless “Administrativo” (G7)",
            "“Ratificado”: a certified mediator; “Notarial”: a notario mediator",
            "signed by borrower, representative and mediator; at least 3 originals",
        ],
        datos: [
            "numeroCredito", "ronda (optional)", "tipoConvenio", "solucion", "montoPago", "fechaLimitePrimerPago",
            "factorPago", "firmadoPorAcreditado", "firmadoPorRepresentante", "firmadoPorMediador", "originales",
            "acuseRecibo", "the signature date is the action's time",
        ],
        plazo: "by day diasParaSesion (90); starts diasEnvioConvenioDR (same day, alert) and the first payment's deadline"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var tipoConvenio: TipoConvenio?
    public var solucion: String?
    public var montoPago: Double
    public var fechaLimitePrimerPago: FechaCivil
    public var factorPago: Double
    public var firmadoPorAcreditado: Bool
    public var firmadoPorRepresentante: Bool
    public var firmadoPorMediador: Bool
    public var originales: Int
    public var acuseRecibo: Bool

    public init(
        numeroCredito: String, ronda: Int? = nil, tipoConvenio: TipoConvenio?, solucion: String?, montoPago: Double,
        fechaLimitePrimerPago: FechaCivil, factorPago: Double, firmadoPorAcreditado: Bool = true,
        firmadoPorRepresentante: Bool = true, firmadoPorMediador: Bool = true, originales: Int = 3, acuseRecibo: Bool = true
    ) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.tipoConvenio = tipoConvenio
        self.solucion = solucion
        self.montoPago = montoPago
        self.fechaLimitePrimerPago = fechaLimitePrimerPago
        self.factorPago = factorPago
        self.firmadoPorAcreditado = firmadoPorAcreditado
        self.firmadoPorRepresentante = firmadoPorRepresentante
        self.firmadoPorMediador = firmadoPorMediador
        self.originales = originales
        self.acuseRecibo = acuseRecibo
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        let solucion = solucion?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var faltan: [String] = []
        if tipoConvenio == nil { faltan.append("tipoConvenio") }
        if solucion.isEmpty { faltan.append("solucion") }
        guard let tipo = tipoConvenio, faltan.isEmpty else { throw Rechazo.convenioIncompleto(faltan) }
        guard tipo == paso.cuenta.tipoConvenio else { throw Rechazo.tipoConvenioDistinto(esperado: paso.cuenta.tipoConvenio) }
        guard let clave = paso.caso.representante, let representante = try paso.records.read(Representante.self, clave) else {
            throw Rechazo.representanteNoDesignado()
        }
        guard representante.poderesLegales || tipo == .administrativo else { throw Rechazo.representanteSinPoderes(tipo) }
        guard let usuario = paso.caso.mediador, let mediador = try paso.records.read(Mediador.self, usuario) else {
            throw Rechazo.mediadorNoRegistrado()
        }
        if tipo == .ratificado && !mediador.certificado { throw Rechazo.mediadorNoCertificado() }
        if tipo == .notarial && !mediador.notario { throw Rechazo.mediadorNoNotario() }
        var sinFirma: [String] = []
        if !firmadoPorAcreditado { sinFirma.append("the borrower") }
        if !firmadoPorRepresentante { sinFirma.append("the representative") }
        if !firmadoPorMediador { sinFirma.append("the mediator") }
        guard sinFirma.isEmpty else { throw Rechazo.firmasIncompletas(sinFirma) }
        guard originales >= 3 else { throw Rechazo.originalesInsuficientes() }
        guard montoPago > 0, montoPago.isFinite else { throw Rechazo.datoInvalido("montoPago", "must be a positive amount") }
        guard factorPago > 0, factorPago.isFinite else { throw Rechazo.datoInvalido("factorPago", "must be positive") }
        guard fechaLimitePrimerPago >= paso.hoy else {
            throw Rechazo.datoInvalido("fechaLimitePrimerPago", "must not be before the signature date")
        }
        try paso.exigir(hastaElDia: paso.plazos.ultimoDiaSesion, "The signed convenio")

        var sesion = try paso.sesion(paso.caso.sesiones)
        sesion.resultado = .convenioFirmado
        sesion.verificacion?.convenioCelebrado = true
        paso.records.write(sesion)
        let convenio = Convenio(
            casoId: paso.caso.id, numeroCredito: numeroCredito, sesionId: sesion.id, tipo: tipo,
            fechaFirma: paso.context.occurredAt, solucion: solucion, montoPago: montoPago,
            fechaLimitePrimerPago: fechaLimitePrimerPago, factorPago: factorPago,
            firmadoPorAcreditado: firmadoPorAcreditado, firmadoPorRepresentante: firmadoPorRepresentante,
            firmadoPorMediador: firmadoPorMediador, originales: originales, acuseRecibo: acuseRecibo,
            mediador: usuario, representante: clave
        )
        paso.records.write(convenio)
        paso.caso.convenio = convenio.id
        paso.caso.tipoConvenio = tipo
        paso.caso.fechaFirmaConvenio = paso.context.occurredAt
        paso.caso.fechaLimitePrimerPago = fechaLimitePrimerPago
        paso.anotar("tipoConvenio", tipo.rawValue)
        paso.anotar("solucion", solucion)
    }
}

/// G21: the mediator gave the borrower the quality survey (whether or not a convenio was signed).
/// The first record counts.
public struct RegistrarEncuesta: MutacionDeCaso {
    public static let name = "registrarEncuesta"
    public static let summary = "The mediator gave the borrower the quality survey of the service (G21)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.encuesta
    public static let ficha = Ficha(
        "G21", precondiciones: ["the case is distributed to this mediator", "recorded once (a repeat changes nothing)"],
        datos: ["numeroCredito", "ronda (optional)"]
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        guard paso.caso.encuestaEntregada == nil else {
            paso.sinCambios = true
            return
        }
        paso.caso.encuestaEntregada = paso.context.occurredAt
    }
}

/// G22 (and the answer to a change request, G24): the mediator sends the digitized signed convenio
/// and the borrower's ID to the DR.
public struct EnviarConvenioDR: MutacionDeCaso {
    public static let name = "enviarConvenioDR"
    public static let summary = "The mediator sends the digitized convenio and the borrower's ID to the DR (G22, G24)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.envioConvenio
    public static let ficha = Ficha(
        "G22, G24", precondiciones: ["the case is distributed to this mediator"], datos: ["numeroCredito", "ronda (optional)"],
        plazo: "the same day as the signature (diasEnvioConvenioDR), or the day after a change request (diasRespuestaCambios); alert"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.envioConvenioDR = paso.context.occurredAt
    }
}

/// G24: the DR asks the mediator for changes or clarifications to the convenio.
public struct SolicitarCambiosConvenio: MutacionDeCaso {
    public static let name = "solicitarCambiosConvenio"
    public static let summary = "The DR asks the mediator for changes or clarifications to the convenio (G24)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.solicitudCambios
    public static let ficha = Ficha(
        "G23–G24", precondiciones: ["a reason"], datos: ["numeroCredito", "ronda (optional)", "motivo"],
        plazo: "by the day after receipt (diasRevisionConvenioDR, alert)"
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
        guard !motivo.trimmingCharacters(in: .whitespaces).isEmpty else { throw Rechazo.datoInvalido("motivo", "must not be empty") }
        paso.caso.cambiosSolicitados = paso.context.occurredAt
        paso.caso.solicitudesCambios += 1
        paso.anotar("motivo", motivo)
    }
}

/// G25: the DR approves the solution: the restructure migrates to ALS and the borrower can make
/// the first payment; the agency and the mediator are informed.
public struct AprobarSolucion: MutacionDeCaso {
    public static let name = "aprobarSolucion"
    public static let summary = "The DR approves the solution; the restructure migrates to ALS (G25)."
    public static let allowedRoles: Set<String> = .roles(.delegacion)
    public static let worksOffline = true
    public static let evento = EventoCaso.aprobacionSolucion
    public static let ficha = Ficha(
        "G23, G25", datos: ["numeroCredito", "ronda (optional)"], plazo: "by the day after receipt (diasRevisionConvenioDR, alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.fechaSolucionAprobada = paso.context.occurredAt
    }
}

/// G26: the agency (with the mediator's support) invites the borrower to make the first payment.
public struct InvitarPrimerPago: MutacionDeCaso {
    public static let name = "invitarPrimerPago"
    public static let summary = "The agency invites the borrower to make the first payment (G26)."
    public static let allowedRoles: Set<String> = .roles(.agencia, .mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.invitacionPago
    public static let ficha = Ficha(
        "G26", precondiciones: ["a mediator: the case is distributed to it"], datos: ["numeroCredito", "ronda (optional)", "medio"]
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var medio: MedioInvitacionPago

    public init(numeroCredito: String, ronda: Int? = nil, medio: MedioInvitacionPago) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.medio = medio
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.invitacionesPago.append(
            InvitacionPago(medio: medio, fecha: paso.context.occurredAt, usuario: paso.context.author.userID)
        )
        paso.anotar("medio", medio.rawValue)
    }
}

/// G27: once the solution is approved, the mediator inscribes a *Ratificado* convenio at the CJA
/// or equivalent authority.
public struct InscribirConvenioCJA: MutacionDeCaso {
    public static let name = "inscribirConvenioCJA"
    public static let summary = "The mediator inscribed the Ratificado convenio at the CJA (G27)."
    public static let allowedRoles: Set<String> = .roles(.mediador)
    public static let worksOffline = true
    public static let evento = EventoCaso.inscripcionCJA
    public static let ficha = Ficha(
        "G27",
        precondiciones: [
            "the case is distributed to this mediator", "a “Ratificado” convenio", "not inscribed yet",
            "inscribed between the signature and today",
        ],
        datos: ["numeroCredito", "ronda (optional)", "fechaInscripcion", "numeroInscripcion", "autoridad"]
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var fechaInscripcion: FechaCivil
    public var numeroInscripcion: String
    public var autoridad: String

    public init(numeroCredito: String, ronda: Int? = nil, fechaInscripcion: FechaCivil, numeroInscripcion: String, autoridad: String) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.fechaInscripcion = fechaInscripcion
        self.numeroInscripcion = numeroInscripcion
        self.autoridad = autoridad
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        let convenio = try paso.convenio()
        guard convenio.tipo == .ratificado else { throw Rechazo.soloTipos([.ratificado], accion: "The CJA inscription") }
        guard paso.caso.inscripcionCJA == nil else { throw Rechazo.yaRegistrada("The CJA inscription") }
        for (campo, valor) in [("numeroInscripcion", numeroInscripcion), ("autoridad", autoridad)]
        where valor.trimmingCharacters(in: .whitespaces).isEmpty {
            throw Rechazo.datoInvalido(campo, "must not be empty")
        }
        guard fechaInscripcion >= CalendarioMX.fecha(convenio.fechaFirma), fechaInscripcion <= paso.hoy else {
            throw Rechazo.datoInvalido("fechaInscripcion", "must fall between the signature and today")
        }
        paso.caso.inscripcionCJA = InscripcionCJA(
            fechaInscripcion: fechaInscripcion, numeroInscripcion: numeroInscripcion, autoridad: autoridad,
            registrada: paso.context.occurredAt
        )
        paso.anotar("fechaInscripcion", fechaInscripcion.description)
    }
}

/// The first payment of the convenio arrived (from the payments system, followed up by the
/// agency): a single payment of the full amount by the convenio's deadline puts it in force.
public struct RegistrarPrimerPago: MutacionDeCaso {
    public static let name = "registrarPrimerPago"
    public static let summary = "The borrower made the first payment: the convenio is in force."
    public static let allowedRoles: Set<String> = .roles(.agencia, .operacion)
    public static let worksOffline = false
    public static let evento = EventoCaso.primerPago
    public static let ficha = Ficha(
        "G20 (nota), G26, Salidas (pagos)",
        precondiciones: ["the full amount of the convenio in one payment", "paid between the signature and today"],
        datos: ["numeroCredito", "ronda (optional)", "monto", "fechaPago"],
        plazo: "paid by the convenio's fechaLimitePrimerPago, else refused (record the breach)"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var monto: Double
    public var fechaPago: FechaCivil

    public init(numeroCredito: String, ronda: Int? = nil, monto: Double, fechaPago: FechaCivil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.monto = monto
        self.fechaPago = fechaPago
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        let convenio = try paso.convenio()
        guard fechaPago >= CalendarioMX.fecha(convenio.fechaFirma), fechaPago <= paso.hoy else {
            throw Rechazo.datoInvalido("fechaPago", "must fall between the signature and today")
        }
        guard fechaPago <= convenio.fechaLimitePrimerPago else {
            throw Rechazo.primerPagoFueraDePlazo(convenio.fechaLimitePrimerPago)
        }
        guard monto.isFinite, monto + 0.005 >= convenio.montoPago else { throw Rechazo.primerPagoIncompleto() }
        paso.caso.primerPago = PrimerPago(monto: monto, fechaPago: fechaPago, registrado: paso.context.occurredAt)
        paso.anotar("fechaPago", fechaPago.description)
    }
}

/// The convenio was breached (no valid first payment, or later): the round ends. The credit's
/// count of breached convenios grows; at two it is excluded for good (Lineamiento 1), otherwise
/// it may be labelled for re-mediation (Anexo 1 C).
public struct RegistrarIncumplimiento: MutacionDeCaso {
    public static let name = "registrarIncumplimiento"
    public static let summary = "The convenio was breached; at the second breach the credit is excluded (Anexo 1 C)."
    public static let allowedRoles: Set<String> = .roles(.agencia, .operacion)
    public static let worksOffline = false
    public static let evento = EventoCaso.incumplimiento
    public static let ficha = Ficha(
        "Lineamientos 1, 7; Anexo 1 C",
        precondiciones: ["the second breached convenio of the credit excludes it (“Créditos con dos convenios de mediación incumplidos”)"],
        datos: ["numeroCredito", "ronda (optional)"]
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func conflictTargets() -> [RecordKey] {
        [Caso.key(Caso.id(numeroCredito: numeroCredito, ronda: ronda ?? 1)), Cuenta.key(numeroCredito)]
    }

    public static var conflictCollections: Set<String> { [Caso.collection, Cuenta.collection] }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        var cuenta = paso.cuenta
        cuenta.conveniosIncumplidos += 1
        if cuenta.conveniosIncumplidos >= 2 && cuenta.exclusion == nil {
            cuenta.exclusion = .dosConveniosIncumplidos
            cuenta.fechaExclusion = paso.context.occurredAt
            paso.anotar("exclusion", CriterioExclusion.dosConveniosIncumplidos.rawValue)
        }
        paso.records.write(cuenta)
        paso.caso.fechaIncumplimiento = paso.context.occurredAt
        paso.anotar("conveniosIncumplidos", String(cuenta.conveniosIncumplidos))
    }
}

extension PasoDeCaso {
    /// The case's signed convenio.
    func convenio() throws -> Convenio {
        guard let id = caso.convenio, let convenio = try records.read(Convenio.self, id) else {
            throw StoredRecordError(collection: Convenio.collection, reason: "the convenio of a signed case is missing")
        }
        return convenio
    }
}
