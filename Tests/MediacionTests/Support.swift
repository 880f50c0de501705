import Foundation
import SyncCore

@testable import Mediacion

/// An in-memory record store that runs mutations like the replica and the server do. Each run
/// gets the next mutation id, so history entries do not overwrite each other.
struct MemoryStore: RecordReading {
    var records: [RecordKey: JSONObject] = [:]
    var nextMutationID: Int64 = 1

    func record(_ key: RecordKey) throws -> JSONObject? { records[key] }

    /// Runs `mutation` as `role`; on success, keeps its changes.
    @discardableResult
    mutating func run(
        _ mutation: some Mutation, as role: Rol, user: String = "u-1", at occurredAt: Date = Fixture.now,
        device: String = "device-1", hlc: HybridTimestamp? = nil, timeNote: String? = nil, reported: Date? = nil
    ) throws -> [RecordChange] {
        try runWithOutcome(mutation, as: role, user: user, at: occurredAt, device: device, hlc: hlc, timeNote: timeNote, reported: reported)
            .changes
    }

    /// Runs `mutation` and returns its outcome too.
    mutating func runWithOutcome(
        _ mutation: some Mutation, as role: Rol, user: String = "u-1", at occurredAt: Date = Fixture.now,
        device: String = "device-1", hlc: HybridTimestamp? = nil, timeNote: String? = nil, reported: Date? = nil
    ) throws -> (changes: [RecordChange], outcome: MutationOutcome) {
        let arguments = try JSONValueEncoder().encode(mutation).objectValue!
        return try runNamed(
            type(of: mutation).name, arguments: arguments, as: role, user: user, at: occurredAt, device: device, hlc: hlc,
            timeNote: timeNote, reported: reported
        )
    }

    @discardableResult
    mutating func run(
        name: String, arguments: JSONObject, as role: Rol, user: String = "u-1", at occurredAt: Date = Fixture.now
    ) throws -> [RecordChange] {
        try runNamed(name, arguments: arguments, as: role, user: user, at: occurredAt).changes
    }

    private mutating func runNamed(
        _ name: String, arguments: JSONObject, as role: Rol, user: String, at occurredAt: Date, device: String = "device-1",
        hlc: HybridTimestamp? = nil, timeNote: String? = nil, reported: Date? = nil
    ) throws -> (changes: [RecordChange], outcome: MutationOutcome) {
        var writer = RecordWriter(base: self)
        let context = MutationContext(
            author: MutationAuthor(userID: user, role: role.rawValue, clientID: device), mutationID: nextMutationID,
            occurredAt: occurredAt, hlc: hlc ?? HybridTimestamp(millis: Int64(occurredAt.timeIntervalSince1970 * 1000)),
            now: occurredAt, authority: .server, reportedOccurredAt: reported, timeNote: timeNote
        )
        nextMutationID += 1
        let outcome = try Mediacion.registry.apply(name: name, arguments: arguments, context: context, to: &writer)
        for change in writer.changes { records[change.key] = change.body }
        return (writer.changes, outcome)
    }

    func read<T: Registro>(_ type: T.Type, _ id: String) throws -> T? {
        guard let body = records[T.key(id)] else { return nil }
        return try T(body: body)
    }

    /// The case of round `ronda` of the fixture's credit.
    func caso(ronda: Int = 1) throws -> Caso {
        guard let caso = try read(Caso.self, "\(Fixture.credito)-\(ronda)") else { throw FixtureError("no case for round \(ronda)") }
        return caso
    }

