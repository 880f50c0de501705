import Foundation
import GestionClient
import Mediacion
import SyncCore

/// What a user sees on its device: the records of its replica, decoded.
struct LocalView {
    var cuentas: [Cuenta] = []
    var casos: [String: Caso] = [:]
    var sesiones: [String: Sesion] = [:]
    var contactos: [String: DatosContacto] = [:]
    var convenios: [String: Convenio] = [:]
    /// Open conflicts of the review queue, by id.
    var conflictosAbiertos: [String] = []
    var mediadores: [String] = []
    var representantes: [Representante] = []

    init(replica: LocalReplica) throws(ReplicaError) {
        cuentas = try replica.records(in: Cuenta.collection).compactMap { try? Cuenta(body: $0.body) }
        for record in try replica.records(in: Caso.collection) {
            if let caso = try? Caso(body: record.body) { casos[caso.id] = caso }
        }
        for record in try replica.records(in: Sesion.collection) {
            if let sesion = try? Sesion(body: record.body) { sesiones[sesion.id] = sesion }
        }
        for record in try replica.records(in: DatosContacto.collection) {
            if let contacto = try? DatosContacto(body: record.body) { contactos[contacto.id] = contacto }
        }
        for record in try replica.records(in: Convenio.collection) {
            if let convenio = try? Convenio(body: record.body) { convenios[convenio.id] = convenio }
        }
        conflictosAbiertos = try replica.records(in: ConflictRecord.collection)
            .filter { $0.body["status"]?.stringValue == "open" }.map(\.key.id)
        mediadores = try replica.records(in: Mediador.collection).map(\.key.id)
        representantes = try replica.records(in: Representante.collection).compactMap { try? Representante(body: $0.body) }
    }
}

/// One action a user is about to perform: the mutation, its arguments, and whether the user's
/// view says the workflow allows it (an illegal one is tried on purpose).
struct PlannedAction {
    var name: String
    var args: JSONObject
    var legal: Bool
    /// The account it is about, for the trace.
    var subject: String
}

/// The users' behaviour: for a role and what its device shows, the actions the procedure allows
/// now (mostly chosen) and others it does not (tried now and then: wrong status, bad data,
/// someone else's account). Every choice is drawn from the simulation's generator.
enum Workload {
    /// The situation of one account as a user sees it.
    struct Situation {
        var user: SimUser
        var cuenta: Cuenta
        var caso: Caso?
        var view: LocalView
        /// The device's clock.
        var now: Date

        var ronda: Int? { cuenta.ronda > 1 ? cuenta.ronda : nil }
        var hoy: FechaCivil { CalendarioMX.fecha(now) }
        var contacto: DatosContacto? { view.contactos[cuenta.numeroCredito] }
        var sesion: Sesion? { caso.flatMap { caso in caso.sesiones > 0 ? view.sesiones[caso.sesionID(caso.sesiones)] : nil } }
        var convenio: Convenio? { caso?.convenio.flatMap { view.convenios[$0] } }
        var estatus: EstatusCaso? { caso?.estatus }
        var esMio: Bool { caso?.mediador == user.id }
        /// The day of the plazos the user is on (acceptance = day 1), by the device's clock.
        var dia: Int? { caso?.diaAceptacion.map { CalendarioMX.numeroDeDia(hoy, desde: $0) } }
        var sesionLlego: Bool { sesion.map { hoy >= CalendarioMX.fecha($0.fechaHora) } ?? false }
        func en(_ estatus: [EstatusCaso]) -> Bool { caso.map { estatus.contains($0.estatus) } ?? false }
    }

    /// One kind of action: who may do it, how often users pick it, when the procedure allows it,
    /// and its arguments.
    struct Move: Sendable {
        var name: String
        var role: Rol
        var weight: Double
        var when: @Sendable (Situation) -> Bool
        var args: @Sendable (Situation, inout SimRandom) -> JSONObject
    }

    static let enSesiones: [EstatusCaso] = [.distribuido, .sesionAgendada, .sesionNoCelebrada, .sesionCelebrada]
    static let concluidos: [EstatusCaso] = [.solucionAprobada, .convenioVigente, .convenioIncumplido, .negativaFirma, .retirado]
    static let plazos = Plazos.procedimiento

