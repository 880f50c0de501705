import Foundation
import GestionProtocol
import Mediacion
import Synchronization
import SyncCore
import Testing

@testable import GestionServer

/// Long-poll pulls (`waitMs`) through the router, without sockets: validation, what is held and
/// what is answered at once, and the wake-up by a commit. The live tests are in EndToEndTests.
@Suite struct LongPollServiceTests {
    /// A pull body with `waitMs` as given (any JSON value, to send invalid ones).
    func pullBody(client: String, cursor: Int64, resultsAfter: Int64 = 0, waitMs: JSONValue) -> JSONValue {
        [
            "protocolVersion": .int(Int64(ProtocolVersion.current)), "clientId": .string(client), "cursor": .int(cursor),
            "resultsAfter": .int(resultsAfter), "waitMs": waitMs,
        ]
    }

    @Test(arguments: [JSONValue.int(-1), .double(1.5), .string("20000"), .bool(true)])
    func anInvalidWaitIsRefusedLikeAnyBadMember(_ waitMs: JSONValue) throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let reply = harness.post("/sync/pull", json: pullBody(client: "tel-1", cursor: 0, waitMs: waitMs), token: token)
        #expect(reply.status == 400)
        #expect(reply.errorCode == "invalid_message")
        #expect(reply.message.contains("waitMs"), "the message names the member: \(reply.message)")
    }

    @Test func aWaitOfZeroAnswersAtOnceAsBefore() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let first = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1").json)
        let started = ContinuousClock.now
        let reply = harness.post("/sync/pull", json: pullBody(client: "tel-1", cursor: first.cursor, waitMs: 0), token: token)
        #expect(reply.status == 200)
        #expect(reply.json["changeSets"]?.arrayValue?.isEmpty == true)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aPullWithNewsIsNeverHeld() throws {
        var configuration = ServerConfiguration()
        configuration.maxPullWait = 30
        let harness = try ServiceHarness(configuration: configuration)
        let token = try harness.login("asesor.uno", client: "tel-1")
        let started = ContinuousClock.now
        // From cursor 0 the three accounts are news: the 30 s wait does not apply.
        let reply = harness.post("/sync/pull", json: pullBody(client: "tel-1", cursor: 0, waitMs: 30_000), token: token)
        #expect(reply.status == 200)
        #expect(reply.json["changeSets"]?.arrayValue?.isEmpty == false)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func theServerMaximumCapsTheWait() throws {
        var configuration = ServerConfiguration()
        configuration.maxPullWait = 0.3
        let harness = try ServiceHarness(configuration: configuration)
        let token = try harness.login("asesor.uno", client: "tel-1")
        let first = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1").json)
        let started = ContinuousClock.now
        let reply = harness.post("/sync/pull", json: pullBody(client: "tel-1", cursor: first.cursor, waitMs: 60_000), token: token)
        let waited = ContinuousClock.now - started
        #expect(reply.status == 200)
        #expect(reply.json["changeSets"]?.arrayValue?.isEmpty == true)
        #expect(reply.json["cursor"]?.int64Value == first.cursor)
        #expect(waited >= .milliseconds(250), "held up to the server's maximum: \(waited)")
        #expect(waited < .seconds(20), "not for the 60 s asked: \(waited)")
    }

    /// One device holds a pull; another pushes a change in its scope from another thread: the
    /// held pull answers with it, long before its wait is over.
    @Test func aCommitInScopeAnswersAHeldPull() throws {
        let harness = try ServiceHarness()
        // Two devices of the same asesor: the change is in the scope of both.
        let tokenUno = try harness.login("asesor.uno", client: "tel-1")
        let tokenDos = try harness.login("asesor.uno", client: "tel-2")
        let first = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(tokenUno, client: "tel-1").json)
        let shared = Shared(harness)
        let pusher = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            _ = shared.value.push(
                tokenDos, client: "tel-2", [(RegistrarAvisoPrivacidad.name, ["numeroCredito": .string(ServiceHarness.credito(2))])]
            )
        }
        let started = ContinuousClock.now
        pusher.start()
        let reply = harness.post("/sync/pull", json: pullBody(client: "tel-1", cursor: first.cursor, waitMs: 20_000), token: tokenUno)
        let waited = ContinuousClock.now - started
        #expect(reply.status == 200)
        let page = try JSONValueDecoder().decode(PullResponse.self, from: reply.json)
        #expect(page.changeSets.count == 1, "the other device's change: \(reply.json)")
        #expect(page.cursor > first.cursor)
        #expect(waited < .seconds(15), "answered at the commit, not at the end of the wait: \(waited)")
    }

    @Test func shutdownWakesHeldPulls() throws {
        let harness = try ServiceHarness()
        let token = try harness.login("asesor.uno", client: "tel-1")
        let first = try JSONValueDecoder().decode(PullResponse.self, from: harness.pull(token, client: "tel-1").json)
        let shared = Shared(harness)
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            shared.value.store.commits.stop()
        }
        let started = ContinuousClock.now
        stopper.start()
        let reply = harness.post("/sync/pull", json: pullBody(client: "tel-1", cursor: first.cursor, waitMs: 20_000), token: token)
        #expect(reply.status == 200)
        #expect(reply.json["changeSets"]?.arrayValue?.isEmpty == true)
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func onlyPagesWithNothingForTheDeviceAreHeld() {
        let request = PullRequest(clientId: "tel-1", cursor: 5, resultsAfter: 2, waitMs: 1000)
        let empty = PullResponse(
            changeSets: [], cursor: 9, hasMore: false, lastMutationId: 2, results: [], serverId: "s", serverTime: Date()
        )
        #expect(!PullHold.isNews(empty, for: request), "versions outside the device's scope are no news")
        var page = empty
        page.changeSets = [ChangeSet(version: 6, changes: [])]
        #expect(PullHold.isNews(page, for: request))
        page = empty
        page.lastMutationId = 3
        #expect(PullHold.isNews(page, for: request), "a mutation of its own was processed")
        page = empty
        page.results = [MutationResult(id: 2, status: .rejected, code: "x", message: "y")]
        #expect(PullHold.isNews(page, for: request))
        page = empty
        page.device = .retire
        #expect(PullHold.isNews(page, for: request))
    }
}

/// The harness handed to a second thread: it is only used there while the first one waits in the
/// router, which is what the server does with it too (one thread per connection).
private struct Shared<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
