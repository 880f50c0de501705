import Foundation
import GestionProtocol
import SyncCore
import TestFixtures
import Testing

@testable import GestionServer

/// The conflict machinery of the sync core and the server, on a toy domain of notes so that it
/// is tested apart from the mediation rules.
enum Notas {
    static func key(_ id: String) -> RecordKey { RecordKey("notas", id) }

    /// Writes `texto` (last writer wins) and records when it counted.
    struct Escribir: Mutation {
        static let name = "escribir"
        static let summary = "Write a note."
        static let allowedRoles: Set<String> = ["editor"]
        static let worksOffline = true
        var id: String
        var texto: String

        func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
            var body = try records.record(Notas.key(id)) ?? ["estado": "abierta"]
            guard body["estado"] == "abierta" else { throw MutationRejection(code: "cerrada", message: "The note is closed.") }
            FieldStamps.set("texto", to: .string(texto), stamp: context.stamp, in: &body)
            body["contado"] = .string(RFC3339.string(from: context.occurredAt))
            body["nota"] = context.timeNote.map(JSONValue.string) ?? .null
            records.put(Notas.key(id), body)
            return .applied
        }

        func conflictTargets() -> [RecordKey] { [Notas.key(id)] }
    }

    /// Sets the state, if the note is open: `firmada`, `negada` or `cerrada`.
    struct Decidir: Mutation {
        static let name = "decidir"
        static let summary = "Decide a note."
        static let allowedRoles: Set<String> = ["editor"]
        static let worksOffline = true
        var id: String
        var estado: String

        func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
            var body = try records.record(Notas.key(id)) ?? [:]
            guard body["estado"] == "abierta" else { throw MutationRejection(code: "ya_decidida", message: "Already decided.") }
            body["estado"] = .string(estado)
            records.put(Notas.key(id), body)
            return .applied
        }

        func conflictTargets() -> [RecordKey] { [Notas.key(id)] }
    }

    struct Archivar: Mutation {
        static let name = "archivar"
        static let summary = "Archive a note."
        static let allowedRoles: Set<String> = ["editor"]
        static let worksOffline = true
        var id: String

        func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
            var body = try records.record(Notas.key(id)) ?? [:]
            body["estado"] = "archivada"
            records.put(Notas.key(id), body)
            return .applied
        }

        func conflictTargets() -> [RecordKey] { [Notas.key(id)] }
    }

    struct Resolver: Mutation {
        static let name = "resolver"
        static let summary = "Resolve a conflict."
        static let allowedRoles: Set<String> = ["revisor"]
        static let worksOffline = true
        var conflicto: String
        var eleccion: ConflictChoice
        var motivo: String
        var fusion: JSONObject?

        func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
            try ConflictResolver.resolve(
                id: conflicto, choice: eleccion, reason: motivo, merge: fusion, context: context, records: &records,
                registry: Notas.registry
            ) { _, body in
                guard let estado = body["estado"]?.stringValue, ["abierta", "firmada", "negada"].contains(estado) else {
                    throw MutationRejection(code: "estado_invalido", message: "Unknown state.")
                }
            }
        }
    }

    static let registry: MutationRegistry = {
        var registry = MutationRegistry()
        registry.register(Escribir.self)
        registry.register(Decidir.self)
        registry.register(Archivar.self)
        registry.register(Resolver.self)
        registry.conflictRules = ConflictRuleTable([
            ConflictRule("escribir", "escribir", .lastWriterWins, because: "the later text wins"),
            ConflictRule("decidir", "decidir", .exclusive, because: "a note has one decision"),
            ConflictRule("escribir", "decidir", .commutative, because: "text and decision are independent"),
            ConflictRule("archivar", "escribir", .supersedes(winner: "archivar"), because: "an archived note takes no text"),
            ConflictRule("archivar", "decidir", .supersedes(winner: "decidir"), because: "a decision outweighs archiving"),
        ])
        return registry
    }()
}

@Suite struct ConflictMachineryTests {
    let directory = Fixtures.temporaryDirectory("conflicts")
    let store: SQLiteSyncStore
    let start = RFC3339.date(from: "2026-11-27T16:00:00Z")!
    let a = MutationAuthor(userID: "ana", role: "editor", clientID: "equipo-a")
    let b = MutationAuthor(userID: "beto", role: "editor", clientID: "equipo-b")
    let revisor = MutationAuthor(userID: "rita", role: "revisor", clientID: "equipo-r")

    init() throws {
        store = try SQLiteSyncStore(directory: directory)
        for author in [a, b, revisor] {
            try store.addUser(NewUser(id: author.userID, role: author.role, passwordHash: "!", createdAt: start))
            try store.registerClient(
                ClientRegistration(clientID: author.clientID, userID: author.userID, deviceName: "d", appVersion: "t", now: start)
            )
        }
    }

