import Foundation
import GestionClient
import GestionHTTP
import GestionLogging
import GestionProtocol
import GestionServer
import Mediacion
import Synchronization
import SyncCore
import TestFixtures

/// A real sync service and store in this process, reached through a transport that calls it
/// directly: the client library's logic without sockets.
final class InProcessServer: Sendable {
    let directory: URL
    let store: SQLiteSyncStore
    let service: SyncService
    /// Requests to fail before reaching the server, by endpoint, for retry tests.
    private let failures = Mutex<[Endpoint: Int]>([:])

    static let url = URL(string: "http://in-process.test")!

    init(users: [String: Rol], accounts: Int) throws {
        directory = Fixtures.temporaryDirectory("client")
        store = try Fixtures.store(in: directory, users: users, accounts: accounts)
        var configuration = ServerConfiguration()
        configuration.passwordIterations = Fixtures.passwordIterations
        service = SyncService(store: store, registry: Mediacion.registry, configuration: configuration, logger: .disabled)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    static func password(_ user: String) -> String { Fixtures.password(user) }
    static func credito(_ n: Int) -> String { Fixtures.credito(n) }
    static func cuenta(_ n: Int) -> Cuenta { Fixtures.cuenta(n) }

    /// The server's records that `user`'s devices receive.
    func visible(to user: String) throws -> [RecordKey: JSONObject] {
        guard let stored = try store.user(id: user) else { return [:] }
        return try store.records(visibleTo: PullAudience(user: stored.profile, policy: Mediacion.registry.replication))
    }

    /// The next `count` requests to `endpoint` fail as if the network were down.
    func failNext(_ endpoint: Endpoint, count: Int) {
        failures.withLock { $0[endpoint] = count }
    }

    var transport: any SyncTransport { Transport(server: self) }

    struct Transport: SyncTransport {
        let server: InProcessServer

        func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply {
            let fail = server.failures.withLock { failures -> Bool in
                guard let remaining = failures[endpoint], remaining > 0 else { return false }
                failures[endpoint] = remaining - 1
                return true
            }
            if fail { throw TransportError("network down (simulated)") }
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = server.service.handle(
                HTTPRequest(method: endpoint.method, target: endpoint.path, headers: headers, body: body ?? [], remoteAddress: "127.0.0.1")
            )
            return TransportReply(status: response.status, body: response.body)
        }
    }

    /// A device on a fresh replica file, signed in and synced.
    func device(_ user: String, in directory: URL, name: String? = nil) async throws -> (LocalReplica, SyncClient) {
        let replica = try LocalReplica(
            path: directory.appendingPathComponent("\(name ?? user).sqlite").path, registry: Mediacion.registry
        )
        let transport = self.transport
        let client = SyncClient(replica: replica, transport: { _ in transport })
        try await client.login(server: Self.url, user: user, password: Self.password(user), deviceName: "Equipo")
        try await client.sync()
        return (replica, client)
    }
}

func temporaryDirectory() -> URL { Fixtures.temporaryDirectory("replica") }
