import Foundation
import GestionClient
import GestionProtocol
import GestionSQLite
import Mediacion
import Synchronization
import SyncCore
import Testing

/// Issue 2, end-to-end cases 2–4: duplicates, client kills and server kills never lose or
/// double a mutation.
@Suite struct ExactlyOnceTests {
    // MARK: Case 2: the same push twice

    @Test func aPushWhoseResponseWasLostIsAppliedOnce() async throws {
        let directory = TemporaryDirectory("duplicate")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(3))
        let losing = LosingTransport()
        let device = try DeviceLibrary(directory, "telefono", user: "asesor.uno") { url in losing.wrapping(url) }
        try await device.login(server)
        try await device.client.sync()
        try device.replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(Cuentas.credito(1))])
        try device.replica.perform(RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(Cuentas.credito(1))])

        losing.loseNextPushResponse()
        await #expect(throws: SyncError.self) { try await device.client.sync() }
        #expect(try device.replica.status().pendingCount == 2, "the device still has both, unconfirmed")

        try await device.client.sync()
        let replies = losing.pushReplies
        #expect(replies.count == 2)
        let second = try JSONValueDecoder().decode(PushResponse.self, from: replies[1])
        #expect(second.results.map(\.duplicate) == [true, true])
        #expect(second.results.map(\.status) == [.applied, .applied])

        let clientID = device.replica.clientID
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM change_sets WHERE client_id = ?", [.text(clientID)])?.int64 == 2)
        #expect(try device.replica.status().pendingCount == 0)
        #expect(try Tables.records(ofFile: device.replica.path) == Tables.serverRecords(server, visibleTo: device.user))
    }

    @Test func replayingTheSameBytesGivesTheStoredResultsAndNoNewVersion() async throws {
        let directory = TemporaryDirectory("replay")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        let raw = RawClient(base: server.url)
        let token = try await raw.login(user: "asesor.uno", clientID: "replay-device")
        let body = WireCoding.encode(
            PushRequest(
                clientId: "replay-device",
                mutations: [
                    MutationEnvelope(
                        id: 1, name: RegistrarAceptacion.name, args: ["numeroCredito": .string(Cuentas.credito(1))],
                        occurredAt: Date(), hlc: HybridTimestamp(millis: 1)
                    ),
                    MutationEnvelope(
                        id: 2, name: RegistrarAceptacion.name, args: ["numeroCredito": .string(Cuentas.credito(1))],
                        occurredAt: Date(), hlc: HybridTimestamp(millis: 2)
                    ),
                ]
            )
        )
        let first = try await raw.send("POST", "/sync/push", body: body, token: token)
        let versionAfterFirst = try Tables.serverScalar(server, "SELECT MAX(version) FROM change_sets")?.int64
        let second = try await raw.send("POST", "/sync/push", body: body, token: token)
        #expect(first.status == 200 && second.status == 200)
        let a = try JSONValueDecoder().decode(PushResponse.self, from: first.body)
        let b = try JSONValueDecoder().decode(PushResponse.self, from: second.body)
        #expect(a.results.map(\.status) == [.applied, .rejected])
        #expect(a.results[1].code == "respuesta_ya_registrada")
        #expect(b.results.map(\.status) == a.results.map(\.status), "the duplicate gets the stored results")
        #expect(b.results.map(\.code) == a.results.map(\.code))
        #expect(b.results.allSatisfy { $0.duplicate == true })
        #expect(try Tables.serverScalar(server, "SELECT MAX(version) FROM change_sets")?.int64 == versionAfterFirst)

        // A mutation number from the future is refused: nothing may be skipped.
        let gap = WireCoding.encode(
            PushRequest(
                clientId: "replay-device",
                mutations: [
                    MutationEnvelope(
                        id: 9, name: RegistrarAceptacion.name, args: ["numeroCredito": .string(Cuentas.credito(2))],
                        occurredAt: Date(), hlc: HybridTimestamp(millis: 3)
                    )
                ]
            )
        )
        let refused = try await raw.send("POST", "/sync/push", body: gap, token: token)
        #expect(refused.status == 409)
        #expect(refused.errorCode == "mutation_gap")
        #expect(refused.json?["error"]?["details"]?["lastMutationId"] == .int(2))
    }

    // MARK: Case 3: the client killed

    @Test func aClientKilledRightAfterALocalWriteLosesNothing() throws {
        let directory = TemporaryDirectory("client-kill-write")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])

        let killed = try device.run(["aceptar", Cuentas.credito(1)], fault: "crash-at:after-local-write")
        #expect(killed.signalled, "the CLI was killed by SIGKILL")
        let pending = try device.ok(["pendientes", "--json"])
        #expect(pending.stdout.contains("\"name\":\"registrarAceptacion\""))

        try device.ok(["sync"])
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM mutation_results WHERE status = 'applied' AND name = 'registrarAceptacion'")?.int64 == 1)
        #expect(try Tables.records(ofFile: device.replica) == Tables.serverRecords(server, visibleTo: device.user))
    }

    @Test(arguments: ["before-push", "after-push", "after-first-page"])
    func aClientKilledInTheMiddleOfASyncLosesAndDoublesNothing(point: String) throws {
        let directory = TemporaryDirectory("client-kill-sync")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(3))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(1)])
        try device.ok(["aviso-privacidad", Cuentas.credito(1)])
        try device.ok(["contacto", Cuentas.credito(1), "--fijo", "5550001111"])
        try device.ok(["no-acepta", Cuentas.credito(2)])

        let killed = try device.run(["sync"], fault: "crash-at:\(point)")
        #expect(killed.signalled)
        try device.ok(["sync"])
        try device.ok(["sync"])

        try expectEachMutationOnce(server: server, device: device, performed: 4)
    }

    @Test func aClientKilledAfterTheServerCommittedButBeforeTheAnswerArrivedGetsItsResultsOnRetry() throws {
        let directory = TemporaryDirectory("client-kill-answer")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(1)])
        try device.ok(["aceptar", Cuentas.credito(2)])
        let clientID = try clientIDOf(device)

        server.stop()
        try server.start(fault: "delay-at:push-committed:3000")
        let sync = try RunningProcess(Products.device, ["--replica", device.replica, "sync", "--retries", "0"])
        let committed = try waitUntil {
            try Tables.serverScalar(server, "SELECT COUNT(*) FROM mutation_results WHERE client_id = ?", [.text(clientID)])?.int64 == 2
        }
        #expect(committed)
        sync.kill()
        server.stop()
        try server.start(fault: "")

        let pending = try device.ok(["status", "--json"])
        #expect(pending.stdout.contains("\"pendingCount\":2"), "the device never heard back, so both are pending")
        try device.ok(["sync"])
        try expectEachMutationOnce(server: server, device: device, performed: 2)
    }

    // MARK: Case 4: the server killed

    @Test func aServerKilledAfterCommittingAPushKeepsItAndTheRetryAppliesNothingTwice() throws {
        let directory = TemporaryDirectory("server-kill")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(3))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        for n in 1...3 { try device.ok(["aceptar", Cuentas.credito(n)]) }
        let clientID = try clientIDOf(device)

        server.stop()
        try server.start(fault: "crash-at:push-committed")
        let failed = try device.run(["sync", "--retries", "0"])
        #expect(failed.status == 1)
        #expect(server.waitForExit(), "the server killed itself at the fault point")
        #expect(
            try Tables.serverScalar(server, "SELECT COUNT(*) FROM mutation_results WHERE client_id = ?", [.text(clientID)])?.int64 == 3,
            "what was committed before the kill is on disk"
        )

        try server.start(fault: "")
        try device.ok(["sync"])
        try expectEachMutationOnce(server: server, device: device, performed: 3)
    }

    @Test func repeatedServerKillsUnderLoadLoseNoAcknowledgedMutation() async throws {
        let directory = TemporaryDirectory("server-kill-load")
        let users = (1...3).map { "asesor.\($0)" }
        let server = try TestServer(
            directory: directory, users: Dictionary(uniqueKeysWithValues: users.map { ($0, "asesor") }),
            accountsCSV: Cuentas.csv(3)
        )
        var devices: [DeviceLibrary] = []
        for (index, user) in users.enumerated() {
            let device = try DeviceLibrary(directory, "equipo-\(index)", user: user) {
                URLSessionTransport(baseURL: $0, timeout: 2)
            }
            try await device.login(server)
            try await device.client.sync()
            try device.replica.perform(RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(Cuentas.credito(index + 1))])
            devices.append(device)
        }

        let acknowledged = SharedCounts()
        let stop = SharedFlag()
        let workers = devices.enumerated().map { index, device in
            Task {
                var performed: Int64 = 1  // the privacy notice above
                while !stop.isSet {
                    let phone = String(5_500_000_000 + index * 10_000 + Int(performed))
                    if (try? device.replica.perform(
                        RegistrarDatosContacto.name,
                        ["numeroCredito": .string(Cuentas.credito(index + 1)), "telefonoCelular": .string(phone)]
                    )) != nil {
                        performed += 1
                    }
                    if (try? await device.client.sync()) != nil, try device.replica.status().pendingCount == 0 {
                        acknowledged.record(device.replica.clientID, performed)
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
        }
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(400))
            server.kill()
            try await Task.sleep(for: .milliseconds(100))
            try server.start()
        }
        try await Task.sleep(for: .milliseconds(300))
        stop.set()
        for worker in workers { try await worker.value }

        for device in devices {
            try await device.client.sync()
            let clientID = device.replica.clientID
            #expect(try device.replica.status().pendingCount == 0)
            let performed = try #require(try Tables.serverScalar(server, "SELECT last_mutation_id FROM clients WHERE client_id = ?", [.text(clientID)])?.int64)
            let acknowledgedMax = acknowledged.value(clientID)
            #expect(acknowledgedMax > 1, "the device got acknowledgements during the kills")
            #expect(performed >= acknowledgedMax, "every acknowledged mutation is on the server")
            #expect(
                try Tables.serverScalar(server, "SELECT COUNT(*) FROM mutation_results WHERE client_id = ? AND status = 'applied'", [.text(clientID)])?.int64 == performed,
                "every mutation the device made was applied, none refused"
            )
            #expect(
                try Tables.serverScalar(
                    server, "SELECT COUNT(*) FROM (SELECT mutation_id FROM change_sets WHERE client_id = ? GROUP BY mutation_id HAVING COUNT(*) > 1)",
                    [.text(clientID)]
                )?.int64 == 0, "no mutation has two change-sets"
            )
            #expect(try Tables.records(ofFile: device.replica.path) == Tables.serverRecords(server, visibleTo: device.user))
        }
        #expect(server.allLogs.components(separatedBy: "event=listening").count - 1 == 4, "the server really restarted three times")
    }

    // MARK: Helpers

    func clientIDOf(_ device: DeviceCLI) throws -> String {
        let status = try device.ok(["status", "--json"])
        return try #require(try JSONParser.parse(status.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["clientID"]?.stringValue)
    }

    /// The server processed mutations 1...performed of the device exactly once each, none is
    /// pending on the device, and the device's records equal the server's.
    func expectEachMutationOnce(server: TestServer, device: DeviceCLI, performed: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let clientID = try clientIDOf(device)
        #expect(
            try Tables.serverScalar(server, "SELECT COUNT(*) FROM mutation_results WHERE client_id = ?", [.text(clientID)])?.int64 == performed,
            sourceLocation: sourceLocation
        )
        #expect(
            try Tables.serverScalar(server, "SELECT last_mutation_id FROM clients WHERE client_id = ?", [.text(clientID)])?.int64 == performed,
            sourceLocation: sourceLocation
        )
        #expect(
            try Tables.serverScalar(
                server, "SELECT COUNT(*) FROM (SELECT mutation_id FROM change_sets WHERE client_id = ? GROUP BY mutation_id HAVING COUNT(*) > 1)",
                [.text(clientID)]
            )?.int64 == 0, sourceLocation: sourceLocation
        )
        let status = try device.ok(["status", "--json"])
        #expect(status.stdout.contains("\"pendingCount\":0"), sourceLocation: sourceLocation)
        #expect(try Tables.records(ofFile: device.replica) == Tables.serverRecords(server, visibleTo: device.user), sourceLocation: sourceLocation)
    }
}

