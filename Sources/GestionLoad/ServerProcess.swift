import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the run itself (the server would not start, an admin command failed), as
/// opposed to a failed check.
public struct LoadError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The real `gestion-server serve` process on a loopback port, its standard error appended to a
/// log file, plus the `gestion-server admin` commands on the same data directory.
final class ServerProcess: @unchecked Sendable {
    let binary: URL
    let dataDirectory: URL
    let logFile: URL
    /// The run's first administrator, who creates the users and imports the assignment.
    static let administrator = "admin.carga"
    static let administratorPassword = "Carga-agrac.nimda-2026"
    /// PBKDF2 iterations for the run's users: the test suite's setting, so that 200 sign-ins take
    /// milliseconds (the server logs a `weak_password_hashing` warning).
    static let passwordIterations = "1000"
    private(set) var port = 0
    private var process: Process?
    private let lock = NSLock()
    private(set) var starts = 0

    init(binary: URL, dataDirectory: URL, logFile: URL) {
        self.binary = binary
        self.dataDirectory = dataDirectory
        self.logFile = logFile
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var databasePath: String { dataDirectory.appendingPathComponent("server.sqlite").path }

    private var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GESTION_PASSWORD_ITERATIONS"] = Self.passwordIterations
        environment["GESTION_ADMIN_USER"] = Self.administrator
        environment["GESTION_ADMIN_PASSWORD"] = Self.administratorPassword
        environment["GESTION_FAULT"] = nil
        environment["GESTION_CLOCK_FILE"] = nil
        return environment
    }

    /// Runs `gestion-server admin --data-dir <dir> <arguments>`; throws with its output on a
    /// non-zero exit.
    func admin(_ arguments: [String], stdin: String? = nil) throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["admin", "--data-dir", dataDirectory.path] + arguments
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("gestion-load-admin-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try handle.close()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw LoadError("gestion-server admin \(arguments.prefix(2).joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
    }

    /// Starts `serve` (on the port it had, after a restart) and waits until it listens.
    func start() throws {
        let listeningBefore = listeningLines().count
        let process = Process()
        process.executableURL = binary
        // Every device comes from 127.0.0.1 here, as behind a TLS proxy: no per-address limit.
        process.arguments = [
            "serve", "--data-dir", dataDirectory.path, "--port", String(port), "--log-level", "info",
            "--max-connections-per-address", "0",
        ]
        process.environment = environment
        let handle = try FileHandle(forWritingTo: logFile)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        lock.withLock {
            self.process = process
            starts += 1
        }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let lines = listeningLines()
            if lines.count > listeningBefore, let line = lines.last,
                let field = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }), let value = Int(field.dropFirst(5))
            {
                port = value
                return
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw LoadError("the server did not start; its log is \(logFile.path)")
    }

    private func listeningLines() -> [Substring] {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("event=listening") }
    }

    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// SIGTERM, then waits for the clean exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process = lock.withLock({ self.process }) else { return 0 }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL: the server gets no chance to close anything.
    func kill() {
        guard let process = lock.withLock({ self.process }) else { return }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit {
        if let process, process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
