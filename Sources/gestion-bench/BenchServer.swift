import Foundation
import GestionProtocol
import SyncCore

#if canImport(Glibc)
    import Glibc
#endif

/// A real `gestion-server serve` process on a loopback port, with its data in a temporary
/// directory: users created and accounts imported through `gestion-server admin`, optionally
/// many more case records loaded straight into its store for the initial-sync scenarios.
final class BenchServer: @unchecked Sendable {
    let directory: URL
    let dataDirectory: URL
    private(set) var port = 0
    private var process: Process?
    /// Credit numbers of the accounts imported through the admin command (asesores may act on them).
    let accounts: [String]
    /// Case records loaded straight into the store.
    let filler: Int

    static let password = "Clave-Bench-2026"
    static let operacion = "operacion.bench"
    static let asesor = "asesor.bench"
    static let administrator = "admin.bench"

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var pid: Int32 { process?.processIdentifier ?? 0 }
    var databasePath: String { dataDirectory.appendingPathComponent("server.sqlite").path }

    /// The server binary: next to this one (build both in the same configuration).
    static var serverBinary: URL {
        let me = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return me.deletingLastPathComponent().appendingPathComponent("gestion-server")
    }

    init(name: String, root: URL, accounts accountCount: Int, filler: Int) throws {
        directory = root.appendingPathComponent(name)
        dataDirectory = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.filler = filler
        accounts = (1...max(accountCount, 1)).map { String(1_000_000_000 + $0) }
        try admin(["user", "add", "--user", Self.administrator, "--role", "admin", "--password-stdin"], stdin: Self.password)
        try admin(["user", "add", "--user", Self.operacion, "--role", "operacion", "--password-stdin"], stdin: Self.password)
        try admin(["user", "add", "--user", Self.asesor, "--role", "asesor", "--password-stdin"], stdin: Self.password)
        // Made-up accounts: no asesor assigned, so every asesor sees them.
        var csv = "numeroCredito,acreditado,delegacion,despacho,fechaAsignacion,segmento,etiqueta,tipoConvenio,conveniosIncumplidos\n"
        let yesterday = Date().addingTimeInterval(-86_400)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "America/Mexico_City")
        let fecha = formatter.string(from: yesterday)
        for (index, credito) in accounts.enumerated() {
            csv += "\(credito),Persona Ficticia \(index),Delegación Ejemplo Norte,Agencia Ejemplo,\(fecha),Cobranza Administrativa,susceptible de mediación,Administrativo,0\n"
        }
        let file = directory.appendingPathComponent("cuentas.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        try admin(["import-assignment", file.path])
        // The borrowers of the first accounts accept mediation: their cases exist (a real case
        // record is the template of the filler).
        try start()
        try acceptFirstAccounts(min(5, accounts.count))
        if filler > 0 {
            stop()
            try loadFiller(filler)
            try start()
        }
    }

    /// An asesor's device records the acceptance of the first `count` accounts.
    private func acceptFirstAccounts(_ count: Int) throws {
        let connection = try RawHTTP(port: port)
        let clientID = UUID().uuidString.lowercased()
        let login = LoginRequest(user: Self.asesor, password: Self.password, clientId: clientID, deviceName: "bench-setup", appVersion: "gestion-bench")
        let session = try WireCoding.decode(
            LoginResponse.self, from: try connection.roundTrip(RawHTTP.request("POST", "/sync/login", body: WireCoding.encode(login))).body
        )
        let at = Date()
        let mutations = accounts.prefix(count).enumerated().map { index, credito in
            MutationEnvelope(
                id: Int64(index + 1), name: "registrarAceptacion", args: ["numeroCredito": .string(credito)], occurredAt: at,
                hlc: HybridTimestamp(millis: Int64(at.timeIntervalSince1970 * 1000), counter: UInt16(index))
            )
        }
        let reply = try connection.roundTrip(
            RawHTTP.request("POST", "/sync/push", body: WireCoding.encode(PushRequest(clientId: clientID, mutations: mutations)), token: session.token)
        )
        let text = String(decoding: reply.body, as: UTF8.self)
        guard reply.status == 200, !text.contains("\"rejected\"") else {
            throw PlainSQLite.Failure(description: "the acceptances were refused: \(text.prefix(300))")
        }
    }

