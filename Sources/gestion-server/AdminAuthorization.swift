import CommandLineSupport
import Foundation
import GestionCrypto
import GestionServer
import Mediacion

/// Every admin action needs a user whose role allows it. The operator names themself with
/// `--as <user>` (or `GESTION_ADMIN_USER`) and gives their password in `GESTION_ADMIN_PASSWORD`
/// or the file named by `--admin-password-file`. The first administrator is created without.
enum AdminAuthorization {
    /// The system role of the agency's server administrators (not a role of the procedure).
    static let adminRole = "admin"

    enum Action: String, CaseIterable {
        case userAdd = "user add"
        case userList = "user list"
        case userDisable = "user disable"
        case userEnable = "user enable"
        case userPassword = "user password"
        case importAssignment = "import-assignment"
        case restore
        case auditVerify = "audit verify"
        case auditExport = "audit export"
        case deviceList = "device list"
        case deviceRetire = "device retire"
        case deviceRevoke = "device revoke"
        case sweep
        case agenda
        case report
        case settingsShow = "settings"
        case settingsSet = "settings set"
        case conflicts

        /// Who may do it: administrators always; operations imports, sweeps and manages devices;
        /// the Gerencia de Mediación y Convenios reads the audit trail and reports, and alone
        /// (with administrators) changes the plazos.
        var allowedRoles: Set<String> {
            switch self {
            case .userAdd, .userDisable, .userEnable, .userPassword, .restore: [adminRole]
            case .userList: [adminRole, Rol.operacion.rawValue]
            case .importAssignment, .sweep: [adminRole, Rol.operacion.rawValue]
            case .auditVerify, .auditExport, .agenda, .report, .settingsShow, .conflicts:
                [adminRole, Rol.operacion.rawValue, Rol.mediacion.rawValue]
            case .settingsSet: [adminRole, Rol.mediacion.rawValue]
            case .deviceList, .deviceRetire, .deviceRevoke: [adminRole, Rol.operacion.rawValue]
            }
        }
    }

    static let options: [OptionSpec] = [
        .value("as", "<user>", "The administrator doing this (default: $GESTION_ADMIN_USER)."),
        .value("admin-password-file", "<file>", "A file whose first line is that user's password (default: $GESTION_ADMIN_PASSWORD)."),
    ]

    /// The operator's user id if their role allows `action`; otherwise the refusal is audited
    /// and thrown. `bootstrap` lets the very first administrator be created without one.
    static func authorize(_ action: Action, parsed: ParsedArguments, store: any SyncStore, bootstrap: Bool = false) throws
        -> Operator
    {
        if bootstrap { return Operator(user: "bootstrap", role: adminRole) }
        let environment = ProcessInfo.processInfo.environment
        guard let user = (parsed.values["as"] ?? environment["GESTION_ADMIN_USER"]).map({ $0.lowercased() }), !user.isEmpty
        else {
            throw CommandFailure(
                "Admin actions need an administrator: give --as <user> (or GESTION_ADMIN_USER) and the password in GESTION_ADMIN_PASSWORD."
            )
        }
        let password: String?
        if let file = parsed.values["admin-password-file"] {
            password = (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").first.map(String.init)
        } else {
            password = environment["GESTION_ADMIN_PASSWORD"]
        }
        let stored = try? store.user(id: user)
        let verified = stored.flatMap { PasswordHash(encoded: $0.passwordHash) }.map { $0.verify(password: password ?? "") } ?? false
        guard let stored, verified, !stored.disabled else {
            refuse(action, user: user, role: stored?.role ?? "", reason: "wrong_credentials", store: store)
            throw CommandFailure("Wrong administrator name or password.")
        }
        guard action.allowedRoles.contains(stored.role) else {
            refuse(action, user: user, role: stored.role, reason: "role_not_allowed", store: store)
            let allowed = action.allowedRoles.sorted().joined(separator: ", ")
            throw CommandFailure("The role \(stored.role) may not run '\(action.rawValue)' (allowed: \(allowed)). This attempt was recorded.")
        }
        return Operator(user: user, role: stored.role)
    }

    /// The user an admin action is done by.
    struct Operator {
        var user: String
        var role: String
    }

    /// Whether the store has no administrator yet.
    static func hasNoAdministrator(_ store: any SyncStore) -> Bool {
        ((try? store.usersCount(role: adminRole)) ?? 0) == 0
    }

    private static func refuse(_ action: Action, user: String, role: String, reason: String, store: any SyncStore) {
        try? store.appendAudit(
            AuditEntry(
                kind: "admin_refused", action: action.rawValue, actor: user, role: role, device: "gestion-server",
                outcome: "refused:\(reason)"
            ),
            at: Date()
        )
    }
}