    /// Chooses what `user` does next on a device showing `view` at `now`, or `nil` when there is
    /// nothing to do. Mostly an action the procedure allows now; now and then one it does not.
    static func plan(for user: SimUser, view: LocalView, now: Date, random: inout SimRandom) -> PlannedAction? {
        let situations = view.cuentas.map { cuenta in
            Situation(user: user, cuenta: cuenta, caso: view.casos[cuenta.casoActual], view: view, now: now)
        }
        var legal: [(Candidate, Double)] = []
        var illegal: [(Candidate, Double)] = []
        for move in moves where move.role == user.role {
            for situation in situations {
                if move.when(situation) {
                    legal.append((.move(move, situation), move.weight))
                } else {
                    illegal.append((.move(move, situation), move.weight))
                }
            }
        }
        if [.agencia, .mediacion].contains(user.role) {
            for conflicto in view.conflictosAbiertos { legal.append((.resolve(conflicto), 4)) }
        }
        let chosen: Candidate?
        if random.chance(0.15) || legal.isEmpty {
            if random.chance(0.3) { return foreign(for: user, view: view, random: &random) }
            chosen = random.weighted(illegal)
        } else {
            chosen = random.weighted(legal)
        }
        switch chosen {
        case .move(let move, let situation)?:
            return PlannedAction(
                name: move.name, args: move.args(situation, &random), legal: move.when(situation), subject: situation.cuenta.numeroCredito
            )
        case .resolve(let conflicto)?:
            let eleccion: ConflictChoice = random.chance(0.7) ? .keep : .replace
            let args = encode(ResolverConflicto(conflicto: conflicto, eleccion: eleccion, motivo: "Revisado en la simulación"))
            return PlannedAction(name: ResolverConflicto.name, args: args, legal: true, subject: conflicto)
        case nil:
            return nil
        }
    }

    enum Candidate {
        case move(Move, Situation)
        case resolve(String)
    }

    /// An action that cannot be right: another role's mutation, bad data or an account the
    /// device does not hold.
    static func foreign(for user: SimUser, view: LocalView, random: inout SimRandom) -> PlannedAction? {
        let credito = view.cuentas.isEmpty || random.chance(0.3) ? "3999999999" : random.pick(view.cuentas).numeroCredito
        switch random.int(in: 0...3) {
        case 0:
            let otras = moves.filter { $0.role != user.role }
            let move = random.pick(otras)
            return PlannedAction(name: move.name, args: ["numeroCredito": .string(credito)], legal: false, subject: credito)
        case 1:
            return PlannedAction(
                name: RegistrarDatosContacto.name, args: ["numeroCredito": .string(credito), "telefonoFijo": "12-34"], legal: false,
                subject: credito
            )
        case 2:
            return PlannedAction(
                name: NoAprobarCaso.name, args: ["numeroCredito": .string(credito), "motivo": "  "], legal: false, subject: credito
            )
        default:
            return PlannedAction(name: "borrarExpediente", args: ["numeroCredito": .string(credito)], legal: false, subject: credito)
        }
    }

    static func encode(_ mutation: some Mutation) -> JSONObject {
        (try? JSONValueEncoder().encode(mutation))?.objectValue ?? [:]
    }

    /// A session date `1...4` days after `now` at 10:00–17:00 Mexico City, sometimes today.
    static func fechaSesion(_ now: Date, _ random: inout SimRandom) -> Date {
        let dia = CalendarioMX.fecha(now).adding(days: random.int(in: 0...4))
        let inicio = CalendarioMX.inicio(dia).addingTimeInterval(Double(random.int(in: 10...17)) * 3600)
        return max(inicio, now.addingTimeInterval(600))
    }

    static let moves: [Move] = asesor + mediador + agencia + delegacion

    // MARK: Asesor