/// Forwards to the real transport, but can throw away the answer of the next push after the
/// server has processed it, as a dropped connection would.
final class LosingTransport: Sendable {
    private let state = Mutex<(loseNext: Bool, pushReplies: [[UInt8]])>((false, []))

    func loseNextPushResponse() { state.withLock { $0.loseNext = true } }

    var pushReplies: [[UInt8]] { state.withLock { $0.pushReplies } }

    func wrapping(_ url: URL) -> any SyncTransport { Wrapper(inner: URLSessionTransport(baseURL: url, timeout: 10), owner: self) }

    struct Wrapper: SyncTransport {
        let inner: URLSessionTransport
        let owner: LosingTransport

        func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply {
            let reply = try await inner.send(endpoint, body: body, token: token)
            guard endpoint == .push else { return reply }
            let lose = owner.state.withLock { state in
                state.pushReplies.append(reply.body)
                defer { state.loseNext = false }
                return state.loseNext
            }
            if lose { throw TransportError("connection lost") }
            return reply
        }
    }
}

/// Operations restores an older backup: devices notice the new history, download everything
/// again, and keep working.
@Suite struct RestoreTests {
    @Test func devicesRecoverFromARestoredBackup() throws {
        let directory = TemporaryDirectory("restore")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(3))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        try device.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(1)])
        try device.ok(["sync"])

        server.stop()
        let backup = directory.path("respaldo.sqlite")
        try FileManager.default.copyItem(atPath: server.dataDirectory.appendingPathComponent("server.sqlite").path, toPath: backup)
        try server.start()
        try device.ok(["aceptar", Cuentas.credito(2)])
        try device.ok(["sync"])
        try device.ok(["aceptar", Cuentas.credito(3)])  // still pending when the restore happens

        server.stop()
        let restored = try server.admin(["restore", backup])
        #expect(restored.stdout.contains("new history id"))
        #expect(
            try server.admin(["audit", "export"]).stdout.contains("\"action\":\"restore\",\"actor\":\"\(TestServer.administrator)\""),
            "the restore names the administrator who did it"
        )
        try server.start()
        try device.ok(["sync"])

        // The acceptance of account 2 was after the backup: the restore lost it. Account 3's,
        // still on the device, is sent to the restored server.
        let casos = try device.ok(["casos", "--json"]).stdout
        #expect(casos.contains("\"estatus\":\"En Mediación\",\"numeroCredito\":\"\(Cuentas.credito(1))\""))
        #expect(casos.contains("\"estatus\":null,\"numeroCredito\":\"\(Cuentas.credito(2))\""))
        #expect(casos.contains("\"estatus\":\"En Mediación\",\"numeroCredito\":\"\(Cuentas.credito(3))\""))
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'casos'")?.int64 == 2)
        #expect(try Tables.records(ofFile: device.replica) == Tables.serverRecords(server, visibleTo: device.user))
        #expect(try device.ok(["status", "--json"]).stdout.contains("\"pendingCount\":0"))
        try device.ok(["aceptar", Cuentas.credito(2)])
        try device.ok(["sync"])
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'casos'")?.int64 == 3)
    }
}
