import Foundation
import GestionClient
import GestionSQLite
import Mediacion
import SyncCore
import TestFixtures
import Testing

/// A device driven through the real `gestion` executable, on a replica file of its own.
struct DeviceCLI {
    let replica: String
    let user: String
    /// The device's clock: the file of seconds added to the real time (see `ExecutableClock`).
    /// Give it the server's clock file to share the server's time, or its own to skew it.
    let clockFile: URL?

    init(_ directory: TemporaryDirectory, _ name: String, user: String, clockFile: URL? = nil) {
        replica = directory.path("\(name).sqlite")
        self.user = user
        self.clockFile = clockFile
    }

    /// Runs `gestion --replica <file> <arguments>`.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, fault: String? = nil) throws -> ProcessResult {
        var environment: [String: String] = [:]
        if let fault { environment["GESTION_FAULT"] = fault }
        if let clockFile { environment["GESTION_CLOCK_FILE"] = clockFile.path }
        return try runProcess(Products.device, ["--replica", replica] + arguments, stdin: stdin, environment: environment)
    }

    /// Runs a command that must succeed.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try run(arguments)
        #expect(result.status == 0, "gestion \(arguments) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func login(_ server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run(
            ["login", "--server", server.url.absoluteString, "--user", user, "--device-name", "Equipo de \(user)", "--password-stdin"],
            stdin: TestServer.password(user) + "\n"
        )
        #expect(result.status == 0, "login failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
}

/// A device used through the client library in this process (real replica file, real HTTP).
struct DeviceLibrary: Sendable {
    let replica: LocalReplica
    let client: SyncClient
    let user: String

    init(
        _ directory: TemporaryDirectory, _ name: String, user: String,
        transport: @escaping @Sendable (URL) -> any SyncTransport = { URLSessionTransport(baseURL: $0, timeout: 10) }
    ) throws {
        replica = try LocalReplica(path: directory.path("\(name).sqlite"), registry: Mediacion.registry)
        client = SyncClient(replica: replica, transport: transport)
        self.user = user
    }

    func login(_ server: TestServer) async throws {
        try await client.login(server: server.url, user: user, password: TestServer.password(user), deviceName: "Equipo \(user)")
    }
}

/// Whole-table reads of the SQLite files, to compare replicas with the server.
enum Tables {
    /// `records` of a database file, sorted: (collection, id, body).
    static func records(ofFile path: String) throws -> [[String]] {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        let connection = try Connection(path: path, configuration: configuration)
        defer { connection.close() }
        return try connection.query("SELECT collection, id, body FROM records ORDER BY collection, id").map { row in
            [row.string(at: 0) ?? "", row.string(at: 1) ?? "", row.string(at: 2) ?? ""]
        }
    }

    /// One value of a query on any database file, as text.
    static func value(ofFile path: String, _ sql: String) throws -> String? {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        let connection = try Connection(path: path, configuration: configuration)
        defer { connection.close() }
        return try connection.queryScalar(sql).map { value in
            value.string ?? value.int64.map(String.init) ?? ""
        }
    }

    /// The server's records that `user`'s devices receive: its partitions and the records
    /// outside partitions its role sees (the same rules as the server's pull).
    static func serverRecords(_ server: TestServer, visibleTo user: String) throws -> [[String]] {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        let connection = try Connection(
            path: server.dataDirectory.appendingPathComponent("server.sqlite").path, configuration: configuration
        )
        defer { connection.close() }
        guard let row = try connection.queryOne("SELECT role, unit FROM users WHERE id = ?", [user]) else { return [] }
        let policy = Mediacion.registry.replication
        let profile = UserProfile(id: user, role: row.string(at: 0) ?? "", unit: row.string(at: 1))
        let tags = policy.userTags(profile)
        let audiences = Set(
            try connection.query("SELECT partition, tag FROM partition_audience").compactMap { row -> String? in
                tags.contains(row.string(at: 1) ?? "") ? row.string(at: 0) : nil
            }
        )
        return try connection.query("SELECT collection, id, body, partition FROM records ORDER BY collection, id").compactMap { row in
            let collection = row.string(at: 0) ?? ""
            let visible: Bool
            if tags.contains(ReplicationPolicy.everything) {
                visible = true
            } else if let partition = row.string(at: 3) {
                visible = audiences.contains(partition)
            } else {
                visible = policy.isVisibleOutsidePartitions(collection, profile.role)
            }
            return visible ? [collection, row.string(at: 1) ?? "", row.string(at: 2) ?? ""] : nil
        }
    }

    static func serverRecords(_ server: TestServer) throws -> [[String]] {
        try records(ofFile: server.dataDirectory.appendingPathComponent("server.sqlite").path)
    }

    /// One value of a query on the server database.
    static func serverScalar(_ server: TestServer, _ sql: String, _ arguments: [SQLiteValue] = []) throws -> SQLiteValue? {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        let connection = try Connection(
            path: server.dataDirectory.appendingPathComponent("server.sqlite").path, configuration: configuration
        )
        defer { connection.close() }
        return try connection.queryScalar(sql, arguments)
    }
}

/// Made-up accounts: no real people.
enum Cuentas {
    static let header =
        "numeroCredito,acreditado,delegacion,despacho,fechaAsignacion,segmento,etiqueta,tipoConvenio,conveniosIncumplidos\n"

    static func csv(_ count: Int, first: Int = 1) -> String {
        var text = header
        for n in first..<(first + count) {
            text += "\(credito(n)),Persona Ficticia \(n),Delegación Ejemplo,Agencia Ejemplo,2026-11-02,"
                + "Cobranza Administrativa,susceptible de mediación,Administrativo,0\n"
        }
        return text
    }

    static func credito(_ n: Int) -> String { Fixtures.credito(n) }
}
