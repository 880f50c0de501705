import Foundation
import GestionClient
import GestionProtocol
import Mediacion
import Synchronization
import SyncCore
import Testing

/// Issue 2, end-to-end cases 5 and 6.
@Suite struct RejectionAndPullTests {
    // MARK: Case 5

    @Test func aRefusedMutationIsUndoneOnTheDeviceShownWithItsReasonAndTheRestOfTheBatchApplies() throws {
        let directory = TemporaryDirectory("rejection")
        let server = try TestServer(
            directory: directory, users: ["asesor.uno": "asesor", "asesor.dos": "asesor"], accountsCSV: Cuentas.csv(3)
        )
        let first = DeviceCLI(directory, "telefono-1", user: "asesor.uno")
        let second = DeviceCLI(directory, "telefono-2", user: "asesor.dos")
        for device in [first, second] {
            try device.login(server)
            try device.ok(["sync"])
        }
        // Both offline: two asesores visit the same borrower on the same day and record the
        // acceptance; the answer of a round is recorded once.
        try first.ok(["aceptar", Cuentas.credito(1)])
        try second.ok(["aceptar", Cuentas.credito(1)])
        try second.ok(["aceptar", Cuentas.credito(2)])
        try second.ok(["aviso-privacidad", Cuentas.credito(2)])

        try first.ok(["sync"])
        let sync = try second.ok(["sync"])
        #expect(sync.stdout.contains("1 refused"))
        #expect(sync.stdout.contains("gestion rechazos"))

        let rejections = try second.ok(["rechazos", "--json"])
        let list = try #require(try JSONParser.parse(rejections.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue)
        #expect(list.count == 1)
        #expect(list.first?["id"] == .int(1))
        #expect(list.first?["code"] == "respuesta_ya_registrada")
        #expect(list.first?["message"]?.stringValue?.contains("En Mediación") == true)

        // The refusal was undone: the device shows the server's case, marked as refused here.
        let caso = try second.ok(["caso", Cuentas.credito(1), "--json"])
        #expect(caso.stdout.contains("\"estatus\":\"En Mediación\""))
        #expect(caso.stdout.contains("\"syncState\":\"rejected\""))
        let other = try second.ok(["caso", Cuentas.credito(2), "--json"])
        #expect(other.stdout.contains("\"estatus\":\"En Mediación\""))
        #expect(try Tables.records(ofFile: second.replica) == Tables.serverRecords(server, visibleTo: second.user))

        // Dismissed, the rejection disappears and the record is simply synced.
        try second.ok(["descartar", "1"])
        #expect(try second.ok(["rechazos"]).stdout.contains("No refused changes."))
        #expect(try second.ok(["caso", Cuentas.credito(1), "--json"]).stdout.contains("\"syncState\":\"synced\""))
        let again = try second.run(["descartar", "1"])
        #expect(again.status == 1)
    }

    // MARK: Case 6

    @Test func pullsRunningWhileOthersPushSkipNoChange() async throws {
        let directory = TemporaryDirectory("concurrent-pull")
        let writers = (1...3).map { "asesor.\($0)" }
        let server = try TestServer(
            directory: directory,
            users: Dictionary(uniqueKeysWithValues: (writers + ["lector"]).map { ($0, "asesor") }),
            accountsCSV: Cuentas.csv(3)
        )
        var devices: [DeviceLibrary] = []
        for (index, user) in writers.enumerated() {
            let device = try DeviceLibrary(directory, "escritor-\(index)", user: user)
            try await device.login(server)
            try await device.client.sync()
            try device.replica.perform(RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(Cuentas.credito(index + 1))])
            devices.append(device)
        }
        let raw = RawClient(base: server.url)
        let token = try await raw.login(user: "lector", clientID: "lector")

        let finished = SharedCounts()
        let writing = devices.enumerated().map { index, device in
            Task {
                defer { finished.add("writers", 1) }
                for n in 1...25 {
                    try device.replica.perform(
                        RegistrarDatosContacto.name,
                        [
                            "numeroCredito": .string(Cuentas.credito(index + 1)),
                            "telefonoFijo": .string(String(5_550_000_000 + index * 1000 + n)),
                        ]
                    )
                    try await device.client.sync()
                }
            }
        }

        // The reader pulls small pages the whole time, and once more after the writers finish.
        var seen: [Int64] = []
        var state: [RecordKey: JSONObject] = [:]
        var cursor: Int64 = 0
        func pullUntilCurrent() async throws {
            while true {
                let reply = try await raw.post(
                    "/sync/pull", PullRequest(clientId: "lector", cursor: cursor, resultsAfter: 0, limit: 3), token: token
                )
                #expect(reply.status == 200)
                let page = try JSONValueDecoder().decode(PullResponse.self, from: reply.body)
                for changeSet in page.changeSets {
                    seen.append(changeSet.version)
                    for change in changeSet.changes { state[change.key] = change.body }
                }
                cursor = page.cursor
                if !page.hasMore { return }
            }
        }
        var pullsDuringWrites = 0
        while finished.value("writers") < Int64(writers.count) {
            try await pullUntilCurrent()
            pullsDuringWrites += 1
        }
        for task in writing { try await task.value }
        try await pullUntilCurrent()

        let latest = try #require(try Tables.serverScalar(server, "SELECT MAX(version) FROM change_sets")?.int64)
        #expect(latest >= 3 + 3 + 75, "imports, notices and every contact change have a version")
        #expect(pullsDuringWrites > 1, "the reader pulled while the writers pushed")
        #expect(seen == Array(1...latest), "every version seen once, in order, none skipped")
        let serverRecords = try Tables.serverRecords(server).map { [$0[0], $0[1], $0[2]] }
        let pulledRecords = state.compactMap { key, body in
            [key.collection, key.id, JSONSerializer.string(.object(body))]
        }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
        #expect(pulledRecords == serverRecords, "replaying the pulled change-sets gives the server's records")
    }
}
