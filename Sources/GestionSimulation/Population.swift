import Foundation
import Mediacion

/// A made-up user of the simulation. No real people: names are role words and numbers.
struct SimUser: Sendable, Equatable {
    var id: String
    var role: Rol
    /// The delegación or despacho, for the roles that belong to one.
    var unit: String?

    /// The simulation's password of this user (made up, never a real secret).
    var password: String { "Sim-" + String(id.reversed()) + "-2026" }
}

/// Who takes part in a run: the users, which of them have devices, and the accounts.
struct Population {
    static let delegacion = "Delegación Ejemplo"
    static let despacho = "Agencia Ejemplo"
    /// A second delegación and agency: their accounts are out of the first ones' scope.
    static let otraDelegacion = "Delegación Norte"
    static let otroDespacho = "Agencia Norte"

    /// The users with a device, one entry per device (a user may have two).
    var deviceUsers: [SimUser]
    /// Every user of the server (device users, operations, the rogue).
    var users: [SimUser]
    var accounts: [Cuenta]

    static let operacion = SimUser(id: "operacion.uno", role: .operacion)
    /// An account that stays assigned to the first asesor (the monthly reassignments skip it).
    static let pinnedAccount = "3000000001"
    /// The user whose client sends illegal actions straight to the protocol.
    static let intruso = SimUser(id: "asesor.intruso", role: .asesor)

    static let numbers = ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"]

    static func name(_ n: Int) -> String { n <= numbers.count ? numbers[n - 1] : "n\(n)" }

    /// `devices` devices: the agency, two mediators and an asesor first; then the Gerencia, a
    /// second asesor, the delegación, a second device of the first mediator; then more mediators
    /// and asesores in turn.
    init(devices: Int, accounts: Int) {
        let agencia = SimUser(id: "agencia.uno", role: .agencia, unit: Self.despacho)
        let delegacionUser = SimUser(id: "delegacion.uno", role: .delegacion, unit: Self.delegacion)
        let mediacion = SimUser(id: "mediacion.uno", role: .mediacion)
        var mediadores = [SimUser(id: "mediador.uno", role: .mediador), SimUser(id: "mediador.dos", role: .mediador)]
        var asesores = [SimUser(id: "asesor.uno", role: .asesor)]
        var list = [agencia, mediadores[0], asesores[0], mediadores[1]]
        let extras: [SimUser] = [
            mediacion, SimUser(id: "asesor.dos", role: .asesor), delegacionUser, mediadores[0],
        ]
        for extra in extras where list.count < devices {
            list.append(extra)
            if extra.role == .asesor, !asesores.contains(extra) { asesores.append(extra) }
        }
        var turn = 0
        while list.count < devices {
            if turn % 2 == 0 {
                let user = SimUser(id: "mediador.\(Self.name(mediadores.count + 1))", role: .mediador)
                mediadores.append(user)
                list.append(user)
            } else {
                let user = SimUser(id: "asesor.\(Self.name(asesores.count + 1))", role: .asesor)
                asesores.append(user)
                list.append(user)
            }
            turn += 1
        }
        deviceUsers = list
        var everyone: [SimUser] = []
        for user in list + [delegacionUser, mediacion, Self.operacion, Self.intruso] where !everyone.contains(user) {
            everyone.append(user)
        }
        users = everyone

        // Accounts: most in the first delegación and agency; every fifth in the other ones. Some
        // assigned to an asesor, the rest visible to every asesor until one accepts.
        let tipos: [TipoConvenio] = [.administrativo, .ratificado, .administrativo, .notarial]
        self.accounts = (1...max(1, accounts)).map { n in
            let otra = n % 5 == 0
            let asesor: String? = n % 3 == 0 ? nil : asesores[(n / 3) % asesores.count].id
            return Cuenta(
                numeroCredito: String(3_000_000_000 + n), acreditado: "Persona Simulada \(n)",
                delegacion: otra ? Self.otraDelegacion : Self.delegacion, despacho: otra ? Self.otroDespacho : Self.despacho,
                fechaAsignacion: "2026-11-02", segmento: .cobranzaAdministrativa,
                etiqueta: .susceptibleDeMediacion, tipoConvenio: tipos[n % tipos.count], asesor: asesor
            )
        }
    }

    var mediadores: [SimUser] {
        var seen: [SimUser] = []
        for user in users where user.role == .mediador && !seen.contains(user) { seen.append(user) }
        return seen
    }
}
