import Foundation
import GestionProtocol
import GestionSQLite
import Mediacion
import SyncCore
import Testing

@testable import GestionClient

@Suite struct ReplicaFileTests {
    @Test func aFileThatIsNotADatabaseIsRefusedAndLeftAlone() throws {
        let directory = temporaryDirectory()
        let path = directory.appendingPathComponent("notas.sqlite").path
        let content = Data("esto no es una base de datos, son notas de campo\n".utf8)
        try content.write(to: URL(fileURLWithPath: path))
        #expect(throws: ReplicaError.notADatabase(path: path)) {
            try LocalReplica(path: path, registry: Mediacion.registry)
        }
        #expect(FileManager.default.contents(atPath: path) == content)
    }

    @Test func anotherProgramsDatabaseIsRefused() throws {
        let path = temporaryDirectory().appendingPathComponent("otra.sqlite").path
        let other = try Connection(path: path)
        try other.execute("CREATE TABLE agenda (dia TEXT)")
        other.close()
        #expect(throws: ReplicaError.notAReplica(path: path)) {
            try LocalReplica(path: path, registry: Mediacion.registry)
        }
    }

    @Test func aReplicaWrittenByANewerVersionIsRefused() throws {
        let path = temporaryDirectory().appendingPathComponent("nueva.sqlite").path
        try LocalReplica(path: path, registry: Mediacion.registry).close()
        let connection = try Connection(path: path)
        try connection.run("INSERT INTO schema_migrations (name, applied_at) VALUES ('9999-future', '2030-01-01')")
        connection.close()
        #expect(throws: ReplicaError.newerVersion(path: path)) {
            try LocalReplica(path: path, registry: Mediacion.registry)
        }
    }

    @Test func theClientIDSurvivesReopening() throws {
        let path = temporaryDirectory().appendingPathComponent("r.sqlite").path
        let first = try LocalReplica(path: path, registry: Mediacion.registry)
        let id = first.clientID
        first.close()
        #expect(try LocalReplica(path: path, registry: Mediacion.registry).clientID == id)
        #expect(UUID(uuidString: id) != nil)
    }

    @Test func nothingCanBeDoneBeforeTheFirstSignIn() throws {
        let replica = try LocalReplica(path: temporaryDirectory().appendingPathComponent("r.sqlite").path, registry: Mediacion.registry)
        #expect(throws: ReplicaError.notSignedIn) {
            try replica.perform(RegistrarAceptacion.name, ["numeroCredito": "1000000001"])
        }
        #expect(throws: ReplicaError.unknownMutation("borrarTodo")) { try replica.perform("borrarTodo", [:]) }
    }
}

/// The rebase, driven with hand-made pull pages.
@Suite struct RebaseTests {
    let replica: LocalReplica
    let credito = "1000000001"

    init() throws {
        replica = try LocalReplica(path: temporaryDirectory().appendingPathComponent("r.sqlite").path, registry: Mediacion.registry)
        try replica.saveSession(
            ReplicaSession(serverURL: "http://x", userID: "asesor.uno", role: "asesor", token: "t", tokenExpiresAt: .distantFuture, serverID: "s")
        )
        var contacto = DatosContacto(numeroCredito: credito)
        contacto.avisoPrivacidadMostrado = Date(timeIntervalSince1970: 1_795_000_000)
        try replica.applyPullPage(
            page(
                [
                    ChangeSet(version: 1, changes: [RecordChange(key: Cuenta.key(credito), body: InProcessServer.cuenta(1).body)]),
                    ChangeSet(version: 2, changes: [RecordChange(key: contacto.key, body: contacto.body)]),
                ], cursor: 2, lastMutationId: 0
            )
        )
    }

    func page(_ changeSets: [ChangeSet], cursor: Int64, lastMutationId: Int64, results: [MutationResult] = []) -> PullResponse {
        PullResponse(
            changeSets: changeSets, cursor: cursor, hasMore: false, lastMutationId: lastMutationId, results: results,
            serverId: "s", serverTime: Date()
        )
    }

    func contacto() throws -> (DatosContacto, SyncState) {
        let record = try #require(try replica.record(DatosContacto.key(credito)))
        return (try DatosContacto(body: record.body), record.syncState)
    }

