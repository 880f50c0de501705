import Foundation
import SyncCore

/// What the documentation says about a mutation, declared next to it (see
/// `Mediacion.documentacion()`). Status preconditions of case-level mutations come from
/// `FlujoMediacion` and are not repeated here.
public struct Ficha: Sendable {
    /// Where the procedure describes the step: "G11", "Anexo 1 A7", "Procedimiento 35".
    public var actividad: String
    /// Preconditions besides the case's status, in words.
    public var precondiciones: [String]
    /// The data it captures, in words (argument names as on the wire).
    public var datos: [String]
    /// The deadline or window it enforces or starts, if any.
    public var plazo: String?

    public init(_ actividad: String, precondiciones: [String] = [], datos: [String], plazo: String? = nil) {
        self.actividad = actividad
        self.precondiciones = precondiciones
        self.datos = datos
        self.plazo = plazo
    }
}

/// A mutation of the mediation domain, with its documentation.
public protocol MutacionMediacion: Mutation {
    static var ficha: Ficha { get }
}

/// A mutation on one mediation case: the round `ronda` (absent: round 1) of the account
/// `numeroCredito`. Its `apply` loads the account and the case, undoes an automatic closure the
/// action arrives in time to prevent, asks `FlujoMediacion` whether `evento` is legal, checks that
/// a mediator acts only on the cases distributed to it, runs `efectuar`, moves the status and
/// writes the case and its history entry.
public protocol MutacionDeCaso: MutacionMediacion {
    /// The workflow event of the mutation.
    static var evento: EventoCaso { get }
    var numeroCredito: String { get }
    /// The mediation round the action is for; `nil` means round 1. Refused (`ronda_no_vigente`)
    /// when absent once the account is in a later round, or when later than the account's round;
    /// an explicit earlier round acts on that round's (ended) case.
    var ronda: Int? { get }
    /// Checks the mutation's own preconditions and writes its effect. The workflow already allowed
    /// the event; the runner sets the new status afterwards.
    func efectuar(_ paso: inout PasoDeCaso) throws
    /// A refusal more specific than the workflow's, checked before it (e.g. a second reschedule).
    func rechazoPrevio(_ caso: Caso) -> MutationRejection?
}

extension MutacionDeCaso {
    public func rechazoPrevio(_ caso: Caso) -> MutationRejection? { nil }

    /// The case's record: concurrent changes to it are what the conflict rules judge. The
    /// borrower's answer also depends on the account (an exclusion makes it moot).
    public func conflictTargets() -> [RecordKey] {
        let caso = Caso.key(Caso.id(numeroCredito: numeroCredito, ronda: ronda ?? 1))
        return Self.evento.abreCaso ? [caso, Cuenta.key(numeroCredito)] : [caso]
    }

    public static var conflictCollections: Set<String> {
        evento.abreCaso ? [Caso.collection, Cuenta.collection] : [Caso.collection]
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        let cuenta = try records.cuenta(numeroCredito)
        // No round means round 1: refused once the account is in a later round, so that a device
        // unaware of a re-mediation does not act on the wrong case. An explicit earlier round is
        // allowed (its case's final status lets only its expediente be handled).
        let pedida = ronda ?? 1
        guard (1...cuenta.ronda).contains(pedida), ronda != nil || cuenta.ronda == 1,
            pedida == cuenta.ronda || !Self.evento.abreCaso
        else { throw Rechazo.rondaNoVigente(pedida: pedida, actual: cuenta.ronda) }
        if Self.evento.abreCaso, let criterio = cuenta.exclusion { throw Rechazo.cuentaExcluida(criterio) }
        let casoId = Caso.id(numeroCredito: numeroCredito, ronda: pedida)
        let existente = try records.read(Caso.self, casoId)
        var caso = existente ?? Caso(numeroCredito: numeroCredito, ronda: pedida, estatus: .enMediacion, asesor: nil)
        let hoy = CalendarioMX.fecha(context.occurredAt)

        var reapertura: CierreAutomatico?
        if let existente, existente.estatus == .retiradoAutomaticamente, let cierre = existente.cierre {
            // Only the current round reopens: a re-mediation label already replaced a closed round.
            guard FlujoMediacion.permite(cierre.estatusAnterior, Self.evento), hoy <= cierre.ultimoDiaPermitido,
                pedida == cuenta.ronda
            else {
                if Self.evento.abreCaso {
                    throw TransicionInvalida(estatus: existente.estatus, evento: Self.evento, motivo: .respuestaYaRegistrada).rechazo
                }
                let dia = existente.diaAceptacion.map { CalendarioMX.numeroDeDia(hoy, desde: $0) } ?? 0
                throw Rechazo.cerradoAutomaticamente(cierre, evento: Self.evento, dia: dia, fecha: hoy)
            }
            var deshecho = cierre
            deshecho.deshecho = CierreDeshecho(
                accion: Self.name, ocurrido: context.occurredAt, usuario: context.author.userID,
                dispositivo: context.author.clientID
            )
            caso.cierresDeshechos.append(deshecho)
            caso.cierre = nil
            caso.estatus = cierre.estatusAnterior
            reapertura = deshecho
        }

        if existente != nil, let rechazo = rechazoPrevio(caso) { throw rechazo }
        let desde: EstatusCaso? = existente == nil ? nil : caso.estatus
        let hacia: EstatusCaso
        switch FlujoMediacion.siguiente(desde, Self.evento) {
        case .success(let destino): hacia = destino
        case .failure(let invalida): throw invalida.rechazo
        }
        if context.author.role == Rol.mediador.rawValue, existente != nil, caso.mediador != context.author.userID {
            throw Rechazo.mediadorNoAsignado()
        }

        var paso = PasoDeCaso(
            context: context, cuenta: cuenta, caso: caso, nuevo: existente == nil, hacia: hacia, plazos: try records.plazos(),
            records: records
        )
        try efectuar(&paso)
        if paso.sinCambios && reapertura == nil { return .applied }

        records = paso.records
        if paso.caso.estatus != hacia || existente == nil {
            paso.caso.estatus = hacia
            paso.caso.fechaEstatus = context.occurredAt
        }
        if let reapertura {
            var nota = Anotacion(casoId: casoId, numeroCredito: numeroCredito)
            nota.estatusAnterior = .retiradoAutomaticamente
            nota.estatusNuevo = reapertura.estatusAnterior
            nota.detalle = [
                "reglaCierre": reapertura.regla.rawValue, "fechaCierre": RFC3339.string(from: reapertura.fecha),
                "ultimoDiaPermitido": reapertura.ultimoDiaPermitido.description, "accionQueDeshace": Self.name,
            ]
            records.anotar(
                context, accion: "deshacerCierre",
                descripcion: "Automatic closure undone: the action counts on \(hoy), within its deadline "
                    + "(\(reapertura.ultimoDiaPermitido)).", nota, sufijo: "reapertura"
            )
        }
        records.write(paso.caso)
        var nota = paso.anotacion
        nota.casoId = casoId
        nota.numeroCredito = numeroCredito
        nota.estatusAnterior = desde
        nota.estatusNuevo = paso.caso.estatus
        records.anotar(context, accion: Self.name, descripcion: Self.summary, nota)
        if let reapertura, paso.resultado.resolution == nil {
            return MutationOutcome(
                resolution: "This action counts on \(hoy), within the deadline (\(reapertura.ultimoDiaPermitido)): it undid the "
                    + "automatic closure of the case (“\(reapertura.regla.rawValue)”)."
            )
        }
        return paso.resultado
    }
}

