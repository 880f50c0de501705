import Foundation
import GestionSQLite
import SyncCore
import Testing

/// Issue 4: the audit trail is append-only and hash-chained; tampering is caught.
@Suite struct AuditTests {
    @Test func everyLoginMutationAndAdminActionIsChainedAndTamperingIsCaught() throws {
        let directory = TemporaryDirectory("audit")
        let server = try TestServer(
            directory: directory, users: ["asesor.uno": "asesor", "asesor.dos": "asesor"], accountsCSV: Cuentas.csv(2)
        )
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        let other = DeviceCLI(directory, "telefono-2", user: "asesor.dos")
        let wrong = try device.run(
            ["login", "--server", server.url.absoluteString, "--user", "asesor.uno", "--device-name", "x", "--password-stdin"],
            stdin: "no-es-la-clave\n"
        )
        #expect(wrong.status == 1)
        try device.login(server)
        try device.ok(["sync"])
        try other.login(server)
        try other.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(1)])
        try other.ok(["aceptar", Cuentas.credito(1)])
        try device.ok(["sync"])
        try other.ok(["sync"])  // the second answer is refused by the server: audited too

        let intact = try server.admin(["audit", "verify"])
        #expect(intact.stdout.contains("The audit trail is intact"))

        let export = try server.admin(["audit", "export", "--case", Cuentas.credito(1)])
        let lines = export.stdout.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(lines.map { $0["action"]?.stringValue } == ["importarCuenta", "registrarAceptacion", "registrarAceptacion"])
        #expect(lines.map { $0["outcome"]?.stringValue } == ["applied", "applied", "rejected:respuesta_ya_registrada"])
        #expect(lines.map { $0["actor"]?.stringValue } == ["sistema", "asesor.uno", "asesor.dos"])
        #expect(lines[1]["occurredAt"]?.stringValue != nil)
        #expect(lines[1]["device"]?.stringValue?.isEmpty == false)

        let all = try server.admin(["audit", "export"]).stdout
        #expect(all.contains("\"action\":\"user add\""))
        #expect(all.contains("\"kind\":\"login_failed\""))
        #expect(all.contains("\"kind\":\"login\""))
        #expect(all.contains("\"action\":\"import-assignment\""))
        #expect(!all.contains("Persona Ficticia"), "no personal data in the audit trail")

        // The table refuses changes; someone with the file can still drop the guard and edit a row.
        let path = server.dataDirectory.appendingPathComponent("server.sqlite").path
        server.stop()
        let connection = try Connection(path: path)
        #expect(throws: SQLiteError.self) { try connection.run("UPDATE audit_log SET actor = 'otro' WHERE seq = 4") }
        #expect(throws: SQLiteError.self) { try connection.run("DELETE FROM audit_log WHERE seq = 4") }
        try connection.execute("DROP TRIGGER audit_log_no_update")
        try connection.run("UPDATE audit_log SET outcome = 'rejected:ninguno' WHERE seq = 4")
        connection.close()

        let broken = try server.admin(["audit", "verify"], expectSuccess: false)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("BROKEN at entry 4"))
    }
}

/// Issue 4: every admin action needs a role that allows it; refusals are audited.
@Suite struct AdminAuthorizationTests {
    @Test func adminCommandsNeedAnAllowedRoleAndRefusalsAreAudited() throws {
        let directory = TemporaryDirectory("admin-roles")
        let server = try TestServer(
            directory: directory, users: ["asesor.uno": "asesor", "operacion.uno": "operacion"], accountsCSV: Cuentas.csv(1)
        )
        let csv = directory.path("mas.csv")
        try Cuentas.csv(1, first: 5).write(toFile: csv, atomically: true, encoding: .utf8)

        let byAsesor = try server.admin(["import-assignment", csv], expectSuccess: false, as: "asesor.uno")
        #expect(byAsesor.status == 1)
        #expect(byAsesor.stderr.contains("The role asesor may not run 'import-assignment'"))
        let userByOperations = try server.admin(
            ["user", "add", "--user", "intruso", "--role", "admin", "--password-stdin"], stdin: "Otra-Clave-2026\n",
            expectSuccess: false, as: "operacion.uno"
        )
        #expect(userByOperations.status == 1)
        #expect(try server.admin(["import-assignment", csv], as: "operacion.uno").status == 0)

        let nobody = try runProcess(Products.server, ["admin", "--data-dir", server.dataDirectory.path, "device", "list"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("Admin actions need an administrator"))
        let wrongPassword = try runProcess(
            Products.server, ["admin", "--data-dir", server.dataDirectory.path, "device", "list"],
            environment: ["GESTION_ADMIN_USER": TestServer.administrator, "GESTION_ADMIN_PASSWORD": "no"]
        )
        #expect(wrongPassword.status == 1)
        #expect(wrongPassword.stderr.contains("Wrong administrator name or password."))

        let audit = try server.admin(["audit", "export"]).stdout
        #expect(audit.contains("\"kind\":\"admin_refused\""))
        #expect(audit.contains("\"actor\":\"asesor.uno\""))
        #expect(audit.contains("refused:role_not_allowed"))
        #expect(audit.contains("refused:wrong_credentials"))
        #expect(audit.contains("\"action\":\"import-assignment\",\"actor\":\"operacion.uno\""))
    }
}
