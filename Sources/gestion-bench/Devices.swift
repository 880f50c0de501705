import Foundation
import GestionClient
import GestionProtocol
import Mediacion
import Synchronization
import SyncCore

#if canImport(Glibc)
    import Glibc
#endif

/// A field device in this process: a replica on disk and its sync client over URLSession.
struct BenchDevice: Sendable {
    let replica: LocalReplica
    let client: SyncClient
    let transport: CountingTransport

    /// Opens (creating) the replica at `path`; signs it in when `user` is given.
    static func make(path: String, server: BenchServer, user: String?, name: String) async throws -> BenchDevice {
        let replica = try LocalReplica(path: path, registry: Mediacion.registry)
        let transport = CountingTransport(URLSessionTransport(baseURL: server.url))
        let client = SyncClient(replica: replica, transport: { _ in transport })
        if let user {
            try await client.login(server: server.url, user: user, password: BenchServer.password, deviceName: name)
        }
        return BenchDevice(replica: replica, client: client, transport: transport)
    }

    var token: String { (try? replica.session()?.token) ?? "" }
}

/// Counts the requests a device sends, by endpoint.
final class CountingTransport: SyncTransport {
    let inner: any SyncTransport
    private let counts = Mutex<[String: Int]>([:])

    init(_ inner: any SyncTransport) { self.inner = inner }

    func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply {
        counts.withLock { $0[endpoint.path, default: 0] += 1 }
        return try await inner.send(endpoint, body: body, token: token)
    }

    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
    func count(_ endpoint: Endpoint) -> Int { counts.withLock { $0[endpoint.path] ?? 0 } }
}

/// Peak resident memory of this process (VmHWM), in KiB.
func peakResidentKiB() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// The modes `gestion-bench` runs itself in, as a child process, so that a device's peak memory
/// is its own.
enum ChildMode {
    /// `child-initial-sync <server-url> <replica-path>`: signs an operacion device in, then times
    /// its first sync. Prints one `RESULT` line.
    static func initialSync(_ arguments: [String]) async -> Int32 {
        guard arguments.count == 2, let url = URL(string: arguments[0]) else { return 64 }
        do {
            let replica = try LocalReplica(path: arguments[1], registry: Mediacion.registry)
            let client = SyncClient(replica: replica)
            try await client.login(server: url, user: BenchServer.operacion, password: BenchServer.password, deviceName: "bench")
            let before = peakResidentKiB()
            let start = now()
            let summary = try await client.sync()
            let seconds = now() - start
            print("RESULT seconds=\(seconds) changesets=\(summary.changeSetsReceived) pages=\(summary.pages) hwm_kib=\(peakResidentKiB()) hwm_before_kib=\(before)")
            replica.close()
            return 0
        } catch {
            FileHandle.standardError.write(Data("child-initial-sync: \(error)\n".utf8))
            return 1
        }
    }

    struct InitialSyncResult {
        var seconds: Double
        var changeSets: Int
        var pages: Int
        var peakKiB: Int
    }

    /// Runs `child-initial-sync` and reads its result.
    static func runInitialSync(server: BenchServer, replicaPath: String) throws -> InitialSyncResult {
        for suffix in ["", "-wal", "-shm"] { unlink(replicaPath + suffix) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        process.arguments = ["child-initial-sync", server.url.absoluteString, replicaPath]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let line = text.split(separator: "\n").first(where: { $0.hasPrefix("RESULT") }) else {
            throw PlainSQLite.Failure(description: "the initial-sync child failed (status \(process.terminationStatus))")
        }
        var fields: [String: String] = [:]
        for part in line.split(separator: " ").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        return InitialSyncResult(
            seconds: Double(fields["seconds"] ?? "") ?? 0, changeSets: Int(fields["changesets"] ?? "") ?? 0,
            pages: Int(fields["pages"] ?? "") ?? 0, peakKiB: Int(fields["hwm_kib"] ?? "") ?? 0
        )
    }
}