    static let asesor: [Move] = [
        Move(
            name: RegistrarAceptacion.name, role: .asesor, weight: 3, when: { $0.caso == nil && $0.cuenta.exclusion == nil },
            args: { s, _ in encode(RegistrarAceptacion(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: RegistrarNoAceptacion.name, role: .asesor, weight: 0.5, when: { $0.caso == nil && $0.cuenta.exclusion == nil },
            args: { s, _ in encode(RegistrarNoAceptacion(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: RegistrarAvisoPrivacidad.name, role: .asesor, weight: 0.6, when: { $0.contacto?.avisoPrivacidadMostrado == nil },
            args: { s, _ in encode(RegistrarAvisoPrivacidad(numeroCredito: s.cuenta.numeroCredito)) }
        ),
        Move(
            name: RegistrarDatosContacto.name, role: .asesor, weight: 0.8, when: { $0.contacto?.avisoPrivacidadMostrado != nil },
            args: { s, random in datosContacto(s, &random) }
        ),
    ]

    static func datosContacto(_ s: Situation, _ random: inout SimRandom) -> JSONObject {
        let n = random.int(in: 10...99)
        switch random.int(in: 0...2) {
        case 0: return encode(RegistrarDatosContacto(numeroCredito: s.cuenta.numeroCredito, telefonoCelular: "55 1000-00\(n)"))
        case 1: return encode(RegistrarDatosContacto(numeroCredito: s.cuenta.numeroCredito, telefonoFijo: "81 2000-00\(n)"))
        default:
            return encode(RegistrarDatosContacto(numeroCredito: s.cuenta.numeroCredito, correoElectronico: "contacto.\(n)@example.com"))
        }
    }

    // MARK: Mediador

    static let mediador: [Move] = [
        Move(
            name: RegistrarAvisoPrivacidad.name, role: .mediador, weight: 0.3,
            when: { $0.esMio && $0.contacto?.avisoPrivacidadMostrado == nil },
            args: { s, _ in encode(RegistrarAvisoPrivacidad(numeroCredito: s.cuenta.numeroCredito)) }
        ),
        Move(
            name: RegistrarDatosContacto.name, role: .mediador, weight: 0.4,
            when: { $0.esMio && $0.contacto?.avisoPrivacidadMostrado != nil }, args: { s, random in datosContacto(s, &random) }
        ),
        Move(
            name: RegistrarContacto.name, role: .mediador, weight: 1,
            when: { $0.esMio && $0.en([.distribuido, .sesionAgendada, .sesionNoCelebrada]) },
            args: { s, random in
                encode(RegistrarContacto(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, exitoso: random.chance(0.6)))
            }
        ),
        Move(
            name: AgendarSesion.name, role: .mediador, weight: 3,
            when: { s in
                s.esMio && ((s.en([.distribuido]) && (s.dia ?? 0) <= plazos.ultimoDiaRegistroAgenda) || s.en([.sesionCelebrada]))
            },
            args: { s, random in
                encode(
                    AgendarSesion(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, fechaHora: fechaSesion(s.now, &random),
                        medioConvocatoria: random.pick(MedioConvocatoria.allCases)
                    )
                )
            }
        ),
        Move(
            name: RegistrarNoAgendada.name, role: .mediador, weight: 2,
            when: { s in
                s.esMio && s.en([.distribuido])
                    && (plazos.primerDiaNoAgendada...plazos.ultimoDiaRegistroAgenda).contains(s.dia ?? 0)
            },
            args: { s, random in
                encode(
                    RegistrarNoAgendada(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, causa: random.pick(CausaNoAgendada.allCases))
                )
            }
        ),
        Move(
            name: SolicitarConveniosPreliminares.name, role: .mediador, weight: 0.6,
            when: { $0.esMio && $0.en([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada]) && $0.caso?.conveniosPreliminaresSolicitados == nil },
            args: { s, _ in encode(SolicitarConveniosPreliminares(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: RegistrarSesionNoCelebrada.name, role: .mediador, weight: 1,
            when: { $0.esMio && $0.en([.sesionAgendada]) && $0.sesionLlego },
            args: { s, _ in encode(RegistrarSesionNoCelebrada(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, motivo: "No asistió")) }
        ),
        Move(
            name: RegistrarSesionCelebrada.name, role: .mediador, weight: 3,
            when: { $0.esMio && $0.en([.sesionAgendada]) && $0.sesionLlego },
            args: { s, random in
                encode(
                    RegistrarSesionCelebrada(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, verificacion: VerificacionSesion(),
                        identificacionAcreditado: random.pick(TipoIdentificacion.allCases), asistioRepresentante: true
                    )
                )
            }
        ),
        Move(
            name: ReagendarSesion.name, role: .mediador, weight: 3,
            when: { $0.esMio && $0.en([.sesionNoCelebrada]) && ($0.caso?.reagendas ?? 0) == 0 },
            args: { s, random in
                encode(
                    ReagendarSesion(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, fechaHora: fechaSesion(s.now, &random),
                        medioConvocatoria: random.pick(MedioConvocatoria.allCases)
                    )
                )
            }
        ),
        Move(
            name: RegistrarNegativaFirma.name, role: .mediador, weight: 1, when: { $0.esMio && $0.en([.sesionCelebrada]) },
            args: { s, random in
                encode(
                    RegistrarNegativaFirma(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, causa: random.pick(CausaNegativaFirma.allCases)
                    )
                )
            }
        ),
        Move(
            name: FirmarConvenio.name, role: .mediador, weight: 3,
            when: { $0.esMio && $0.en([.sesionCelebrada]) && $0.caso?.representante != nil },
            args: { s, random in
                encode(
                    FirmarConvenio(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda,
                        tipoConvenio: random.chance(0.9) ? s.cuenta.tipoConvenio : random.pick(TipoConvenio.allCases),
                        solucion: "Reestructura con descuento", montoPago: Double(random.int(in: 5...40)) * 100,
                        fechaLimitePrimerPago: s.hoy.adding(days: random.int(in: 5...20)), factorPago: 1.25
                    )
                )
            }
        ),
        Move(
            name: RegistrarEncuesta.name, role: .mediador, weight: 0.5,
            when: { $0.esMio && $0.en([.sesionCelebrada, .negativaFirma, .convenioFirmado]) && $0.caso?.encuestaEntregada == nil },
            args: { s, _ in encode(RegistrarEncuesta(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: EnviarConvenioDR.name, role: .mediador, weight: 3, when: { $0.esMio && $0.en([.convenioFirmado, .cambiosSolicitados]) },
            args: { s, _ in encode(EnviarConvenioDR(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: InscribirConvenioCJA.name, role: .mediador, weight: 2,
            when: { s in
                s.esMio && s.en([.solucionAprobada, .convenioVigente]) && s.convenio?.tipo == .ratificado && s.caso?.inscripcionCJA == nil
            },
            args: { s, random in
                encode(
                    InscribirConvenioCJA(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, fechaInscripcion: s.hoy,
                        numeroInscripcion: "CJA-\(random.int(in: 1000...9999))", autoridad: "Centro de Justicia Alternativa"
                    )
                )
            }
        ),
        Move(
            name: InvitarPrimerPago.name, role: .mediador, weight: 0.4, when: { $0.esMio && $0.en([.solucionAprobada]) },
            args: { s, random in
                encode(InvitarPrimerPago(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, medio: random.pick(MedioInvitacionPago.allCases)))
            }
        ),
        Move(
            name: EntregarExpediente.name, role: .mediador, weight: 2,
            when: { s in
                s.esMio && s.en(concluidos) && s.caso?.expediente == nil
                    && (s.convenio?.tipo != .ratificado || s.caso?.inscripcionCJA != nil)
                    && (s.caso?.convenio != nil || (s.caso?.sesionesCelebradas ?? 0) > 0)
            },
            args: { s, _ in
                let firmado = s.caso?.convenio != nil
                return encode(
                    EntregarExpediente(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda,
                        documentos: DocumentoExpediente.requeridos(firmado: firmado, tipo: s.convenio?.tipo)
                    )
                )
            }
        ),
        Move(
            name: ResponderAclaracionExpediente.name, role: .mediador, weight: 2,
            when: { $0.esMio && $0.caso?.expediente == .aclaracionSolicitada },
            args: { s, _ in
                encode(ResponderAclaracionExpediente(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, documentos: [.otros]))
            }
        ),
    ]

    // MARK: Agencia

    static let agencia: [Move] = [
        Move(
            name: AprobarCaso.name, role: .agencia, weight: 3, when: { $0.en([.enMediacion]) },
            args: { s, _ in encode(AprobarCaso(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: NoAprobarCaso.name, role: .agencia, weight: 0.2, when: { $0.en([.enMediacion]) },
            args: { s, _ in encode(NoAprobarCaso(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, motivo: "Registro incompleto")) }
        ),
        Move(
            name: DistribuirCaso.name, role: .agencia, weight: 3, when: { $0.en([.aprobado]) && !$0.view.mediadores.isEmpty },
            args: { s, random in
                encode(
                    DistribuirCaso(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda,
                        mediador: s.view.mediadores.isEmpty ? "mediador.uno" : random.pick(s.view.mediadores)
                    )
                )
            }
        ),
        Move(
            name: DesignarRepresentante.name, role: .agencia, weight: 2,
            when: { $0.en([.aprobado] + enSesiones) && $0.caso?.representante == nil && !$0.view.representantes.isEmpty },
            args: { s, random in
                let conPoderes = s.view.representantes.filter(\.poderesLegales)
                let opciones = s.cuenta.tipoConvenio == .administrativo || random.chance(0.1) || conPoderes.isEmpty
                    ? s.view.representantes : conPoderes
                let clave = opciones.isEmpty ? "REP-1" : random.pick(opciones).clave
                return encode(DesignarRepresentante(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, representante: clave))
            }
        ),
        Move(
            name: RedistribuirCaso.name, role: .agencia, weight: 0.35, when: { $0.en(enSesiones) && $0.view.mediadores.count > 1 },
            args: { s, random in
                let otros = s.view.mediadores.filter { $0 != s.caso?.mediador }
                return encode(
                    RedistribuirCaso(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, mediador: otros.isEmpty ? "mediador.dos" : random.pick(otros)
                    )
                )
            }
        ),
        Move(
            name: InvitarPrimerPago.name, role: .agencia, weight: 0.5, when: { $0.en([.solucionAprobada]) },
            args: { s, random in
                encode(InvitarPrimerPago(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, medio: random.pick(MedioInvitacionPago.allCases)))
            }
        ),
    ]

    // MARK: Delegación

    static let delegacion: [Move] = [
        Move(
            name: EntregarConveniosPreliminares.name, role: .delegacion, weight: 2,
            when: { s in
                s.en([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada]) && s.caso?.conveniosPreliminaresSolicitados != nil
                    && s.caso?.conveniosPreliminaresRecibidos == nil
            },
            args: { s, _ in encode(EntregarConveniosPreliminares(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: AprobarSolucion.name, role: .delegacion, weight: 3, when: { $0.en([.convenioEnRevision]) },
            args: { s, _ in encode(AprobarSolucion(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: SolicitarCambiosConvenio.name, role: .delegacion, weight: 1, when: { $0.en([.convenioEnRevision]) },
            args: { s, _ in
                encode(SolicitarCambiosConvenio(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, motivo: "Falta la identificación"))
            }
        ),
        Move(
            name: AceptarExpediente.name, role: .delegacion, weight: 3, when: { $0.caso?.expediente == .entregado },
            args: { s, _ in encode(AceptarExpediente(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: SolicitarAclaracionExpediente.name, role: .delegacion, weight: 1, when: { $0.caso?.expediente == .entregado },
            args: { s, _ in
                encode(SolicitarAclaracionExpediente(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, motivo: "Copia ilegible"))
            }
        ),
        Move(
            name: ValidarPagoDerechos.name, role: .delegacion, weight: 2,
            when: { s in
                s.caso?.expediente == .aceptado && [.ratificado, .notarial].contains(s.convenio?.tipo) && s.caso?.pagoDerechos == nil
            },
            args: { s, _ in
                encode(ValidarPagoDerechos(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, fechaConstancias: s.hoy, monto: 350))
            }
        ),
        Move(
            name: DigitalizarExpediente.name, role: .delegacion, weight: 2,
            when: { s in
                s.caso?.expediente == .aceptado && s.convenio != nil
                    && (s.convenio?.tipo == .administrativo || s.caso?.pagoDerechos != nil)
            },
            args: { s, _ in encode(DigitalizarExpediente(numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda)) }
        ),
        Move(
            name: EnviarExpedienteANEC.name, role: .delegacion, weight: 2, when: { $0.caso?.expediente == .digitalizado },
            args: { s, random in
                encode(
                    EnviarExpedienteANEC(
                        numeroCredito: s.cuenta.numeroCredito, ronda: s.ronda, numeroGuia: "GUIA-\(random.int(in: 1000...9999))",
                        fechaEnvio: s.hoy
                    )
                )
            }
        ),
    ]
}