/// The case a `MutacionDeCaso` acts on, while it applies: what it may read and what it writes.
public struct PasoDeCaso {
    public let context: MutationContext
    public let cuenta: Cuenta
    /// The case; created (status to be set) when `nuevo`.
    public var caso: Caso
    /// Whether the action creates the round's case.
    public let nuevo: Bool
    /// The status the workflow moves the case to.
    public let hacia: EstatusCaso
    /// The plazos in force.
    public let plazos: Plazos
    /// Other records the action writes.
    public var records: RecordWriter
    /// Facts for the history entry.
    var anotacion = Anotacion()
    /// Set when the action changes nothing (e.g. a survey recorded twice): nothing is written.
    var sinCambios = false
    var resultado = MutationOutcome.applied

    init(
        context: MutationContext, cuenta: Cuenta, caso: Caso, nuevo: Bool, hacia: EstatusCaso, plazos: Plazos,
        records: RecordWriter
    ) {
        self.context = context
        self.cuenta = cuenta
        self.caso = caso
        self.nuevo = nuevo
        self.hacia = hacia
        self.plazos = plazos
        self.records = records
    }

    /// The Mexico City date the action counts on.
    public var hoy: FechaCivil { CalendarioMX.fecha(context.occurredAt) }

    /// Day 1 of the plazos: the acceptance date (the action's own date for a case without one).
    public var diaUno: FechaCivil { caso.diaAceptacion ?? hoy }

    /// The number of the day the action counts on, counted from the acceptance as day 1.
    public var diaDeHoy: Int { CalendarioMX.numeroDeDia(hoy, desde: diaUno) }

    /// The number of the day `instante` falls on, counted from the acceptance as day 1.
    public func dia(de instante: Date) -> Int { CalendarioMX.numeroDeDia(CalendarioMX.fecha(instante), desde: diaUno) }

    /// The date of day `n` counted from the acceptance as day 1.
    public func fecha(delDia n: Int) -> FechaCivil { CalendarioMX.dia(n, desde: diaUno) }

    /// Refuses unless the action counts by day `ultimo` after the acceptance.
    func exigir(hastaElDia ultimo: Int, _ accion: String) throws(MutationRejection) {
        guard diaDeHoy <= ultimo else { throw Rechazo.fueraDePlazo(accion, ultimoDia: ultimo, dia: diaDeHoy) }
    }

    /// Refuses unless the session date falls by day `diasParaSesion` and not before the action.
    func exigirFechaDeSesion(_ fechaHora: Date) throws(MutationRejection) {
        guard CalendarioMX.fecha(fechaHora) >= hoy else { throw Rechazo.fechaEnElPasado() }
        let ultimo = plazos.ultimoDiaSesion
        guard dia(de: fechaHora) <= ultimo else {
            throw Rechazo.fechaFueraDePlazo(dias: plazos.diasParaSesion, limite: fecha(delDia: ultimo))
        }
    }

    /// The session record `numero` of the case.
    func sesion(_ numero: Int) throws -> Sesion {
        guard let sesion = try records.read(Sesion.self, caso.sesionID(numero)) else {
            throw StoredRecordError(collection: Sesion.collection, reason: "session \(numero) of a case is missing")
        }
        return sesion
    }

    /// Adds a fact to the history entry.
    mutating func anotar(_ clave: String, _ valor: String) {
        anotacion.detalle[clave] = valor
    }
}

extension Ficha {
    /// The preconditions every case-level mutation shares, in words.
    static let comunes = "the account exists; the action is for its current round"
}
