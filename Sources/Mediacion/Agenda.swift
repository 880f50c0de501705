import Foundation
import SyncCore

/// What one user has to do, by date: the deadlines of the cases their device holds that their
/// role acts on, overdue, due today and due in the next few days, and (for an asesor) the accounts
/// still to visit.
///
/// A pure function of the user, the records and the Mexico City date, built on
/// `Vencimientos.pendientes`: the device computes it offline from its replica (`gestion agenda`)
/// and the server from the records of the user's scope (`gestion-server admin agenda`), and both
/// give the same lists.
///
/// ```swift
/// let agenda = Agenda.calcular(usuario: perfil, registros: registros, hoy: CalendarioMX.fecha(Date()))
/// for item in agenda.vencidos { print(item.numeroCredito, item.pendiente) }
/// ```
///
/// Items carry the credit number, never the borrower's name or contact data.
public struct Agenda: Sendable, Equatable, Codable {
    /// What happens when an item's deadline passes.
    public enum Consecuencia: String, Sendable, Hashable, Codable {
        /// An overdue alert for people; nothing changes by itself.
        case alerta
        /// The server closes the case automatically the day after the deadline (G10, G15).
        case cierreAutomatico
        /// The convenio is breached if the first payment does not come by the deadline.
        case incumplimiento
        /// No deadline (an account to visit).
        case ninguna
    }

    /// One thing to do.
    public struct Item: Sendable, Hashable, Codable {
        /// The case (`<credito>-<ronda>`); `nil` for an account with no answer yet.
        public var casoId: String?
        /// The credit number (the account's key; never the borrower's name).
        public var numeroCredito: String
        /// The mediation round (the account's current round for a visit).
        public var ronda: Int
        /// The case's status; `nil` for an account with no answer yet.
        public var estatus: EstatusCaso?
        /// What is due, in words.
        public var pendiente: String
        /// The setting that sets the deadline; `nil` for the first payment (the convenio sets it)
        /// and for visits.
        public var plazo: NombrePlazo?
        /// The last date it may be done; `nil` for visits.
        public var fechaLimite: FechaCivil?
        /// Days from the agenda's date to `fechaLimite`: negative when overdue, 0 today.
        public var diasRestantes: Int?
        /// What happens when the deadline passes.
        public var consecuencia: Consecuencia
        /// For an automatic closure: the rule and the day the server closes the case.
        public var reglaCierre: ReglaCierre?
        public var fechaCierre: FechaCivil?
        /// The role that must act.
        public var responsable: Rol
    }

    /// The user whose agenda it is.
    public var usuario: String
    /// The user's role (`asesor`, `mediador`..., or `admin`).
    public var rol: String
    /// The Mexico City date the agenda is for.
    public var fecha: FechaCivil
    /// How many days after `fecha` count as "due soon".
    public var diasProximos: Int
    /// Deadlines before `fecha`, oldest first.
    public var vencidos: [Item]
    /// Deadlines on `fecha`.
    public var paraHoy: [Item]
    /// Deadlines in the `diasProximos` days after `fecha`, earliest first.
    public var proximos: [Item]
    /// Accounts with no answer yet in their current round, for the asesor to visit (G3–G4): no
    /// deadline in the procedure.
    public var porVisitar: [Item]

    /// The default window of "due soon", in days.
    public static let diasProximosPredeterminados = 3

    /// Which items a role sees: those it acts on; operations, the Gerencia de Mediación y
    /// Convenios and administrators oversee every deadline.
    enum Alcance {
        /// The asesor: the accounts it may visit.
        case visitas(asesor: String)
        /// Deadlines where `rol` must act; for a mediator, only on the cases distributed to it.
        case responsable(Rol, usuario: String)
        /// Every deadline.
        case supervision
        case nada