    @discardableResult
    func push(
        _ author: MutationAuthor, _ id: Int64, _ name: String, _ args: JSONObject, base: Int64?, at offset: TimeInterval = 0,
        hlcMillis: Int64? = nil, receivedAt: TimeInterval? = nil
    ) throws -> MutationResult {
        let occurred = start.addingTimeInterval(offset)
        let envelope = MutationEnvelope(
            id: id, name: name, args: args, occurredAt: occurred,
            hlc: HybridTimestamp(millis: hlcMillis ?? Int64(occurred.timeIntervalSince1970 * 1000)), baseVersion: base
        )
        let response = try store.push(
            [envelope], author: author, authorTags: ["*"], registry: Notas.registry, receivedAt: start.addingTimeInterval(receivedAt ?? offset + 1),
            policy: PushPolicy()
        )
        return try #require(response.results.first)
    }

    func nota(_ id: String) throws -> JSONObject? { try store.allRecords()[Notas.key(id)] }

    func conflicts() throws -> [ConflictRecord] {
        try store.allRecords().filter { $0.key.collection == ConflictRecord.collection }.values.map {
            try JSONValueDecoder().decode(ConflictRecord.self, from: .object($0))
        }
    }

    @Test func exclusiveActionsGoToReviewWithBothContendersAndTheBase() throws {
        try push(a, 1, "escribir", ["id": "n1", "texto": "hola"], base: 0)
        let base = try store.latestVersion()
        try push(a, 2, "decidir", ["id": "n1", "estado": "firmada"], base: base, at: 10)
        let held = try push(b, 1, "decidir", ["id": "n1", "estado": "negada"], base: base, at: 20)
        #expect(held.status == .applied)
        #expect(held.resolution?.hasPrefix("Sent to review") == true)
        #expect(try nota("n1")?["estado"] == "firmada", "the first stays in place")
        let conflict = try #require(try conflicts().first)
        #expect(conflict.id == "equipo-b-1")
        #expect(conflict.status == "open")
        #expect(conflict.targets == ["notas/n1"])
        #expect(conflict.rule == "a note has one decision")
        #expect(conflict.contenders.map(\.mutation) == ["decidir", "decidir"])
        #expect(conflict.contenders.map(\.userId) == ["ana", "beto"])
        #expect(conflict.contenders.map(\.applied) == [true, false])
        #expect(conflict.base["notas/n1"]?["estado"] == "abierta")
    }

    @Test func aDeviceThatSawTheFirstDecisionIsSimplyRefused() throws {
        try push(a, 1, "escribir", ["id": "n1", "texto": "hola"], base: 0)
        try push(a, 2, "decidir", ["id": "n1", "estado": "firmada"], base: 1)
        let refused = try push(b, 1, "decidir", ["id": "n1", "estado": "negada"], base: try store.latestVersion())
        #expect(refused.status == .rejected && refused.code == "ya_decidida")
        #expect(try conflicts().isEmpty)
    }

    @Test func theSameDevicesEarlierActionIsNotConcurrent() throws {
        try push(a, 1, "escribir", ["id": "n1", "texto": "hola"], base: 0)
        try push(a, 2, "decidir", ["id": "n1", "estado": "firmada"], base: 1)
        let second = try push(a, 3, "decidir", ["id": "n1", "estado": "negada"], base: 1)
        #expect(second.code == "ya_decidida")
        #expect(try conflicts().isEmpty)
    }

    @Test func aSupersedingActionThatCameFirstMakesTheLaterOneMoot() throws {
        try push(a, 1, "escribir", ["id": "n1", "texto": "hola"], base: 0)
        try push(a, 2, "archivar", ["id": "n1"], base: 1, at: 10)
        let moot = try push(b, 1, "escribir", ["id": "n1", "texto": "adiós"], base: 1, at: 5)
        #expect(moot.status == .rejected && moot.code == "superseded")
        #expect(moot.message?.contains("an archived note takes no text") == true)
        #expect(try nota("n1")?["texto"] == "hola")
    }

    @Test func lastWriterWinsByHybridClockWhateverTheArrivalOrder() throws {
        try push(a, 1, "escribir", ["id": "n1", "texto": "inicio"], base: 0)
        // B wrote later (by clock) but its push arrives first; A's earlier write arrives second.
        let t0 = Int64(start.timeIntervalSince1970 * 1000)
        try push(b, 1, "escribir", ["id": "n1", "texto": "de beto"], base: 1, at: 20, hlcMillis: t0 + 2_000)
        try push(a, 2, "escribir", ["id": "n1", "texto": "de ana"], base: 1, at: 30, hlcMillis: t0 + 1_000)
        #expect(try nota("n1")?["texto"] == "de beto")
        #expect(try conflicts().isEmpty)
    }

