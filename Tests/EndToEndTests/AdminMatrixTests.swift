import Foundation
import Testing

@testable import gestion_server

/// Issue 4: every role against every admin action, as `AdminAuthorization` declares, through the
/// real executable.
@Suite struct AdminMatrixTests {
    /// Arguments that pass parsing but do nothing lasting once authorized.
    static func arguments(_ action: AdminAuthorization.Action, directory: TemporaryDirectory) -> ([String], String?) {
        switch action {
        case .userAdd: (["user", "add", "--user", "asesor.uno", "--role", "asesor", "--password-stdin"], "Otra-clave-2026\n")
        case .userList: (["user", "list"], nil)
        case .userDisable: (["user", "disable", "--user", "nadie"], nil)
        case .userEnable: (["user", "enable", "--user", "nadie"], nil)
        case .userPassword: (["user", "password", "--user", "nadie", "--password-stdin"], "Otra-clave-2026\n")
        case .importAssignment: (["import-assignment", directory.path("no-existe.csv")], nil)
        case .restore: (["restore", directory.path("no-existe.sqlite")], nil)
        case .auditVerify: (["audit", "verify"], nil)
        case .auditExport: (["audit", "export", "--case", "0000000000"], nil)
        case .deviceList: (["device", "list"], nil)
        case .deviceRetire: (["device", "retire", "no-existe"], nil)
        case .deviceRevoke: (["device", "revoke", "no-existe"], nil)
        case .sweep: (["sweep", "--as-of", "2026-01-01"], nil)
        case .agenda: (["agenda", "--user", "nadie"], nil)
        case .report: (["report", "als", "--month", "2026-01", "--format", "csv", "--out", directory.path("r.csv")], nil)
        case .settingsShow: (["settings"], nil)
        case .settingsSet: (["settings", "set", "no-existe", "1"], nil)
        case .conflicts: (["conflicts"], nil)
        }
    }

    @Test func everyRoleAgainstEveryAdminAction() throws {
        let directory = TemporaryDirectory("admin-matrix")
        let roles = ["asesor", "agencia", "mediador", "delegacion", "operacion", "mediacion", "admin"]
        let server = try TestServer(
            directory: directory, users: Dictionary(uniqueKeysWithValues: roles.map { ("persona.\($0)", $0) }), accountsCSV: Cuentas.csv(1)
        )
        server.stop()  // restore needs the server stopped; the others work either way
        for action in AdminAuthorization.Action.allCases {
            let (arguments, stdin) = Self.arguments(action, directory: directory)
            for role in roles {
                let result = try server.admin(arguments, stdin: stdin, expectSuccess: false, as: "persona.\(role)")
                let refused = result.stderr.contains("may not run '\(action.rawValue)'")
                #expect(refused == !action.allowedRoles.contains(role), "\(role) / \(action.rawValue): \(result.stderr)")
            }
        }
    }
}