    /// Runs `gestion-server admin --data-dir <dir> ...` as the bench administrator.
    func admin(_ arguments: [String], stdin: String? = nil) throws {
        let process = Process()
        process.executableURL = Self.serverBinary
        process.arguments = ["admin", "--data-dir", dataDirectory.path] + arguments
        process.environment = Self.environment.merging([
            "GESTION_ADMIN_USER": Self.administrator, "GESTION_ADMIN_PASSWORD": Self.password,
        ]) { $1 }
        let input = Pipe()
        process.standardInput = input
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data((stdin + "\n").utf8)) }
        try input.fileHandleForWriting.close()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PlainSQLite.Failure(description: "gestion-server admin \(arguments.first ?? "") failed: \(errorText.prefix(500))")
        }
    }

    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        // Password hashing at 1,000 iterations: logins are not what this suite measures.
        env["GESTION_PASSWORD_ITERATIONS"] = "1000"
        env["GESTION_FAULT"] = nil
        env["GESTION_CLOCK_FILE"] = nil
        return env
    }

    /// Copies of a real case record written straight into the store, one change-set each (as one
    /// server mutation per case would leave them), before the server starts. Their audience is
    /// not maintained: only users who see everything (operacion) pull them.
    private func loadFiller(_ count: Int) throws {
        let db = try PlainSQLite(path: databasePath, synchronous: "OFF")
        try insertFiller(count, db: db)
        // As a server in service would have it: the log checkpointed, not a WAL of a million
        // frames that every read of the benchmark would search.
        try db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    private func insertFiller(_ count: Int, db: PlainSQLite) throws {
        let template = try db.prepare("SELECT id, body FROM records WHERE collection = 'casos' ORDER BY id LIMIT 1")
        guard try template.step() else { throw PlainSQLite.Failure(description: "the import made no case") }
        let templateID = template.text(0)
        let templateBody = template.text(1)
        let templateCredit = String(templateID.split(separator: "-").first ?? "")
        let first = try db.scalarInt("SELECT COALESCE(MAX(version), 0) FROM change_sets") + 1
        try db.exec("BEGIN IMMEDIATE")
        let changeSet = try db.prepare(
            "INSERT INTO change_sets (version, committed_at, client_id, mutation_id, mutation_name, user_id) VALUES (?, '2026-11-27T16:00:00.000Z', 'bench-loader', ?, 'importarCuenta', 'bench-loader')"
        )
        let change = try db.prepare(
            "INSERT INTO changes (version, seq, collection, id, op, body, partition) VALUES (?, 0, 'casos', ?, 'put', ?, ?)"
        )
        let record = try db.prepare("INSERT INTO records (collection, id, body, version, partition) VALUES ('casos', ?, ?, ?, ?)")
        for index in 0..<count {
            let version = first + Int64(index)
            let credit = String(2_000_000_000 + index)
            let id = credit + "-1"
            let body = templateBody.replacingOccurrences(of: templateCredit, with: credit)
            changeSet.bind(1, version)
            changeSet.bind(2, Int64(index + 1))
            try changeSet.step()
            changeSet.reset()
            change.bind(1, version)
            change.bind(2, id)
            change.bind(3, body)
            change.bind(4, credit)
            try change.step()
            change.reset()
            record.bind(1, id)
            record.bind(2, body)
            record.bind(3, version)
            record.bind(4, credit)
            try record.step()
            record.reset()
        }
        try db.exec("COMMIT")
    }

    /// The records an operacion device receives in an initial sync, in the order it receives them.
    func recordsInPullOrder() throws -> [BenchRecord] {
        let db = try PlainSQLite(path: databasePath, synchronous: "NORMAL")
        let query = try db.prepare("SELECT collection, id, body FROM changes WHERE only_for IS NULL AND op = 'put' ORDER BY version, seq")
        var rows: [BenchRecord] = []
        while try query.step() { rows.append(BenchRecord(collection: query.text(0), id: query.text(1), body: query.text(2))) }
        return rows
    }

    func start() throws {
        port = try Self.freePort()
        let process = Process()
        process.executableURL = Self.serverBinary
        process.arguments = [
            "serve", "--data-dir", dataDirectory.path, "--port", String(port), "--sweep-interval", "0",
            "--max-connections", "1000", "--max-connections-per-address", "0",
        ]
        process.environment = Self.environment
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("server.log").path, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory.appendingPathComponent("server.log").path)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if RawHTTP.canConnect(port: port) { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw PlainSQLite.Failure(description: "the server did not start; see \(directory.path)/server.log")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// CPU seconds (user + system) the server process has used so far.
    func cpuSeconds() -> Double { Self.cpuSeconds(pid: pid) }

    static func cpuSeconds(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // Fields after "(comm)": state is field 3; utime 14 and stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw PlainSQLite.Failure(description: "cannot find a free port") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