    @Test func aPendingChangeStaysOnTopOfNewServerData() throws {
        try replica.perform(RegistrarDatosContacto.name, ["numeroCredito": .string(credito), "telefonoFijo": "5550001111"])
        #expect(try contacto().0.telefonoFijo == "5550001111")
        #expect(try contacto().1 == .pending)

        // Someone else's e-mail arrives before our change was confirmed.
        var server = try contacto().0
        server.telefonoFijo = nil
        server.correoElectronico = "otra.persona@example.com"
        try replica.applyPullPage(page([ChangeSet(version: 3, changes: [RecordChange(key: server.key, body: server.body)])], cursor: 3, lastMutationId: 0))
        let (rebased, state) = try contacto()
        #expect(rebased.correoElectronico == "otra.persona@example.com")
        #expect(rebased.telefonoFijo == "5550001111")
        #expect(state == .pending)

        // The server confirms it: the record is the server's, synced; the outbox is empty.
        server.telefonoFijo = "5550001111"
        try replica.applyPullPage(page([ChangeSet(version: 4, changes: [RecordChange(key: server.key, body: server.body)])], cursor: 4, lastMutationId: 1))
        #expect(try contacto() == (server, .synced))
        #expect(try replica.pendingMutations().isEmpty)
        #expect(try replica.syncPosition().cursor == 4)
    }

    @Test func aRefusedChangeIsUndoneAndKeptWithItsReason() throws {
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(credito)])
        try replica.perform(RegistrarDatosContacto.name, ["numeroCredito": .string(credito), "telefonoFijo": "5550001111"])
        #expect(try replica.record(Caso.key("\(credito)-1"))?.syncState == .pending)

        try replica.applyPullPage(
            page([], cursor: 2, lastMutationId: 2, results: [MutationResult(id: 1, status: .rejected, code: "x", message: "No se pudo")])
        )
        #expect(try replica.record(Caso.key("\(credito)-1")) == nil, "the refused acceptance is undone")
        #expect(try contacto().0.telefonoFijo == nil, "the applied change comes from the server, which did not send one")
        let rejections = try replica.rejections()
        #expect(rejections.map(\.id) == [1])
        #expect(rejections.first?.message == "No se pudo")
        #expect(try replica.status().rejectedCount == 1)
        #expect(try replica.dismissRejection(1))
        #expect(try replica.rejections().isEmpty)
        #expect(try replica.dismissRejection(1) == false)
    }

    @Test func aChangeThatNoLongerAppliesStaysQueuedWithANote() throws {
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(credito)])
        // Another asesor's refusal for the same round reaches the device first.
        let caso = Caso(numeroCredito: credito, ronda: 1, estatus: .mediacionNoAceptada, asesor: "asesor.dos")
        try replica.applyPullPage(page([ChangeSet(version: 3, changes: [RecordChange(key: caso.key, body: caso.body)])], cursor: 3, lastMutationId: 0))
        let pending = try replica.pendingMutations()
        #expect(pending.count == 1)
        #expect(pending.first?.localError?.contains("already recorded") == true)
        #expect(try replica.record(caso.key)?.body["estatus"] == "Mediación no aceptada")
    }

    @Test func aLocallyRefusedActionIsNotQueued() throws {
        #expect(throws: Rechazo.cuentaNoExiste()) {
            try replica.perform(RegistrarDatosContacto.name, ["numeroCredito": "1000000002", "telefonoFijo": "5550001111"])
        }
        #expect(try replica.pendingMutations().isEmpty)
    }

    @Test func observersSeeLocalAndSyncedChanges() async throws {
        let changes = replica.changes()
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(credito)])
        try replica.applyPullPage(page([], cursor: 2, lastMutationId: 1))
        var iterator = changes.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.cause == .localMutation)
        #expect(first?.keys.contains(Caso.key("\(credito)-1")) == true)
        #expect(first?.keys.contains { $0.collection == Historial.collection } == true, "with its history entry")
        let second = await iterator.next()
        #expect(second?.cause == .sync)
    }

    @Test func anotherUsersSessionIsRefusedWhileWorkIsPending() throws {
        try replica.perform(RegistrarAceptacion.name, ["numeroCredito": .string(credito)])
        #expect(throws: ReplicaError.belongsToAnotherUser) {
            try replica.saveSession(
                ReplicaSession(serverURL: "http://x", userID: "asesor.dos", role: "asesor", token: "t", tokenExpiresAt: .distantFuture, serverID: "s")
            )
        }
    }
}
