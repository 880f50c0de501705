import Foundation
import Mediacion

/// A made-up user of a load run. No real people: names are role words and numbers.
public struct LoadUser: Sendable, Hashable {
    public var id: String
    public var role: Rol
    /// The despacho (agency) or delegación, for the roles that belong to one.
    public var unit: String?

    /// The run's password of this user (made up; it does not contain the user name).
    public var password: String { "Carga-" + String(id.reversed()) + "-2026" }
}

/// Who works in a load run: one device per user, in the proportions of an agency's field work
/// (asesores' phones and mediators' laptops, a few office devices), and the accounts they share.
public struct LoadPopulation: Sendable {
    public static let despacho = "Agencia Ejemplo"
    public static let delegacion = "Delegación Ejemplo"
    /// Accounts assigned to each asesor; every tenth account is assigned to nobody (every asesor
    /// sees it until one records the borrower's answer).
    public static let accountsPerAsesor = 5

    /// One entry per device, in device order.
    public var users: [LoadUser]
    /// Credit numbers of the assignment, with the asesor each one is assigned to (nil: none).
    public var accounts: [(credito: String, asesor: String?)]

    /// `devices` devices: an agency device per 50, a delegación device per 100, the Gerencia de
    /// Mediación from 10 devices on, and the rest two mediators for every three asesores.
    public init(devices: Int) {
        precondition(devices >= 3, "a load run needs an asesor, a mediator and the agency")
        let agencias = max(1, devices / 50)
        let delegaciones = devices >= 6 ? max(1, devices / 100) : 0
        let gerencia = devices >= 10 ? 1 : 0
        let field = devices - agencias - delegaciones - gerencia
        let mediadores = max(1, field * 2 / 5)
        let asesores = field - mediadores
        func numbered(_ prefix: String, _ count: Int, _ role: Rol, unit: String? = nil) -> [LoadUser] {
            (1...max(1, count)).prefix(count).map { n in
                let digits = String(n)
                return LoadUser(id: "\(prefix).\(String(repeating: "0", count: max(0, 3 - digits.count)))\(digits)", role: role, unit: unit)
            }
        }
        // Interleave the field devices so that any prefix of the list has both roles.
        let asesorUsers = numbered("asesor", asesores, .asesor)
        let mediadorUsers = numbered("mediador", mediadores, .mediador)
        var fieldUsers: [LoadUser] = []
        var a = 0
        var m = 0
        while a < asesores || m < mediadores {
            if m >= mediadores || (a < asesores && a * mediadores <= m * asesores) {
                fieldUsers.append(asesorUsers[a])
                a += 1
            } else {
                fieldUsers.append(mediadorUsers[m])
                m += 1
            }
        }
        users = numbered("agencia", agencias, .agencia, unit: Self.despacho)
            + numbered("delegacion", delegaciones, .delegacion, unit: Self.delegacion)
            + numbered("mediacion", gerencia, .mediacion) + fieldUsers
        var accounts: [(String, String?)] = []
        var n = 0
        for asesor in asesorUsers {
            for _ in 0..<Self.accountsPerAsesor {
                n += 1
                accounts.append((Self.credito(n), n % 10 == 0 ? nil : asesor.id))
            }
        }
        self.accounts = accounts
    }

    public var mediadores: [LoadUser] { users.filter { $0.role == .mediador } }

    /// Credit number `n`: 4000000001, 4000000002...
    public static func credito(_ n: Int) -> String { String(4_000_000_000 + n) }

    /// The assignment as `gestion-server admin import-assignment` reads it: made-up borrowers,
    /// assigned `fechaAsignacion` (the import refuses a date after its own day).
    public func assignmentCSV(fechaAsignacion: String) -> String {
        let tipos = ["Administrativo", "Ratificado", "Administrativo", "Notarial"]
        var text = "numeroCredito,acreditado,delegacion,despacho,fechaAsignacion,segmento,etiqueta,tipoConvenio,conveniosIncumplidos,asesor\n"
        for (index, account) in accounts.enumerated() {
            text += "\(account.credito),Persona Ficticia \(index + 1),\(Self.delegacion),\(Self.despacho),\(fechaAsignacion),"
                + "Cobranza Administrativa,susceptible de mediación,\(tipos[index % tipos.count]),0,\(account.asesor ?? "")\n"
        }
        return text
    }
}