        init(_ usuario: UserProfile) {
            switch Rol(rawValue: usuario.role) {
            case .asesor: self = .visitas(asesor: usuario.id)
            case .agencia: self = .responsable(.agencia, usuario: usuario.id)
            case .mediador: self = .responsable(.mediador, usuario: usuario.id)
            case .delegacion: self = .responsable(.delegacion, usuario: usuario.id)
            case .operacion, .mediacion: self = .supervision
            case nil: self = usuario.role == "admin" ? .supervision : .nada
            }
        }

        func incluye(_ vencimiento: Vencimiento, de caso: Caso) -> Bool {
            switch self {
            case .visitas, .nada: false
            case .supervision: true
            case .responsable(let rol, let usuario):
                vencimiento.responsable == rol && (rol != .mediador || caso.mediador == usuario)
            }
        }
    }

    /// The agenda of `usuario` on `hoy` from the accounts, cases and plazos its device holds.
    ///
    /// - Parameters:
    ///   - usuario: the user (its role decides which items it sees).
    ///   - cuentas: the accounts held; only an asesor's visits need them.
    ///   - casos: the cases held, of every round (an ended round may still have expediente deadlines).
    ///   - plazos: the settings in force (`ajustes/plazos`).
    ///   - hoy: the Mexico City date.
    ///   - diasProximos: how many days after `hoy` count as "due soon" (negative counts as 0).
    public static func calcular(
        usuario: UserProfile, cuentas: [Cuenta], casos: [Caso], plazos: Plazos, hoy: FechaCivil,
        diasProximos: Int = diasProximosPredeterminados
    ) -> Agenda {
        let ventana = max(0, diasProximos)
        var agenda = Agenda(
            usuario: usuario.id, rol: usuario.role, fecha: hoy, diasProximos: ventana, vencidos: [], paraHoy: [], proximos: [],
            porVisitar: []
        )
        let alcance = Alcance(usuario)
        let limite = hoy.adding(days: ventana)
        for caso in casos {
            for vencimiento in Vencimientos.pendientes(caso: caso, plazos: plazos, hoy: hoy)
            where alcance.incluye(vencimiento, de: caso) && vencimiento.fechaLimite <= limite {
                let item = Item(caso: caso, vencimiento: vencimiento, hoy: hoy)
                if vencimiento.fechaLimite < hoy {
                    agenda.vencidos.append(item)
                } else if vencimiento.fechaLimite == hoy {
                    agenda.paraHoy.append(item)
                } else {
                    agenda.proximos.append(item)
                }
            }
        }
        if case .visitas(let asesor) = alcance {
            let conCaso = Set(casos.map(\.id))
            for cuenta in cuentas
            where cuenta.exclusion == nil && !conCaso.contains(cuenta.casoActual) && (cuenta.asesor ?? asesor) == asesor {
                agenda.porVisitar.append(
                    Item(
                        casoId: nil, numeroCredito: cuenta.numeroCredito, ronda: cuenta.ronda, estatus: nil,
                        pendiente: "Visit the borrower, explain mediation and record the answer (G3–G4).", plazo: nil,
                        fechaLimite: nil, diasRestantes: nil, consecuencia: .ninguna, reglaCierre: nil, fechaCierre: nil,
                        responsable: .asesor
                    )
                )
            }
        }
        agenda.vencidos.sort(by: Item.antes)
        agenda.paraHoy.sort(by: Item.antes)
        agenda.proximos.sort(by: Item.antes)
        agenda.porVisitar.sort(by: Item.antes)
        return agenda
    }

    /// The agenda from raw records keyed by collection and id (a replica's, or the server's records
    /// of the user's scope): accounts, cases and `ajustes/plazos` are read from them; a record
    /// that does not decode is left out, the same way on both sides.
    public static func calcular(
        usuario: UserProfile, registros: [RecordKey: JSONObject], hoy: FechaCivil,
        diasProximos: Int = diasProximosPredeterminados
    ) -> Agenda {
        var cuentas: [Cuenta] = []
        var casos: [Caso] = []
        var plazos = Plazos.procedimiento
        for (key, body) in registros {
            switch key.collection {
            case Cuenta.collection: if let cuenta = try? Cuenta(body: body) { cuentas.append(cuenta) }
            case Caso.collection: if let caso = try? Caso(body: body) { casos.append(caso) }
            case Plazos.collection where key.id == Plazos.registroID: plazos = (try? Plazos(body: body)) ?? .procedimiento
            default: break
            }
        }
        return calcular(usuario: usuario, cuentas: cuentas, casos: casos, plazos: plazos, hoy: hoy, diasProximos: diasProximos)
    }

