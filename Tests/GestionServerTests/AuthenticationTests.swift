import Foundation
import GestionProtocol
import Mediacion
import SyncCore
import Testing

@testable import GestionServer

@Suite struct AuthenticationTests {
    @Test func loginReturnsATokenBoundToTheDevice() throws {
        let harness = try ServiceHarness()
        let reply = harness.post(
            "/sync/login",
            LoginRequest(user: "asesor.uno", password: ServiceHarness.password("asesor.uno"), clientId: "tel-1", deviceName: "Teléfono", appVersion: "t")
        )
        #expect(reply.status == 200)
        let login = try JSONValueDecoder().decode(LoginResponse.self, from: reply.json)
        #expect(login.role == "asesor")
        #expect(login.token.count == 43)
        #expect(login.serverId == harness.store.serverID)
        #expect(login.expiresAt == harness.clock.now.addingTimeInterval(14 * 86_400))
        // Only the token's hash is stored.
        let stored = try #require(try harness.store.token(hash: Authenticator.tokenHash(login.token)))
        #expect(stored.clientID == "tel-1")
        #expect(stored.hash != login.token)
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() throws {
        let harness = try ServiceHarness()
        let wrong = harness.post(
            "/sync/login", LoginRequest(user: "asesor.uno", password: "nope", clientId: "c", deviceName: "d", appVersion: "t")
        )
        let unknown = harness.post(
            "/sync/login", LoginRequest(user: "nadie", password: "nope", clientId: "c", deviceName: "d", appVersion: "t")
        )
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(wrong.errorCode == "wrong_credentials" && unknown.errorCode == "wrong_credentials")
        #expect(wrong.message == unknown.message)
    }

    @Test func repeatedFailuresAreThrottledWithGrowingWaits() throws {
        let harness = try ServiceHarness()
        func attempt(_ password: String, user: String = "asesor.uno", address: String = "10.0.0.1") -> ServiceHarness.Reply {
            harness.post(
                "/sync/login", LoginRequest(user: user, password: password, clientId: "c-\(user)", deviceName: "d", appVersion: "t"),
                address: address
            )
        }
        for _ in 0..<5 { #expect(attempt("mal").errorCode == "wrong_credentials") }
        let sixth = attempt("mal")
        #expect(sixth.errorCode == "wrong_credentials")
        let blocked = attempt(ServiceHarness.password("asesor.uno"))
        #expect(blocked.status == 429)
        #expect(blocked.errorCode == "too_many_attempts")
        #expect(blocked.headers["Retry-After"] == "1")

        harness.clock.advance(1.5)
        #expect(attempt("mal").errorCode == "wrong_credentials")
        let longer = attempt("mal")
        #expect(longer.headers["Retry-After"] == "2", "the wait doubles")

        // Another address is not blocked for another user; the same address is.
        #expect(attempt("mal", user: "asesor.dos", address: "10.0.0.2").errorCode == "wrong_credentials")
        #expect(attempt(ServiceHarness.password("asesor.dos"), user: "asesor.dos", address: "10.0.0.1").status == 429)

        harness.clock.advance(5)
        #expect(attempt(ServiceHarness.password("asesor.uno")).status == 200)
    }

    @Test func aDeviceBelongsToTheFirstUserWhoSignedInOnIt() throws {
        let harness = try ServiceHarness()
        _ = try harness.login("asesor.uno", client: "compartido")
        let reply = harness.post(
            "/sync/login",
            LoginRequest(user: "asesor.dos", password: ServiceHarness.password("asesor.dos"), clientId: "compartido", deviceName: "d", appVersion: "t")
        )
        #expect(reply.status == 403)
        #expect(reply.errorCode == "device_of_another_user")
    }

    @Test func syncCallsNeedAValidUnexpiredTokenOfTheSameDevice() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        #expect(harness.pull(token, client: "tel-1").status == 200)

        let missing = harness.post("/sync/pull", PullRequest(clientId: "tel-1", cursor: 0, resultsAfter: 0))
        #expect(missing.status == 401 && missing.errorCode == "unauthorized")
        let forged = harness.pull(String(repeating: "A", count: 43), client: "tel-1")
        #expect(forged.status == 401 && forged.errorCode == "invalid_token")
        let otherDevice = harness.pull(token, client: "tel-2")
        #expect(otherDevice.status == 403 && otherDevice.errorCode == "client_mismatch")

        harness.clock.advance(14 * 86_400 + 1)
        let expired = harness.pull(token, client: "tel-1")
        #expect(expired.status == 401 && expired.errorCode == "token_expired")
        #expect(expired.message.contains("kept"), "the user is told the device's changes are safe")
    }

    @Test func refusedSessionsAreAuditedOncePerAddressAndMinute() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        func refusals() throws -> [AuditEntry] {
            try harness.store.auditEntries(AuditFilter()).filter { $0.kind == "session_refused" }
        }

        let forged = harness.pull(String(repeating: "A", count: 43), client: "tel-1")
        #expect(forged.status == 401 && !forged.message.contains("asesor"))
        _ = harness.pull(String(repeating: "B", count: 43), client: "tel-1")
        #expect(try refusals().map(\.outcome) == ["invalid_token"], "a flood from one address writes one entry a minute")

        harness.clock.advance(61)
        let otherDevice = harness.pull(token, client: "tel-2")
        #expect(otherDevice.errorCode == "client_mismatch")
        let mismatch = try #require(try refusals().last)
        #expect(mismatch.outcome == "client_mismatch" && mismatch.actor == "asesor.uno" && mismatch.device == "tel-2")
        #expect(try harness.store.verifyAudit().isIntact)
    }
}

