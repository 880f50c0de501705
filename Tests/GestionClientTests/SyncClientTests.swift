import Foundation
import GestionProtocol
import Mediacion
import SyncCore
import Testing

@testable import GestionClient

@Suite struct SyncClientTests {
    @Test func twoDevicesConvergeThroughTheServer() async throws {
        let server = try InProcessServer(
            users: ["asesor.uno": .asesor, "mediador.uno": .mediador, "agencia.uno": .agencia], accounts: 3
        )
        let directory = temporaryDirectory()
        let (asesor, asesorSync) = try await server.device("asesor.uno", in: directory)
        let (mediador, mediadorSync) = try await server.device("mediador.uno", in: directory)
        let (agencia, agenciaSync) = try await server.device("agencia.uno", in: directory)
        try asesor.perform(RegistrarAceptacion.name, ["numeroCredito": .string(InProcessServer.credito(1))])
        try await asesorSync.sync()
        try await agenciaSync.sync()
        try agencia.perform(
            RegistrarMediador.name,
            ["usuario": "mediador.uno", "nombre": "Mediador Ficticio", "numeroLicencia": "LIC-0001", "certificado": false]
        )
        try await agenciaSync.sync()  // the registry lives on the server: the device learns it by syncing
        try agencia.perform(AprobarCaso.name, ["numeroCredito": .string(InProcessServer.credito(1))])
        try agencia.perform(DistribuirCaso.name, ["numeroCredito": .string(InProcessServer.credito(1)), "mediador": "mediador.uno"])
        try await agenciaSync.sync()
        try await mediadorSync.sync()
        try mediador.perform(
            AgendarSesion.name,
            [
                "numeroCredito": .string(InProcessServer.credito(1)),
                "fechaHora": .string(RFC3339.string(from: Date().addingTimeInterval(86_400 * 3))), "medioConvocatoria": "Whatsapp",
            ]
        )
        try await mediadorSync.sync()
        try await asesorSync.sync()
        try await agenciaSync.sync()
        for (replica, user) in [(asesor, "asesor.uno"), (mediador, "mediador.uno"), (agencia, "agencia.uno")] {
            #expect(try replica.allRecords() == server.visible(to: user), "\(user) holds exactly its scope")
        }
        #expect(try mediador.allRecords().keys.filter { $0.collection == Cuenta.collection } == [Cuenta.key(InProcessServer.credito(1))])
        #expect(try server.store.allRecords()[Caso.key("\(InProcessServer.credito(1))-1")]?["estatus"] == "Sesión agendada")
    }

    @Test func syncRetriesWhileTheNetworkIsDownAndRecordsTheOutcome() async throws {
        let server = try InProcessServer(users: ["asesor.uno": .asesor], accounts: 1)
        let (replica, client) = try await server.device("asesor.uno", in: temporaryDirectory())
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(InProcessServer.credito(1))])

        server.failNext(.push, count: 1)
        await #expect(throws: SyncError.self) { try await client.sync() }
        let failed = try replica.status()
        #expect(failed.pendingCount == 1)
        #expect(failed.lastError?.contains("No connection") == true)
        #expect(failed.oldestPendingAt != nil)

        server.failNext(.push, count: 2)
        let summary = try await client.sync(retrying: RetryPolicy(baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxAttempts: 5))
        #expect(summary.pushed == 1)
        let synced = try replica.status()
        #expect(synced.pendingCount == 0)
        #expect(synced.lastError == nil)
        #expect(synced.lastSuccessfulSync != nil)
    }

    @Test func giveUpAfterTheAllowedAttempts() async throws {
        let server = try InProcessServer(users: ["asesor.uno": .asesor], accounts: 1)
        let (replica, client) = try await server.device("asesor.uno", in: temporaryDirectory())
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(InProcessServer.credito(1))])
        server.failNext(.push, count: 10)
        await #expect(throws: SyncError.unreachable("network down (simulated)")) {
            try await client.sync(retrying: RetryPolicy(baseDelay: .milliseconds(1), maxDelay: .milliseconds(2), maxAttempts: 3))
        }
        #expect(try replica.status().pendingCount == 1)
    }

    @Test func anInvalidCursorTriggersAFullResyncThatKeepsTheOutbox() async throws {
        let server = try InProcessServer(users: ["asesor.uno": .asesor], accounts: 2)
        let (replica, client) = try await server.device("asesor.uno", in: temporaryDirectory())
        try replica.perform(RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(InProcessServer.credito(2))])
        // As if the server had been restored from an older backup.
        try replica.write { db in try Meta.set(db, "cursor", "999") }
        server.failNext(.push, count: 1)
        _ = try? await client.sync()
        try await client.sync()
        #expect(try replica.allRecords() == server.visible(to: "asesor.uno"))
        #expect(try replica.status().pendingCount == 0)
    }

    @Test func anExpiredSessionStopsSyncButKeepsTheQueue() async throws {
        let server = try InProcessServer(users: ["asesor.uno": .asesor], accounts: 1)
        let (replica, client) = try await server.device("asesor.uno", in: temporaryDirectory())
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(InProcessServer.credito(1))])
        try replica.write { db in try Meta.set(db, "token", "caducado") }
        do {
            try await client.sync(retrying: RetryPolicy(baseDelay: .milliseconds(1), maxAttempts: 5))
            Issue.record("expected the session to be refused")
        } catch {
            guard case .sessionExpired = error else { Issue.record("unexpected \(error)"); return }
            #expect(!error.isRetryable)
        }
        #expect(try replica.status().pendingCount == 1)
        #expect(try replica.session() == nil, "the dead token is forgotten")
    }

    @Test func backoffGrowsWithinItsCeiling() {
        var generator = SystemRandomNumberGenerator()
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        for attempt in 0..<20 {
            let ceiling = min(2000.0, 100 * pow(2, Double(attempt)))
            for _ in 0..<50 {
                let delay = policy.delay(afterAttempt: attempt, using: &generator)
                #expect(delay >= .zero && delay <= .milliseconds(Int64(ceiling)))
            }
        }
        var seen: Set<Duration> = []
        for _ in 0..<50 { seen.insert(policy.delay(afterAttempt: 5, using: &generator)) }
        #expect(seen.count > 10, "jitter spreads retries")
    }
}

@Suite struct ServerHistoryTests {
    @Test func aReplacedServerHistoryIsDownloadedAgainKeepingTheOutbox() async throws {
        let server = try InProcessServer(users: ["asesor.uno": .asesor], accounts: 2)
        let (replica, client) = try await server.device("asesor.uno", in: temporaryDirectory())
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(InProcessServer.credito(1))])
        // As if this device had been set up against a database since replaced by a restore.
        try replica.write { db in try Meta.set(db, "server_id", "una-base-anterior") }
        try await client.sync()
        #expect(try replica.session()?.serverID == server.store.serverID)
        #expect(try replica.status().pendingCount == 0)
        #expect(try replica.allRecords() == server.visible(to: "asesor.uno"))
    }
}
