import Foundation
import GestionProtocol
import Mediacion
import SyncCore
import Testing

@testable import GestionLogging
@testable import GestionServer

/// Code on the path of every request was rewritten for speed (a pull with nothing new, issue 7):
/// each fast path must give exactly what the general code it short-cuts gives.
@Suite struct HotPathEquivalenceTests {
    // MARK: Pull requests read without Codable

    static let pullRequests: [String] = [
        #"{"protocolVersion":1,"clientId":"c-1","cursor":0,"resultsAfter":0}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":42,"resultsAfter":7,"limit":500}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":42,"resultsAfter":7,"limit":null,"device":null}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"device":{"pendingCount":0}}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"device":{"pendingCount":2,"oldestPendingAt":"2026-11-27T10:30:00-06:00","unsentCount":1,"appVersion":"1.4.0"}}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"device":{"pendingCount":2,"oldestPendingAt":null,"unsentCount":null,"appVersion":null}}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"waitMs":20000}"#,
        // Shapes the fast reader leaves to Codable: Codable accepts or refuses them.
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3.0,"resultsAfter":0}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"extra":true}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"device":{"pendingCount":1,"color":"red"}}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":"3","resultsAfter":0}"#,
        #"{"protocolVersion":1,"clientId":7,"cursor":3,"resultsAfter":0}"#,
        #"{"protocolVersion":1,"cursor":3,"resultsAfter":0}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"limit":"10"}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"device":{"pendingCount":1,"oldestPendingAt":"ayer"}}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"device":[]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","cursor":3,"resultsAfter":0,"waitMs":-1.5}"#,
        #"[1,2]"#,
    ]

    @Test(arguments: pullRequests)
    func aPullRequestReadsTheSameWithoutCodable(_ text: String) throws {
        let value = try JSONParser.parse(Array(text.utf8))
        let viaCodable = try? JSONValueDecoder().decode(PullRequest.self, from: value)
        if let fast = PullRequest(wellFormed: value) {
            #expect(fast == viaCodable, "the fast reader accepted what Codable reads differently")
        } else {
            #expect(Self.pullRequests.firstIndex(of: text)! >= 7, "a plain pull must take the fast path")
        }
    }

    @Test func theFastReaderTakesEveryRequestOurClientSends() throws {
        let request = PullRequest(
            clientId: "c-1", cursor: 99, resultsAfter: 12, limit: 1000,
            device: DeviceReport(pendingCount: 3, oldestPendingAt: Date(timeIntervalSince1970: 1_795_795_200), unsentCount: 0, appVersion: "2.0"),
            waitMs: 20_000
        )
        let value = try JSONParser.parse(WireCoding.encode(request))
        #expect(PullRequest(wellFormed: value) == request)
    }

    static let pushRequests: [String] = [
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[{"id":1,"name":"registrarAvisoPrivacidad","args":{"numeroCredito":"1000000001"},"occurredAt":"2026-11-27T10:30:00.000Z","hlc":"001795795200000-0001"}]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[{"id":2,"name":"x","args":{},"occurredAt":"2026-11-27T10:30:00-06:00","hlc":"001795795200000-00ff","baseVersion":17},{"id":3,"name":"y","args":{"a":[1,{"b":null}]},"occurredAt":"2026-11-27T10:30:00Z","hlc":"001795795200001-0000","baseVersion":null}]}"#,
        // Left to Codable:
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[{"id":1,"name":"x","args":{},"occurredAt":"ayer","hlc":"001795795200000-0001"}]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[{"id":1,"name":"x","args":{},"occurredAt":"2026-11-27T10:30:00Z","hlc":"1-1"}]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[{"id":1.0,"name":"x","args":{},"occurredAt":"2026-11-27T10:30:00Z","hlc":"001795795200000-0001"}]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[{"id":1,"name":"x","args":[],"occurredAt":"2026-11-27T10:30:00Z","hlc":"001795795200000-0001"}]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","mutations":[{"id":1,"name":"x","args":{},"occurredAt":"2026-11-27T10:30:00Z","hlc":"001795795200000-0001","extra":1}]}"#,
        #"{"protocolVersion":1,"clientId":"c-1","mutations":{}}"#,
        #"{"protocolVersion":1,"clientId":"c-1"}"#,
    ]

    @Test(arguments: pushRequests)
    func aPushRequestReadsTheSameWithoutCodable(_ text: String) throws {
        let value = try JSONParser.parse(Array(text.utf8))
        let viaCodable = try? JSONValueDecoder().decode(PushRequest.self, from: value)
        if let fast = PushRequest(wellFormed: value) {
            #expect(fast == viaCodable, "the fast reader accepted what Codable reads differently")
        } else {
            #expect(Self.pushRequests.firstIndex(of: text)! >= 3, "a plain push must take the fast path")
        }
    }

    @Test func theFastReaderTakesEveryPushOurClientSends() throws {
        let envelope = MutationEnvelope(
            id: 41, name: "registrarDatosContacto", args: ["numeroCredito": "1000000001", "telefonoCelular": "5512345678"],
            occurredAt: Date(timeIntervalSince1970: 1_795_795_200.5), hlc: HybridTimestamp(millis: 1_795_795_200_500, counter: 3),
            baseVersion: 99
        )
        let request = PushRequest(clientId: "c-1", mutations: [envelope, envelope])
        #expect(PushRequest(wellFormed: try JSONParser.parse(WireCoding.encode(request))) == request)
    }

    // MARK: The bearer token

    @Test(arguments: [
        ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER \tabc \t", "abc"), ("Bearer ", ""), ("Bearer   ", ""),
        ("Bearer a b", "a b"), ("Basic abc", nil), ("Bearerabc", nil), ("Bear", nil), ("", nil), ("Bëarer abc", nil),
    ] as [(String, String?)])
    func theBearerTokenIsTakenAsBefore(_ header: String, _ expected: String?) {
        #expect(Authenticator.bearerToken(header).map(String.init) == expected)
        // The code it replaced:
        let before = header.lowercased().hasPrefix("bearer ")
            ? header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces) : nil
        #expect(Authenticator.bearerToken(header).map(String.init) == before)
    }

    // MARK: The media type

    @Test(arguments: [
        "application/json", "application/json; charset=utf-8", "Application/JSON", " application/json ", "application/json;",
        "text/plain", "application/jsonp", "application/json-patch+json", "", ";application/json", "application/ json",
    ])
    func theMediaTypeIsRecognisedAsBefore(_ contentType: String) {
        // The code it replaced:
        let before = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
        #expect(SyncService.isJSON(contentType: contentType) == before)
    }

    // MARK: Log values

    @Test(arguments: [
        "plain", "", "two words", "a=b", #"say "hi""#, "line\nbreak", "cr\rlf", "tab\there", "back\\slash", "Mediación",
        "Mediación en curso", "form\u{0C}feed", "next\u{85}line", "sep\u{2028}arator", "/sync/pull", "12.34",
    ])
    func aLogValueIsQuotedAsBefore(_ value: String) {
        // The code it replaced:
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
        var before = value
        if needsQuotes {
            before = "\""
            for ch in value {
                switch ch {
                case "\"": before += "\\\""
                case "\\": before += "\\\\"
                case "\n": before += "\\n"
                case "\r": before += "\\r"
                default: before.append(ch)
                }
            }
            before += "\""
        }
        #expect(LogFormat.quote(value) == before)
    }

    @Test func aLogLineKeepsItsShape() {
        let record = LogRecord(
            level: .info, label: "http", event: "http.request", metadata: ["status": "200", "path": "/sync/pull", "note": "dos palabras"],
            time: Date(timeIntervalSince1970: 1_795_795_200.125)
        )
        #expect(
            LogFormat.logfmt(record)
                == #"time=2026-11-27T16:00:00.125Z level=info label=http event=http.request note="dos palabras" path=/sync/pull status=200"#
        )
    }

    // MARK: What a push writes and answers

    static let auditEntries: [AuditEntry] = {
        var first = AuditEntry(
            kind: "mutation", action: "registrarAceptacion", actor: "asesor.uno", role: "asesor", device: "c-1",
            occurredAt: Date(timeIntervalSince1970: 1_795_795_200.125), subjects: ["casos/1000000001-1", "cuentas/1000000001"],
            outcome: "applied"
        )
        first.seq = 1
        first.at = Date(timeIntervalSince1970: 1_795_795_201.5)
        first.hash = first.expectedHash
        var second = AuditEntry(kind: "admin", action: "user add", actor: "admin", role: "administrador", device: "", outcome: "ok")
        second.seq = 2
        second.at = Date(timeIntervalSince1970: 1_795_795_202)
        second.previousHash = first.hash
        var third = AuditEntry(
            kind: "mutation", action: "registrarDatosContacto", actor: "Núñez \"el de la ñ\"", role: "asesor", device: "c/2\n",
            occurredAt: Date(timeIntervalSince1970: -1.25), subjects: [], outcome: "rejected:fuera_de_plazo"
        )
        third.seq = Int64.max
        return [first, second, third]
    }()

    @Test(arguments: auditEntries)
    func anAuditEntryHashesTheBytesCodableWrote(_ entry: AuditEntry) throws {
        // The hash is SHA-256 over the previous hash and these bytes: equal bytes, equal hashes,
        // so chains written before the change still verify.
        #expect(JSONSerializer.bytes(entry.canonicalValue) == (try JSONValueEncoder().encodeBytes(entry)))
    }

    @Test func aPushAnswerIsTheBytesCodableWrote() {
        let responses = [
            PushResponse(results: [], lastMutationId: 0),
            PushResponse(
                results: [
                    MutationResult(id: 7, status: .applied, version: 12),
                    MutationResult(id: 8, status: .rejected, code: "fuera_de_plazo", message: "El plazo venció el 3 de noviembre."),
                    MutationResult(id: 9, status: .applied, resolution: "revisión", version: 13, duplicate: true),
                ],
                lastMutationId: 9
            ),
        ]
        for response in responses {
            #expect(JSONSerializer.bytes(response.wireValue) == WireCoding.encode(response))
        }
    }

    @Test(arguments: [(0, "0.00"), (4_999, "0.00"), (5_000, "0.01"), (123_456, "0.12"), (2_040_000, "2.04"), (1_000_000_000, "1000.00")] as [(UInt64, String)])
    func aDurationInMillisecondsIsWrittenAsBefore(_ nanoseconds: UInt64, _ expected: String) {
        let start = DispatchTime(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds - nanoseconds)
        let text = SyncService.milliseconds(since: start)
        // Time passes between the two readings: allow the last digit to move up a little.
        let value: Double? = Double(text)
        #expect(text.split(separator: ".").last?.count == 2)
        #expect(abs((value ?? -1) - Double(expected)!) < 0.5, "\(text) for \(expected)")
    }

    // MARK: A pull with nothing new, answered from the authentication snapshot

    @Test func aPullWithNothingNewAnswersWhatTheStoreWould() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let pushed = harness.push(
            token, client: "tel-1", [(RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(ServiceHarness.credito(1))])]
        )
        #expect(pushed.status == 200)
        // Catch up, then ask again with nothing new: the shortcut must give the store's page.
        let first = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1").json)
        #expect(first.lastMutationId == 1 && !first.changeSets.isEmpty)
        let caller = try harness.service.authenticator.authenticate(authorization: "Bearer \(token)", now: harness.clock.now)
        let idle = PullRequest(clientId: "tel-1", cursor: first.cursor, resultsAfter: first.lastMutationId)
        let shortcut = try #require(SyncService.nothingNew(idle, caller: caller, serverID: harness.store.serverID, now: harness.clock.now))
        let stored = try harness.store.pull(
            clientID: "tel-1", cursor: idle.cursor, resultsAfter: idle.resultsAfter, limit: 100, serverTime: harness.clock.now,
            audience: PullAudience(user: caller.profile, policy: harness.service.registry.replication)
        )
        #expect(shortcut == stored)
        let answered = try JSONValueDecoder().decode(
            PullResponse.self, from: harness.pull(token, client: "tel-1", cursor: first.cursor, resultsAfter: first.lastMutationId).json
        )
        #expect(answered.changeSets.isEmpty && answered.cursor == first.cursor && answered.lastMutationId == 1)

        // Anything the device has not heard of goes to the store: an older cursor, results it has
        // not acknowledged, a version committed since.
        #expect(SyncService.nothingNew(PullRequest(clientId: "tel-1", cursor: first.cursor - 1, resultsAfter: 1), caller: caller, serverID: "s", now: .now) == nil)
        #expect(SyncService.nothingNew(PullRequest(clientId: "tel-1", cursor: first.cursor, resultsAfter: 0), caller: caller, serverID: "s", now: .now) == nil)
        _ = harness.push(token, client: "tel-1", [(RegistrarDatosContacto.name, ["numeroCredito": .string(ServiceHarness.credito(1)), "telefonoFijo": "5550001111"])], firstID: 2)
        let later = try harness.service.authenticator.authenticate(authorization: "Bearer \(token)", now: harness.clock.now)
        #expect(SyncService.nothingNew(idle, caller: later, serverID: "s", now: .now) == nil)
        let fresh = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1", cursor: first.cursor, resultsAfter: 1).json)
        #expect(fresh.changeSets.count == 1 && fresh.lastMutationId == 2)
    }
}