@Suite struct RequestValidationTests {
    @Test func unknownPathsAndWrongMethods() throws {
        let harness = try ServiceHarness()
        let notFound = harness.call("GET", "/nada")
        #expect(notFound.status == 404 && notFound.errorCode == "not_found")
        let wrongMethod = harness.call("GET", "/sync/push")
        #expect(wrongMethod.status == 405 && wrongMethod.errorCode == "method_not_allowed")
        #expect(wrongMethod.headers["Allow"] == "POST")
        #expect(harness.call("GET", "/healthz").json == ["status": "ok"])
        let info = harness.call("GET", "/sync/info")
        #expect(info.json["protocolVersions"] == [1])
    }

    @Test func bodiesMustBeJSONOfTheRightShapeAndVersion() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")

        let text = harness.call("POST", "/sync/pull", body: Array("cursor=0".utf8), token: token, contentType: "text/plain")
        #expect(text.status == 415 && text.errorCode == "unsupported_media_type")

        let broken = harness.call("POST", "/sync/pull", body: Array("{\"protocolVersion\":1,".utf8), token: token)
        #expect(broken.status == 400 && broken.errorCode == "malformed_json")
        #expect(broken.message.contains("byte"))

        let duplicateKey = harness.call(
            "POST", "/sync/pull", body: Array(#"{"protocolVersion":1,"cursor":0,"cursor":5}"#.utf8), token: token
        )
        #expect(duplicateKey.errorCode == "malformed_json")

        let shape = harness.post(
            "/sync/push", json: ["protocolVersion": 1, "clientId": "tel-1", "mutations": "todas"], token: token
        )
        #expect(shape.status == 400 && shape.errorCode == "invalid_message")
        #expect(shape.message.contains("mutations"))

        let noVersion = harness.post("/sync/pull", json: ["clientId": "tel-1", "cursor": 0, "resultsAfter": 0], token: token)
        #expect(noVersion.errorCode == "invalid_message")
        #expect(noVersion.message.contains("protocolVersion"))
    }

    @Test(arguments: [(0, "too old"), (2, "newer than the server")])
    func unsupportedProtocolVersionsGetAClearError(version: Int, words: String) throws {
        let harness = try ServiceHarness()
        let reply = harness.post(
            "/sync/login",
            LoginRequest(
                protocolVersion: version, user: "asesor.uno", password: ServiceHarness.password("asesor.uno"), clientId: "c",
                deviceName: "d", appVersion: "t"
            )
        )
        #expect(reply.status == 400)
        #expect(reply.errorCode == "unsupported_protocol_version")
        #expect(reply.message.contains(words))
        #expect(reply.json["error"]?["details"] == ["minimum": 1, "maximum": 1])
    }
}

@Suite struct HardeningTests {
    @Test func hostileMutationIdsCannotOverflow() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let reply = harness.post(
            "/sync/push",
            PushRequest(
                clientId: "tel-1",
                mutations: [Int64.max, 1].map {
                    MutationEnvelope(id: $0, name: RegistrarAceptacion.name, args: [:], occurredAt: harness.clock.now, hlc: .zero)
                }
            ), token: token
        )
        #expect(reply.status == 400 && reply.errorCode == "invalid_message")
        let far = harness.push(token, client: "tel-1", [(RegistrarAceptacion.name, [:])], firstID: Int64.max)
        #expect(far.status == 409 && far.errorCode == "mutation_gap")
    }

    @Test(arguments: ["server:gestion-server", "", "tel 1", "teléfono", String(repeating: "a", count: 65)])
    func reservedOrMalformedClientIDsCannotSignIn(clientID: String) throws {
        let harness = try ServiceHarness()
        let reply = harness.post(
            "/sync/login",
            LoginRequest(user: "asesor.uno", password: ServiceHarness.password("asesor.uno"), clientId: clientID, deviceName: "d", appVersion: "t")
        )
        #expect(reply.status == 400 && reply.errorCode == "invalid_message")
    }

    @Test func serverMutationsRefuseADeviceOfAnotherUser() throws {
        let harness = try ServiceHarness()
        _ = try harness.login("asesor.uno", client: "tel-1")
        #expect(throws: SyncStoreError.clientOfAnotherUser) {
            try harness.store.applyServerMutations(
                [], author: MutationAuthor(userID: "sistema", role: "operacion", clientID: "tel-1"), registry: Mediacion.registry,
                at: harness.clock.now, atomically: true
            )
        }
    }

    @Test func oldFailuresAreForgotten() throws {
        let harness = try ServiceHarness()
        let wrong = LoginRequest(user: "asesor.uno", password: "mal", clientId: "c", deviceName: "d", appVersion: "t")
        for _ in 0..<6 { _ = harness.post("/sync/login", wrong) }
        #expect(harness.post("/sync/login", wrong).status == 429)
        harness.clock.advance(31 * 60)
        for _ in 0..<5 { #expect(harness.post("/sync/login", wrong).errorCode == "wrong_credentials") }
    }

    @Test func headIsAnsweredLikeGetAnd401SaysHowToAuthenticate() throws {
        let harness = try ServiceHarness()
        #expect(harness.call("HEAD", "/healthz").status == 200)
        let unauthorized = harness.post("/sync/pull", PullRequest(clientId: "x", cursor: 0, resultsAfter: 0))
        #expect(unauthorized.headers["WWW-Authenticate"] == "Bearer")
        #expect(SyncService.maxBodySize(method: "POST", path: "/nada") > 0, "unknown paths get their 404, not 413")
        #expect(SyncService.maxBodySize(method: "POST", path: "/sync/push") == 4 * 1024 * 1024)
    }

    @Test func aNonIntegerProtocolVersionIsNamed() throws {
        let harness = try ServiceHarness()
        let reply = harness.post("/sync/login", json: ["protocolVersion": "1", "user": "x"])
        #expect(reply.message.contains("must be an integer"))
    }
}