    @Test func implausibleTimesCountFromTheArrival() throws {
        let ahead = try push(a, 1, "escribir", ["id": "n1", "texto": "x"], base: 0, at: 86_400 * 3, receivedAt: 60)
        #expect(ahead.status == .applied)
        let body = try #require(try nota("n1"))
        #expect(body["contado"] == .string(RFC3339.string(from: start.addingTimeInterval(60))))
        #expect(body["nota"]?.stringValue?.contains("clock was ahead") == true)

        // B reports a time days before it could have received the note.
        try push(b, 1, "escribir", ["id": "n1", "texto": "y"], base: try store.latestVersion(), at: -86_400 * 2, receivedAt: 120)
        #expect(try nota("n1")?["nota"]?.stringValue?.contains("clock was behind") == true)

        try push(a, 2, "escribir", ["id": "n1", "texto": "z"], base: try store.latestVersion(), at: 200)
        #expect(try nota("n1")?["nota"] == .null, "a plausible time counts as reported")
    }

    @Test func aPersonResolvesByKeepingReplacingOrMerging() throws {
        func conflictFixture(_ note: String, first: Int64) throws -> String {
            try push(a, first, "escribir", ["id": .string(note), "texto": "t"], base: 0)
            let base = try store.latestVersion()
            try push(a, first + 1, "decidir", ["id": .string(note), "estado": "firmada"], base: base, at: 10)
            let held = try push(b, first / 2 + 1, "decidir", ["id": .string(note), "estado": "negada"], base: base, at: 20)
            #expect(held.resolution != nil)
            return "equipo-b-\(first / 2 + 1)"
        }
        let keepID = try conflictFixture("n1", first: 1)
        let replaceID = try conflictFixture("n2", first: 3)
        let mergeID = try conflictFixture("n3", first: 5)

        let noReason = try push(revisor, 1, "resolver", ["conflicto": .string(keepID), "eleccion": "keep", "motivo": ""], base: nil)
        #expect(noReason.code == "reason_required")
        #expect(try push(revisor, 2, "resolver", ["conflicto": .string(keepID), "eleccion": "keep", "motivo": "La firma consta en papel"], base: nil).status == .applied)
        #expect(try nota("n1")?["estado"] == "firmada")
        let again = try push(revisor, 3, "resolver", ["conflicto": .string(keepID), "eleccion": "replace", "motivo": "Otra vez"], base: nil)
        #expect(again.code == "conflict_already_resolved")

        #expect(try push(revisor, 4, "resolver", ["conflicto": .string(replaceID), "eleccion": "replace", "motivo": "La negativa fue la última sesión"], base: nil).status == .applied)
        #expect(try nota("n2")?["estado"] == "negada", "the held action replaced the first")

        let badMerge = try push(revisor, 5, "resolver", ["conflicto": .string(mergeID), "eleccion": "merge", "motivo": "Ninguna", "fusion": ["estado": "inventado"]], base: nil)
        #expect(badMerge.code == "estado_invalido")
        #expect(try push(revisor, 6, "resolver", ["conflicto": .string(mergeID), "eleccion": "merge", "motivo": "Se reabre", "fusion": ["estado": "abierta"]], base: nil).status == .applied)
        #expect(try nota("n3")?["estado"] == "abierta")

        let resolved = try conflicts().filter { $0.status == "resolved" }
        #expect(Set(resolved.map(\.id)) == [keepID, replaceID, mergeID])
        #expect(resolved.first { $0.id == replaceID }?.resolution?.userId == "rita")
        #expect(try push(revisor, 7, "resolver", ["conflicto": "no-existe", "eleccion": "keep", "motivo": "Prueba de error"], base: nil).code == "conflict_not_found")
    }

    @Test func withoutABaseVersionNoRuleApplies() throws {
        try push(a, 1, "escribir", ["id": "n1", "texto": "t"], base: 0)
        try push(a, 2, "decidir", ["id": "n1", "estado": "firmada"], base: 1)
        #expect(try push(b, 1, "decidir", ["id": "n1", "estado": "negada"], base: nil).code == "ya_decidida")
    }

    @Test func aPairWithoutARuleGoesToReview() throws {
        var registry = Notas.registry
        registry.conflictRules = ConflictRuleTable()
        try push(a, 1, "escribir", ["id": "n1", "texto": "t"], base: 0)
        let envelope = MutationEnvelope(id: 1, name: "escribir", args: ["id": "n1", "texto": "u"], occurredAt: start, hlc: .zero, baseVersion: 0)
        let result = try store.push([envelope], author: b, authorTags: ["*"], registry: registry, receivedAt: start, policy: PushPolicy()).results[0]
        #expect(result.resolution?.contains("No conflict rule covers") == true)
    }
}
