import Foundation
import GestionProtocol
import SyncCore
import Testing

/// Issue 4: retire and revoke end to end; the lock after the offline limit.
@Suite struct DeviceLifecycleTests {
    @Test func aRevokedDeviceIsRefusedAtOnceAndErasesItselfAtItsNextContact() async throws {
        let directory = TemporaryDirectory("revoke")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        let device = DeviceCLI(directory, "telefono-perdido", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(1)])
        try device.ok(["sync"])
        let status = try JSONParser.parse(try device.ok(["status", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let clientID = try #require(status["clientID"]?.stringValue)
        let token = try #require(try Tables.value(ofFile: device.replica, "SELECT value FROM replica_meta WHERE key = 'token'"))

        let list = try server.admin(["device", "list"])
        #expect(list.stdout.contains(clientID) && list.stdout.contains("active"))
        // The acceptance this sync uploaded is on the server: nothing is waiting, although the
        // outbox keeps it until the next pull confirms it.
        let registry = try JSONParser.parse(try server.admin(["device", "list", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let entry = registry.arrayValue?.first { $0["clientId"]?.stringValue == clientID }
        #expect(entry?["pendingCount"] == .int(0), "\(String(describing: entry))")

        try device.ok(["aceptar", Cuentas.credito(2)])  // recorded after the last sync: lost with the phone
        let revoke = try server.admin(["device", "revoke", clientID])
        #expect(revoke.stdout.contains("is revoked"))

        // A thief with the token gets nothing, at once.
        let raw = RawClient(base: server.url)
        let refused = try await raw.post(
            "/sync/pull", PullRequest(clientId: clientID, cursor: 0, resultsAfter: 0), token: token
        )
        #expect(refused.status == 401 && refused.errorCode == "device_revoked")

        // At its next contact the phone erases what it holds.
        let sync = try device.run(["sync"])
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("revoked this device"))
        #expect(try Tables.records(ofFile: device.replica).isEmpty)
        #expect(try Tables.value(ofFile: device.replica, "SELECT COUNT(*) FROM outbox") == "0")
        let after = try JSONParser.parse(try device.ok(["status", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(after["clientID"]?.stringValue != clientID, "the erased replica starts a new life")
        #expect(after["user"] == nil)

        let audit = try server.admin(["audit", "export"]).stdout
        #expect(audit.contains("\"action\":\"device revoked\""))
        #expect(audit.contains("anything recorded on it since is lost"))
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'casos'")?.int64 == 1)
    }

    @Test func aDisabledUserIsSignedOutEverywhereAndKeepsTheirWork() throws {
        let directory = TemporaryDirectory("user-disable")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(1)])  // not yet sent
        let outbox = "SELECT COUNT(*) FROM outbox"

        let disable = try server.admin(["user", "disable", "--user", "asesor.uno"])
        #expect(disable.stdout.contains("Disabled 'asesor.uno'") && disable.stdout.contains("1 device was signed out"), "\(disable.stdout)")
        #expect(try server.admin(["user", "list"]).stdout.contains("disabled"))
        #expect(try device.run(["sync"]).status != 0, "the device's session ends at once")
        #expect(try Tables.value(ofFile: device.replica, outbox) == "1", "the unsent acceptance is kept")
        let newPassword = "Nueva-clave-2027"
        func login(_ password: String) throws -> ProcessResult {
            try device.run(
                ["login", "--server", server.url.absoluteString, "--user", "asesor.uno", "--device-name", "Telefono", "--password-stdin"],
                stdin: password + "\n"
            )
        }
        #expect(try login(TestServer.password("asesor.uno")).status != 0, "a disabled user cannot sign in")

        // Allowed again, with a new password: the old one no longer works, the new one sends the kept work.
        #expect(try server.admin(["user", "enable", "--user", "asesor.uno"]).stdout.contains("can sign in again"))
        let change = try server.admin(["user", "password", "--user", "asesor.uno", "--password-stdin"], stdin: newPassword + "\n")
        #expect(change.stdout.contains("New password for 'asesor.uno'"))
        #expect(try login(TestServer.password("asesor.uno")).status != 0)
        #expect(try login(newPassword).status == 0)
        try device.ok(["sync"])
        #expect(try Tables.value(ofFile: device.replica, outbox) == "0")
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM mutation_results WHERE status = 'applied'")?.int64 ?? 0 >= 1)

        // Bad requests say what is wrong and change nothing.
        let unknown = try server.admin(["user", "disable", "--user", "nadie"], expectSuccess: false)
        #expect(unknown.status == 1 && unknown.stderr.contains("There is no user 'nadie'"))
        let myself = try server.admin(["user", "disable", "--user", TestServer.administrator], expectSuccess: false)
        #expect(myself.status == 1 && myself.stderr.contains("cannot disable yourself"))
        let short = try server.admin(["user", "password", "--user", "asesor.uno", "--password-stdin"], stdin: "corta\n", expectSuccess: false)
        #expect(short.status == 1 && short.stderr.contains("at least 10 characters"))
        let audit = try server.admin(["audit", "export"]).stdout
        for action in ["user disable", "user enable", "user password"] {
            #expect(audit.contains("\"action\":\"\(action)\""), "\(action) is audited")
        }
        #expect(!audit.contains(newPassword))
    }

    @Test func aRetiredDeviceUploadsEverythingThenErasesItself() throws {
        let directory = TemporaryDirectory("retire")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        let device = DeviceCLI(directory, "telefono-viejo", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        let clientID = try #require(
            try JSONParser.parse(try device.ok(["status", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))["clientID"]?
                .stringValue
        )
        try device.ok(["aceptar", Cuentas.credito(1)])
        try device.ok(["aceptar", Cuentas.credito(2)])
        try server.admin(["device", "retire", clientID])

        let sync = try device.run(["sync"])
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("retired this device"))
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'casos'")?.int64 == 2, "uploaded first")
        #expect(try Tables.records(ofFile: device.replica).isEmpty, "then erased")
        #expect(try server.admin(["device", "list", "--json"]).stdout.contains("\"status\":\"retired\""))
    }

    @Test func aDeviceOfflineTooLongLocksUntilItsUserSignsIn() throws {
        let directory = TemporaryDirectory("lock")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        server.stop()
        try server.start(extraArguments: ["--max-offline-days", "3"])
        let clock = directory.url.appendingPathComponent("reloj-telefono")
        try "0".write(to: clock, atomically: true, encoding: .utf8)
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno", clockFile: clock)
        try device.login(server)
        try device.ok(["sync"])
        try "172800".write(to: clock, atomically: true, encoding: .utf8)  // two days later: fine
        try device.ok(["casos"])
        try "345600".write(to: clock, atomically: true, encoding: .utf8)  // four days without a sync
        let locked = try device.run(["casos"])
        #expect(locked.status == 1)
        #expect(locked.stderr.contains("has not synced for more than 3 days"))
        #expect(try device.run(["aceptar", Cuentas.credito(1)]).status == 1)
        #expect(try device.run(["sync"]).stderr.contains("locked"))
        try device.login(server)
        try device.ok(["casos"])
        try device.ok(["aceptar", Cuentas.credito(1)])
    }
}

@Suite struct TokenRenewalTests {
    @Test func aSyncingDeviceRenewsItsSessionBeforeItExpires() async throws {
        let directory = TemporaryDirectory("renew")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno", clockFile: server.clockFile)
        try device.login(server)
        try device.ok(["sync"])
        let first = try #require(try Tables.value(ofFile: device.replica, "SELECT value FROM replica_meta WHERE key = 'token'"))

        try server.advanceClock(by: 10 * 86_400)
        try device.ok(["sync"])
        let second = try #require(try Tables.value(ofFile: device.replica, "SELECT value FROM replica_meta WHERE key = 'token'"))
        #expect(second != first, "renewed with four days left")

        let clientID = try #require(try Tables.value(ofFile: device.replica, "SELECT value FROM replica_meta WHERE key = 'client_id'"))
        let old = try await RawClient(base: server.url).post(
            "/sync/pull", PullRequest(clientId: clientID, cursor: 0, resultsAfter: 0), token: first
        )
        #expect(old.status == 401 && old.errorCode == "invalid_token", "the old token stopped working")

        try server.advanceClock(by: 10 * 86_400)  // past the first token's expiry
        try device.ok(["aceptar", Cuentas.credito(1)])
        try device.ok(["sync"])
        #expect(try server.admin(["audit", "export"]).stdout.contains("\"action\":\"renew\""))
    }
}