    /// The history entries, oldest mutation first.
    func historial() throws -> [Historial] {
        try records.filter { $0.key.collection == Historial.collection }.map { try Historial(body: $0.value) }
            .sorted { ($0.mutacion, $0.accion == "deshacerCierre" ? 0 : 1) < ($1.mutacion, $1.accion == "deshacerCierre" ? 0 : 1) }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Fixture {
    /// 2026-11-27 10:00 in Mexico City: the acceptance in the scenarios (day 1).
    static let now = RFC3339.date(from: "2026-11-27T10:00:00-06:00")!
    static let credito = "1000000001"
    static let aceptacion = FechaCivil(year: 2026, month: 11, day: 27)

    /// `hora`:`minuto` in Mexico City on day `n` counted from the acceptance (day 1 = 2026-11-27).
    static func dia(_ n: Int, _ hora: Int = 10, _ minuto: Int = 0) -> Date {
        CalendarioMX.inicio(CalendarioMX.dia(n, desde: aceptacion)).addingTimeInterval(Double(hora * 3600 + minuto * 60))
    }

    static func cuenta(
        _ numero: String = credito, tipo: TipoConvenio = .administrativo, segmento: Segmento = .cobranzaAdministrativa
    ) -> Cuenta {
        Cuenta(
            numeroCredito: numero, acreditado: "Persona Ficticia Uno", delegacion: "Delegación Ficticia Norte",
            despacho: "Agencia Ejemplo", fechaAsignacion: "2026-11-02", segmento: segmento,
            etiqueta: .susceptibleDeMediacion, tipoConvenio: tipo
        )
    }

    static func storeWithAccount() throws -> MemoryStore {
        var store = MemoryStore()
        try store.run(ImportarCuenta(cuenta: cuenta()), as: .operacion)
        return store
    }
}

/// A case walked through the real mutations up to a status, with the time the next action
/// happens. The account is *Ratificado*; two certified mediators and three representatives are
/// registered (`rep-1`, `rep-3` with legal powers, `rep-2` without).
struct Escenario {
    var store: MemoryStore
    /// When the next action of a test happens.
    var ahora: Date

    static let mediador = "mediador-1"
    static let otroMediador = "mediador-2"
    static let agencia = "agencia-1"
    static let asesor = "asesor-1"
    static let dr = "dr-1"
    static let credito = Fixture.credito

    /// The base: the account and the registries, nobody has asked the borrower yet.
    static func base(tipo: TipoConvenio = .ratificado, segmento: Segmento = .cobranzaAdministrativa) throws -> Escenario {
        var store = MemoryStore()
        try store.run(ImportarCuenta(cuenta: Fixture.cuenta(tipo: tipo, segmento: segmento)), as: .operacion, at: Fixture.dia(1, 8))
        for (usuario, licencia) in [(mediador, "LIC-001"), (otroMediador, "LIC-002")] {
            try store.run(
                RegistrarMediador(
                    usuario: usuario, nombre: "Mediador Ficticio", numeroLicencia: licencia, certificado: true,
                    numeroCertificado: "CJA-\(licencia)", notario: true
                ), as: .agencia, user: agencia, at: Fixture.dia(1, 8)
            )
        }
        for (clave, poderes) in [("rep-1", true), ("rep-2", false), ("rep-3", true)] {
            try store.run(
                RegistrarRepresentante(clave: clave, nombre: "Representante Ficticio", poderesLegales: poderes),
                as: .agencia, user: agencia, at: Fixture.dia(1, 8)
            )
        }
        return Escenario(store: store, ahora: Fixture.dia(1, 10))
    }

    /// Runs `mutation` as `role` at `at` (default: `ahora`), then moves `ahora` a minute later.
    mutating func paso(_ mutation: some Mutation, _ role: Rol, user: String? = nil, at: Date? = nil) throws {
        let momento = at ?? ahora
        try store.run(mutation, as: role, user: user ?? Self.usuario(role), at: momento)
        ahora = max(ahora, momento.addingTimeInterval(60))
    }

    static func usuario(_ role: Rol) -> String {
        switch role {
        case .asesor: asesor
        case .agencia: agencia
        case .mediador: mediador
        case .delegacion: dr
        case .operacion: "sistema"
        case .mediacion: "gerencia-1"
        }
    }

    static let verificacion = VerificacionSesion()

    static func firma(_ hoy: Date, tipo: TipoConvenio = .ratificado) -> FirmarConvenio {
        FirmarConvenio(
            numeroCredito: credito, tipoConvenio: tipo, solucion: "Reestructura con descuento", montoPago: 5000,
            fechaLimitePrimerPago: CalendarioMX.fecha(hoy).adding(days: 30), factorPago: 1.25
        )
    }

    /// A scenario whose case has status `estatus` (`nil`: no case yet), built once and shared.
    static func en(_ estatus: EstatusCaso?) throws -> Escenario {
        guard let escenario = cache[estatus.map(\.rawValue) ?? "-"] else { throw FixtureError("no scenario") }
        return escenario
    }

    private static let cache: [String: Escenario] = {
        var cache: [String: Escenario] = [:]
        for estatus in [nil] + EstatusCaso.allCases.map(Optional.some) {
            cache[estatus.map(\.rawValue) ?? "-"] = try! construir(estatus)
        }
        return cache
    }()

    /// Walks the real mutations up to `estatus`.
    static func construir(_ estatus: EstatusCaso?, tipo: TipoConvenio = .ratificado) throws -> Escenario {
        var e = try base(tipo: tipo)
        let c = credito
        guard let estatus else { return e }
        switch estatus {
        case .mediacionNoAceptada:
            try e.paso(RegistrarNoAceptacion(numeroCredito: c), .asesor, at: Fixture.dia(1, 10))
            return e
        default:
            try e.paso(RegistrarAceptacion(numeroCredito: c), .asesor, at: Fixture.dia(1, 10))
        }
        if estatus == .enMediacion { return e }
        if estatus == .gestionNoAprobada {
            try e.paso(NoAprobarCaso(numeroCredito: c, motivo: "Registro duplicado"), .agencia, at: Fixture.dia(1, 11))
            return e
        }
        try e.paso(AprobarCaso(numeroCredito: c), .agencia, at: Fixture.dia(1, 11))
        if estatus == .aprobado { return e }
        try e.paso(DistribuirCaso(numeroCredito: c, mediador: mediador), .agencia, at: Fixture.dia(1, 12))
        try e.paso(DesignarRepresentante(numeroCredito: c, representante: "rep-1"), .agencia, at: Fixture.dia(1, 12, 30))
        switch estatus {
        case .distribuido:
            return e
        case .excluido:
            try e.paso(ExcluirCuenta(numeroCredito: c, criterio: .reestructuraActiva), .operacion, at: Fixture.dia(5))
            return e
        case .retiradoAutomaticamente:
            try e.paso(CerrarSinRegistro(numeroCredito: c), .operacion, at: Fixture.dia(32, 1))
            e.ahora = Fixture.dia(33)
            return e
        case .sesionNoAgendada:
            try e.paso(RegistrarNoAgendada(numeroCredito: c, causa: .sinContacto), .mediador, at: Fixture.dia(31, 9))
            return e
        default:
            break
        }
        try e.paso(
            AgendarSesion(numeroCredito: c, fechaHora: Fixture.dia(10, 11), medioConvocatoria: .whatsapp), .mediador,
            at: Fixture.dia(2)
        )
        if estatus == .sesionAgendada {
            e.ahora = Fixture.dia(10, 12)
            return e
        }
        if estatus == .sesionNoCelebrada {
            try e.paso(RegistrarSesionNoCelebrada(numeroCredito: c), .mediador, at: Fixture.dia(10, 13))
            return e
        }
        try e.paso(
            RegistrarSesionCelebrada(
                numeroCredito: c, verificacion: verificacion, identificacionAcreditado: .credencialParaVotar,
                asistioRepresentante: true
            ), .mediador, at: Fixture.dia(10, 13)
        )
        if estatus == .sesionCelebrada { return e }
        if estatus == .negativaFirma || estatus == .retirado {
            try e.paso(RegistrarNegativaFirma(numeroCredito: c, causa: .sinIngresos), .mediador, at: Fixture.dia(10, 14))
            if estatus == .retirado { try e.paso(RetirarCaso(numeroCredito: c), .operacion, at: Fixture.dia(11)) }
            return e
        }
        try e.paso(firma(Fixture.dia(10, 14), tipo: tipo), .mediador, at: Fixture.dia(10, 14))
        if estatus == .convenioFirmado { return e }
        try e.paso(EnviarConvenioDR(numeroCredito: c), .mediador, at: Fixture.dia(10, 15))
        if estatus == .convenioEnRevision { return e }
        if estatus == .cambiosSolicitados {
            try e.paso(SolicitarCambiosConvenio(numeroCredito: c, motivo: "Corregir domicilio"), .delegacion, at: Fixture.dia(11))
            return e
        }
        try e.paso(AprobarSolucion(numeroCredito: c), .delegacion, at: Fixture.dia(11))
        if estatus == .solucionAprobada { return e }
        let pago = RegistrarPrimerPago(numeroCredito: c, monto: 5000, fechaPago: CalendarioMX.fecha(Fixture.dia(15)))
        if estatus == .convenioVigente {
            try e.paso(pago, .agencia, at: Fixture.dia(15))
            return e
        }
        if tipo == .ratificado {
            try e.paso(
                InscribirConvenioCJA(
                    numeroCredito: c, fechaInscripcion: CalendarioMX.fecha(Fixture.dia(12)), numeroInscripcion: "CJA-2026-001",
                    autoridad: "Centro de Justicia Alternativa Ficticio"
                ), .mediador, at: Fixture.dia(12)
            )
        }
        precondition(estatus == .convenioIncumplido, "no path to \(estatus)")
        try e.paso(RegistrarIncumplimiento(numeroCredito: c), .agencia, at: Fixture.dia(50))
        return e
    }
}

/// For each workflow event, a mutation with valid data for a scenario, who performs it, when,
/// and what must happen first (without moving the status).
enum Muestra {
    static let eventosDeCaso: [EventoCaso] = EventoCaso.allCases.filter { $0 != .exclusion }

    static func rol(_ evento: EventoCaso) -> Rol {
        let tipo = Mediacion.mutacionesDeCaso.first { $0.evento == evento }!
        return Rol.allCases.first { tipo.allowedRoles.contains($0.rawValue) }!
    }

    /// When the action happens in scenario `e`: its time, or later where the event has a window.
    static func momento(_ evento: EventoCaso, _ e: Escenario) -> Date {
        let minimo: Date? =
            switch evento {
            case .noAgendada: Fixture.dia(31, 9)
            case .cierreSinRegistro: Fixture.dia(32, 1)
            case .cierreSinSesion: Fixture.dia(91, 1)
            default: nil
            }
        return max(e.ahora, minimo ?? e.ahora)
    }

    static func mutacion(_ evento: EventoCaso, _ hoy: Date) -> any Mutation {
        let c = Escenario.credito
        let fecha = CalendarioMX.fecha(hoy)
        return switch evento {
        case .aceptacion: RegistrarAceptacion(numeroCredito: c)
        case .noAceptacion: RegistrarNoAceptacion(numeroCredito: c)
        case .aceptacionPorAgencia: MarcarMediacionAceptada(numeroCredito: c)
        case .aprobacion: AprobarCaso(numeroCredito: c)
        case .noAprobacion: NoAprobarCaso(numeroCredito: c, motivo: "Registro no válido")
        case .distribucion: DistribuirCaso(numeroCredito: c, mediador: Escenario.mediador)
        case .redistribucion: RedistribuirCaso(numeroCredito: c, mediador: Escenario.otroMediador)
        case .designacionRepresentante: DesignarRepresentante(numeroCredito: c, representante: "rep-3")
        case .contacto: RegistrarContacto(numeroCredito: c, exitoso: true)
        case .noAgendada: RegistrarNoAgendada(numeroCredito: c, causa: .sinDiaNiHora)
        case .agenda: AgendarSesion(numeroCredito: c, fechaHora: hoy.addingTimeInterval(2 * 86_400), medioConvocatoria: .correoElectronico)
        case .solicitudConveniosPreliminares: SolicitarConveniosPreliminares(numeroCredito: c)
        case .entregaConveniosPreliminares: EntregarConveniosPreliminares(numeroCredito: c)
        case .sesionNoCelebrada: RegistrarSesionNoCelebrada(numeroCredito: c, motivo: "No asistió")
        case .reagenda: ReagendarSesion(numeroCredito: c, fechaHora: hoy.addingTimeInterval(3 * 86_400), medioConvocatoria: .mensajeSMS)
        case .sesionCelebrada:
            RegistrarSesionCelebrada(
                numeroCredito: c, verificacion: Escenario.verificacion, identificacionAcreditado: .pasaporte, asistioRepresentante: true
            )
        case .negativaFirma: RegistrarNegativaFirma(numeroCredito: c, causa: .desacuerdoAdeudo)
        case .firmaConvenio: Escenario.firma(hoy)
        case .encuesta: RegistrarEncuesta(numeroCredito: c)
        case .envioConvenio: EnviarConvenioDR(numeroCredito: c)
        case .solicitudCambios: SolicitarCambiosConvenio(numeroCredito: c, motivo: "Corregir monto")
        case .aprobacionSolucion: AprobarSolucion(numeroCredito: c)
        case .invitacionPago: InvitarPrimerPago(numeroCredito: c, medio: .telefono)
        case .inscripcionCJA:
            InscribirConvenioCJA(numeroCredito: c, fechaInscripcion: fecha, numeroInscripcion: "CJA-9", autoridad: "CJA Ficticio")
        case .primerPago: RegistrarPrimerPago(numeroCredito: c, monto: 5000, fechaPago: fecha)
        case .incumplimiento: RegistrarIncumplimiento(numeroCredito: c)
        case .entregaExpediente: EntregarExpediente(numeroCredito: c, documentos: DocumentoExpediente.allCases)
        case .solicitudAclaracionExpediente: SolicitarAclaracionExpediente(numeroCredito: c, motivo: "Falta una copia")
        case .respuestaAclaracionExpediente: ResponderAclaracionExpediente(numeroCredito: c)
        case .aceptacionExpediente: AceptarExpediente(numeroCredito: c)
        case .validacionDerechos: ValidarPagoDerechos(numeroCredito: c, fechaConstancias: fecha, monto: 850)
        case .digitalizacionExpediente: DigitalizarExpediente(numeroCredito: c)
        case .envioANEC: EnviarExpedienteANEC(numeroCredito: c, numeroGuia: "GUIA-0001", fechaEnvio: fecha)
        case .retiro: RetirarCaso(numeroCredito: c)
        case .exclusion: ExcluirCuenta(numeroCredito: c, criterio: .prorrogaActiva)
        case .cierreSinRegistro: CerrarSinRegistro(numeroCredito: c)
        case .cierreSinSesion: CerrarSinSesion(numeroCredito: c)
        }
    }

    /// What must happen before `evento` can apply in scenario `e` (the status stays).
    static func preparar(_ evento: EventoCaso, _ e: inout Escenario) throws {
        let c = Escenario.credito
        let caso = try? e.store.caso()
        func expedienteHasta(_ ultimo: EventoCaso) throws {
            let orden: [EventoCaso] = [.entregaExpediente, .aceptacionExpediente, .validacionDerechos, .digitalizacionExpediente]
            if caso?.convenio != nil && caso?.inscripcionCJA == nil {
                try e.paso(mutacion(.inscripcionCJA, e.ahora), .mediador)
            }
            for paso in orden.prefix(while: { $0 != ultimo }) {
                try e.paso(mutacion(paso, e.ahora), rol(paso))
            }
        }
        switch evento {
        case .aceptacionPorAgencia:
            try e.paso(ImportarCuenta(cuenta: Fixture.cuenta(tipo: .ratificado, segmento: .recuperacionEspecializada)), .operacion)
        case .entregaConveniosPreliminares:
            try e.paso(SolicitarConveniosPreliminares(numeroCredito: c), .mediador)
        case .entregaExpediente, .aceptacionExpediente, .validacionDerechos, .digitalizacionExpediente:
            try expedienteHasta(evento)
        case .solicitudAclaracionExpediente:
            try expedienteHasta(.aceptacionExpediente)
        case .respuestaAclaracionExpediente:
            try expedienteHasta(.aceptacionExpediente)
            try e.paso(mutacion(.solicitudAclaracionExpediente, e.ahora), .delegacion)
        case .envioANEC:
            try expedienteHasta(.envioANEC)
        default:
            break
        }
    }
}
