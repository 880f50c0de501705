import Foundation
import GestionHTTP
import GestionLogging
import GestionProtocol
import Mediacion
import Synchronization
import SyncCore
import TestFixtures

@testable import GestionServer

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(RFC3339.date(from: "2026-11-27T16:00:00Z")!)
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The sync API with a real SQLite store in a temporary directory, called without sockets.
final class ServiceHarness {
    let directory: URL
    let store: SQLiteSyncStore
    let service: SyncService
    let clock = TestClock()
    let logs = InMemoryLogHandler()

    init(
        users: [String: Rol] = ["asesor.uno": .asesor, "asesor.dos": .asesor, "mediador.uno": .mediador],
        accounts: Int = 3, configuration: ServerConfiguration? = nil
    ) throws {
        directory = Fixtures.temporaryDirectory("service")
        var config = configuration ?? ServerConfiguration()
        config.passwordIterations = Fixtures.passwordIterations
        store = try Fixtures.store(in: directory, users: users, accounts: accounts, now: clock.now)
        let clock = self.clock
        service = SyncService(
            store: store, registry: Mediacion.registry, configuration: config,
            logger: Logger(label: "test", minimumLevel: .debug, handler: logs), clock: { clock.now }
        )
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    static func password(_ user: String) -> String { Fixtures.password(user) }
    static func credito(_ n: Int) -> String { Fixtures.credito(n) }

    struct Reply {
        var status: Int
        var json: JSONValue
        var headers: HTTPHeaders
        var errorCode: String? { json["error"]?["code"]?.stringValue }
        var message: String { json["error"]?["message"]?.stringValue ?? "" }
    }

    func call(
        _ method: String, _ path: String, body: [UInt8] = [], token: String? = nil,
        contentType: String? = "application/json", address: String = "10.0.0.1"
    ) -> Reply {
        var headers: HTTPHeaders = [:]
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = service.handle(
            HTTPRequest(method: method, target: path, headers: headers, body: body, remoteAddress: address)
        )
        let json = (try? JSONParser.parse(response.body)) ?? .null
        return Reply(status: response.status, json: json, headers: response.headers)
    }

    func post(_ path: String, _ message: some Encodable, token: String? = nil, address: String = "10.0.0.1") -> Reply {
        call("POST", path, body: WireCoding.encode(message), token: token, address: address)
    }

    func post(_ path: String, json: JSONValue, token: String? = nil) -> Reply {
        call("POST", path, body: JSONSerializer.bytes(json), token: token)
    }

    /// Logs `user` in on `client` and returns the token.
    func login(_ user: String, client: String? = nil, password: String? = nil) throws -> String {
        let reply = post(
            "/sync/login",
            LoginRequest(
                user: user, password: password ?? Self.password(user), clientId: client ?? "client-\(user)",
                deviceName: "Equipo de prueba", appVersion: "test"
            )
        )
        guard reply.status == 200, let token = reply.json["token"]?.stringValue else {
            throw HarnessError("login failed: \(reply.status) \(reply.json)")
        }
        return token
    }

    func push(_ token: String, client: String, _ mutations: [(String, JSONObject)], firstID: Int64 = 1) -> Reply {
        let envelopes = mutations.enumerated().map { index, mutation in
            MutationEnvelope(
                id: firstID + Int64(index), name: mutation.0, args: mutation.1, occurredAt: clock.now,
                hlc: HybridTimestamp(millis: Int64(clock.now.timeIntervalSince1970 * 1000), counter: UInt16(index))
            )
        }
        return post("/sync/push", PushRequest(clientId: client, mutations: envelopes), token: token)
    }

    func pull(_ token: String, client: String, cursor: Int64 = 0, resultsAfter: Int64 = 0, limit: Int? = nil) -> Reply {
        post("/sync/pull", PullRequest(clientId: client, cursor: cursor, resultsAfter: resultsAfter, limit: limit), token: token)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