    /// Every item with a deadline, overdue first.
    public var conPlazo: [Item] { vencidos + paraHoy + proximos }

    /// The agenda for people, one item a line. Both command lines print it, so the device and the
    /// server show the same text.
    public var texto: String {
        let nombreRol = Rol(rawValue: rol)?.nombre ?? "Administrador del sistema"
        var lineas = [
            "Agenda of \(usuario) (\(nombreRol)) on \(fecha), Mexico City; due soon: the next \(diasProximos) day(s)."
        ]
        func seccion(_ titulo: String, _ items: [Item]) {
            lineas.append("\(titulo) (\(items.count))")
            if items.isEmpty { lineas.append("  -") }
            for item in items { lineas.append("  " + item.linea) }
        }
        if Rol(rawValue: rol) == .asesor {
            seccion("POR VISITAR", porVisitar)
        } else {
            seccion("VENCIDOS", vencidos)
            seccion("PARA HOY", paraHoy)
            seccion("PRÓXIMOS", proximos)
        }
        return lineas.joined(separator: "\n") + "\n"
    }
}

extension Agenda.Item {
    init(caso: Caso, vencimiento: Vencimiento, hoy: FechaCivil) {
        let consecuencia: Agenda.Consecuencia
        var regla: ReglaCierre?
        switch vencimiento.consecuencia {
        case .alerta: consecuencia = .alerta
        case .incumplimiento: consecuencia = .incumplimiento
        case .cierreAutomatico(let r):
            consecuencia = .cierreAutomatico
            regla = r
        }
        self.init(
            casoId: caso.id, numeroCredito: caso.numeroCredito, ronda: caso.ronda, estatus: caso.estatus,
            pendiente: vencimiento.pendiente, plazo: vencimiento.plazo, fechaLimite: vencimiento.fechaLimite,
            diasRestantes: hoy.dias(hasta: vencimiento.fechaLimite), consecuencia: consecuencia, reglaCierre: regla,
            fechaCierre: vencimiento.fechaCierre, responsable: vencimiento.responsable
        )
    }

    /// Earliest deadline first (visits, with none, by credit number), then by credit, round and text.
    static func antes(_ a: Self, _ b: Self) -> Bool {
        let fa = a.fechaLimite.map(\.description) ?? ""
        let fb = b.fechaLimite.map(\.description) ?? ""
        return (fa, a.numeroCredito, a.ronda, a.pendiente) < (fb, b.numeroCredito, b.ronda, b.pendiente)
    }

    /// What happens when the deadline passes, in words.
    public var consecuenciaTexto: String {
        switch consecuencia {
        case .alerta: "overdue alert"
        case .incumplimiento: "“\(EstatusCaso.convenioIncumplido.rawValue)” if not paid"
        case .cierreAutomatico:
            "closed automatically on \(fechaCierre?.description ?? "the next day") (“\(reglaCierre?.rawValue ?? "")”)"
        case .ninguna: "no deadline"
        }
    }

    /// One line for people: date, case, status, what is due, who acts and what happens.
    var linea: String {
        let cuando: String
        switch (fechaLimite, diasRestantes) {
        case (let fecha?, let dias?) where dias < 0: cuando = "\(fecha) (\(-dias) day(s) late)"
        case (let fecha?, _): cuando = fecha.description
        default: cuando = "no deadline"
        }
        let caso = casoId ?? "\(numeroCredito) (round \(ronda), no answer yet)"
        let estado = estatus.map { " “\($0.rawValue)”" } ?? ""
        return "\(cuando)  \(caso)\(estado): \(pendiente) [\(responsable.nombre); \(consecuenciaTexto)]"
    }
}
