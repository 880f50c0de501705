import Foundation
import GestionProtocol
import Mediacion
import SyncCore
import TestFixtures
import Testing

/// Bad input over real sockets and through the real executables: a specific error, the server
/// stays up, the device keeps its queue.
@Suite struct BadInputTests {
    @Test func hostileRequestsGetSpecificErrorsAndTheServerStaysUp() async throws {
        let directory = TemporaryDirectory("hostile")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let raw = RawClient(base: server.url)
        let token = try await raw.login(user: "asesor.uno", clientID: "tel-1")

        let huge = try await raw.send("POST", "/sync/push", body: Array(repeating: UInt8(ascii: "a"), count: 5 * 1024 * 1024), token: token)
        #expect(huge.status == 413)
        #expect(huge.errorCode == "payload_too_large")

        let malformed = try await raw.send("POST", "/sync/push", body: Array("{\"mutations\": [".utf8), token: token)
        #expect(malformed.status == 400 && malformed.errorCode == "malformed_json")

        let wrongType = try await raw.post(
            "/sync/push",
            PushRequest(
                clientId: "tel-1",
                mutations: [
                    MutationEnvelope(id: 1, name: RegistrarAceptacion.name, args: ["numeroCredito": true], occurredAt: Date(), hlc: .zero),
                    MutationEnvelope(id: 2, name: "inventada", args: [:], occurredAt: Date(), hlc: .zero),
                    MutationEnvelope(id: 3, name: RegistrarAceptacion.name, args: ["numeroCredito": "1000000009"], occurredAt: Date(), hlc: .zero),
                    MutationEnvelope(id: 4, name: RegistrarAceptacion.name, args: ["numeroCredito": .string(Cuentas.credito(1))], occurredAt: Date(), hlc: .zero),
                ]
            ), token: token
        )
        let results = try JSONValueDecoder().decode(PushResponse.self, from: wrongType.body).results
        #expect(results.map(\.code) == ["invalid_arguments", "unknown_mutation", "cuenta_no_existe", nil])
        #expect(results[0].message?.contains("numeroCredito") == true)

        // A raw socket sending a smuggling attempt is refused and cut off.
        let smuggler = try SocketClient(port: server.port)
        smuggler.send("POST /sync/pull HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(smuggler.readResponse()?.status == 400)
        #expect(smuggler.isClosedByServer())

        let health = try await raw.send("GET", "/healthz", contentType: nil)
        #expect(health.status == 200, "the server is still up")
        #expect(server.isRunning)
    }

    @Test func anExpiredSessionIsExplainedAndTheDeviceKeepsItsQueue() throws {
        let directory = TemporaryDirectory("expired")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(1)])
        try server.advanceClock(by: 14 * 86_400 + 60)  // the default lifetime of a token is 14 days

        let refused = try device.run(["sync"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Your session expired. Sign in again"))
        #expect(try device.ok(["status", "--json"]).stdout.contains("\"pendingCount\":1"))

        try device.login(server)
        try device.ok(["sync"])
        #expect(try device.ok(["status", "--json"]).stdout.contains("\"pendingCount\":0"))
        #expect(try Tables.records(ofFile: device.replica) == Tables.serverRecords(server, visibleTo: device.user))
    }

    @Test func wrongPasswordsAndBadFilesGetClearErrors() throws {
        let directory = TemporaryDirectory("bad-files")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        let wrong = try device.run(
            ["login", "--server", server.url.absoluteString, "--user", "asesor.uno", "--device-name", "x", "--password-stdin"],
            stdin: "no-es-la-clave\n"
        )
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("Wrong user name or password."))

        let notes = directory.path("notas.sqlite")
        try "apuntes de campo".write(toFile: notes, atomically: true, encoding: .utf8)
        let notADatabase = try runProcess(Products.device, ["--replica", notes, "status"])
        #expect(notADatabase.status == 1)
        #expect(notADatabase.stderr.contains("is not a GestionSync replica"))
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "apuntes de campo")

        let usage = try device.run(["agendar", Cuentas.credito(1), "--medio", "Paloma"])
        #expect(usage.status == 64)
        let unknown = try device.run(["volar"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("Unknown subcommand"))

        let badCSV = directory.path("malo.csv")
        try (Cuentas.header + "12345,Persona Ficticia,Delegación,Agencia,2026-11-31,Cobranza Administrativa,susceptible de mediación,Administrativo,0\n"
            + "\(Cuentas.credito(7)),Persona Ficticia,Delegación,Agencia,2026-11-02,Cobranza,susceptible de mediación,Administrativo,0\n")
            .write(toFile: badCSV, atomically: true, encoding: .utf8)
        let importResult = try server.admin(["import-assignment", badCSV], expectSuccess: false)
        #expect(importResult.status == 1)
        #expect(importResult.stderr.contains("Row 2: numeroCredito"))
        #expect(importResult.stderr.contains("Row 3:") && importResult.stderr.contains("segmento"))
        #expect(importResult.stderr.contains("Nothing was imported"))
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'cuentas'")?.int64 == 1)
    }

    @Test func theExecutablesExplainThemselves() throws {
        for (executable, arguments) in [
            (Products.server, ["--help"]), (Products.server, ["serve", "--help"]), (Products.server, ["admin", "user", "add", "--help"]),
            (Products.device, ["--help"]), (Products.device, ["sync", "--help"]),
        ] {
            let help = try runProcess(executable, arguments)
            #expect(help.status == 0)
            #expect(help.stdout.hasPrefix("OVERVIEW: "))
            #expect(help.stdout.contains("USAGE: "))
            #expect(help.stdout.contains("OPTIONS:"))
        }
        let badPort = try runProcess(Products.server, ["serve", "--port", "99999"])
        #expect(badPort.status == 64)
        let badRole = try runProcess(Products.server, ["admin", "--data-dir", TemporaryDirectory().path("d"), "user", "add", "--user", "x.y.z", "--role", "jefe", "--password-stdin"])
        #expect(badRole.status == 64)
        #expect(badRole.stderr.contains("Roles: asesor, agencia, mediador, delegacion, operacion, mediacion"))
    }

}
