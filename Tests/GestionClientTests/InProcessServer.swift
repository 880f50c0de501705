import Foundation
import GestionClient
import GestionHTTP
import GestionLogging
import GestionProtocol
import GestionServer
import Mediacion
import Synchronization
import SyncCore

/// A real sync service and store in this process, reached through a transport that calls it
/// directly: the client library's logic without sockets.
final class InProcessServer: Sendable {
    let directory: URL
    let store: SQLiteSyncStore
    let service: SyncService
    /// Requests to fail before reaching the server, by endpoint, for retry tests.
    private let failures = Mutex<[Endpoint: Int]>([:])

    static let iterations = 1000
    static let url = URL(string: "http://in-process.test")!

    init(users: [String: Rol], accounts: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gestion-client-\(UUID().uuidString)")
        store = try SQLiteSyncStore(directory: directory)
        var configuration = ServerConfiguration()
        configuration.passwordIterations = Self.iterations
        service = SyncService(store: store, registry: Mediacion.registry, configuration: configuration, logger: .disabled)
        for (user, role) in users {
            try store.addUser(
                NewUser(
                    id: user, role: role.rawValue,
                    passwordHash: Authenticator.hashPassword(Self.password(user), iterations: Self.iterations), createdAt: Date()
                )
            )
        }
        if accounts > 0 {
            let report = try store.applyServerMutations(
                (1...accounts).map { n in
                    ServerMutation(
                        name: ImportarCuenta.name,
                        args: try! JSONValueEncoder().encode(ImportarCuenta(cuenta: Self.cuenta(n))).objectValue!
                    )
                },
                author: MutationAuthor(userID: "sistema", role: Rol.operacion.rawValue, clientID: "gestion-server"),
                registry: Mediacion.registry, at: Date(), atomically: true
            )
            precondition(report.committed)
        }
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    static func password(_ user: String) -> String { "Prueba-" + String(user.reversed()) + "-2026" }
    static func credito(_ n: Int) -> String { String(1_000_000_000 + n) }
    static func cuenta(_ n: Int) -> Cuenta {
        Cuenta(
            numeroCredito: credito(n), acreditado: "Persona Ficticia \(n)", delegacion: "Delegación Ejemplo",
            despacho: "Agencia Ejemplo", fechaAsignacion: "2026-11-02", segmento: .cobranzaAdministrativa,
            etiqueta: .susceptibleDeMediacion, tipoConvenio: .administrativo
        )
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

func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gestion-replica-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
