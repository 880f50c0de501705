import Foundation
import GestionLogging
import GestionProtocol
import GestionSQLite
import Mediacion
import SyncCore
import Testing

@testable import GestionServer

@Suite struct PushTests {
    @Test func eachMutationGetsItsOwnResultAndARejectionBlocksNothing() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let c1 = ServiceHarness.credito(1)
        let reply = harness.push(
            token, client: "tel-1",
            [
                (RegistrarDatosContacto.name, ["numeroCredito": .string(c1), "telefonoFijo": "5550001111"]),
                ("borrarTodo", [:]),
                (RegistrarAceptacion.name, ["numeroCredito": 1_000_000_001]),
                (RegistrarAceptacion.name, ["numeroCredito": "1999999999"]),
                (AgendarSesion.name, ["numeroCredito": .string(c1), "fechaHora": "2026-12-01T10:00:00Z", "medioConvocatoria": "Whatsapp"]),
                (RegistrarAceptacion.name, ["numeroCredito": .string(c1)]),
            ]
        )
        #expect(reply.status == 200)
        let push = try JSONValueDecoder().decode(PushResponse.self, from: reply.json)
        #expect(push.results.map(\.status) == [.rejected, .rejected, .rejected, .rejected, .rejected, .applied])
        #expect(push.results.map(\.code) == [
            "aviso_privacidad_pendiente", "unknown_mutation", "invalid_arguments", "cuenta_no_existe", "role_not_allowed", nil,
        ])
        #expect(push.lastMutationId == 6)
        #expect(push.results[5].version != nil)
        #expect(try harness.store.allRecords()[Caso.key("\(c1)-1")]?["estatus"] == "En Mediación")
    }

    @Test func batchesMustBeConsecutiveAndBounded() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let skip = harness.post(
            "/sync/push",
            PushRequest(
                clientId: "tel-1",
                mutations: [1, 3].map {
                    MutationEnvelope(id: $0, name: RegistrarAceptacion.name, args: [:], occurredAt: harness.clock.now, hlc: .zero)
                }
            ), token: token
        )
        #expect(skip.status == 400 && skip.errorCode == "invalid_message")
        let many = harness.push(token, client: "tel-1", Array(repeating: (RegistrarAceptacion.name, [:]), count: 1001))
        #expect(many.status == 400 && many.message.contains("1000"))
        let empty = harness.push(token, client: "tel-1", [])
        #expect(empty.status == 200 && empty.json["lastMutationId"] == 0)
        let gap = harness.push(token, client: "tel-1", [(RegistrarAceptacion.name, [:])], firstID: 2)
        #expect(gap.status == 409 && gap.errorCode == "mutation_gap")
        #expect(gap.json["error"]?["details"]?["lastMutationId"] == 0)
    }

    @Test func aFullDiskRefusesThePushAndKeepsNothingHalfDone() throws {
        let harness = try ServiceHarness(accounts: 1)
        let token = try harness.login("asesor.uno", client: "tel-1")
        _ = harness.push(token, client: "tel-1", [(RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(ServiceHarness.credito(1))])])
        try harness.store.withWriter { db in
            let pages = try db.queryScalar("PRAGMA page_count")?.int64 ?? 0
            try db.execute("PRAGMA max_page_count = \(pages)")
        }
        let bigPhoneBook = (2...200).map { n -> (String, JSONObject) in
            (RegistrarDatosContacto.name, [
                "numeroCredito": .string(ServiceHarness.credito(1)), "telefonoFijo": .string(String(5_550_000_000 + n)),
                "correoElectronico": .string("persona.\(n).\(String(repeating: "x", count: 150))@example.com"),
            ])
        }
        let full = harness.push(token, client: "tel-1", bigPhoneBook, firstID: 2)
        #expect(full.status == 503)
        #expect(full.errorCode == "storage_full")
        #expect(full.message.contains("stay on the device"))
        let pull = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1").json)
        #expect(pull.lastMutationId == 1, "nothing of the refused push was recorded")
    }

    @Test func logsCarryNoPersonalData() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let c1 = ServiceHarness.credito(1)
        _ = harness.push(
            token, client: "tel-1",
            [
                (RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(c1)]),
                (RegistrarDatosContacto.name, ["numeroCredito": .string(c1), "correoElectronico": "persona.ficticia@example.com", "telefonoCelular": "5512345678"]),
                (RegistrarDatosContacto.name, ["numeroCredito": .string(c1), "correoElectronico": "no-es-correo"]),
            ]
        )
        _ = harness.pull(token, client: "tel-1")
        let lines = harness.logs.records.map(LogFormat.logfmt)
        #expect(!lines.isEmpty)
        for secret in ["persona.ficticia", "5512345678", "no-es-correo", "Persona Ficticia", c1] {
            #expect(!lines.contains { $0.contains(secret) }, "\(secret) leaked into the logs")
        }
    }
}

@Suite struct PullTests {
    @Test func pagesNeverSplitAChangeSetAndTheCursorAdvances() throws {
        let harness = try ServiceHarness(accounts: 2)
        let token = try harness.login("asesor.uno", client: "tel-1")
        let accepted = harness.push(
            token, client: "tel-1",
            [1, 2].map { (RegistrarAceptacion.name, ["numeroCredito": .string(ServiceHarness.credito($0))] as JSONObject) }
        )
        #expect(accepted.json["results"]?[1]?["status"] == "applied")
        // Versions: 1–2 the accounts; 3 and 4 each an acceptance: its case and its history entry (two rows).
        var cursor: Int64 = 0
        var pages: [[Int64]] = []
        while true {
            let page = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1", cursor: cursor, limit: 1).json)
            pages.append(page.changeSets.map(\.version))
            cursor = page.cursor
            if !page.hasMore { break }
        }
        #expect(pages == [[1], [2], [3], [4]])
        let third = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1", cursor: 2, limit: 1).json)
        #expect(third.changeSets.map(\.version) == [3])
        #expect(third.changeSets.first?.changes.map(\.collection) == ["casos", "historial"], "a page never splits a change-set")
        #expect(third.lastMutationId == 2)
    }

    @Test func rejectionsAreReportedUntilTheDeviceHasThem() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        _ = harness.push(
            token, client: "tel-1",
            [
                (RegistrarAceptacion.name, ["numeroCredito": .string(ServiceHarness.credito(1))]),
                (RegistrarNoAceptacion.name, ["numeroCredito": .string(ServiceHarness.credito(1))]),
            ]
        )
        let all = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1").json)
        #expect(all.results.map(\.id) == [2])
        #expect(all.results.first?.code == "respuesta_ya_registrada")
        let after = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1", resultsAfter: 2).json)
        #expect(after.results.isEmpty)
    }

    @Test func badCursorsAreRefused() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let ahead = harness.pull(token, client: "tel-1", cursor: 99)
        #expect(ahead.status == 409 && ahead.errorCode == "invalid_cursor")
        #expect(ahead.json["error"]?["details"]?["latestVersion"] == 3)
        let negative = harness.pull(token, client: "tel-1", cursor: -1)
        #expect(negative.status == 400)
        let zeroLimit = harness.pull(token, client: "tel-1", limit: 0)
        #expect(zeroLimit.status == 400)
    }
}
