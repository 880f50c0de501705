import Foundation
import Synchronization
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `gestion-server` process on a loopback port, with its data in a temporary directory.
final class TestServer: @unchecked Sendable {
    let dataDirectory: URL
    private(set) var port = 0
    private var process: Process?
    private var stderr: PipeCollector?
    private let fault: String?
    /// Everything the server processes wrote to standard error, across restarts.
    private let logs = Mutex<String>("")
    /// The server's clock: seconds added to the real time (see `ExecutableClock`).
    let clockFile: URL
    private let clockOffset = Mutex<Double>(0)
    /// The real time at which `stopClock()` stopped the clock (the offset then adds to it).
    private let stoppedAt = Mutex<Double?>(nil)

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Creates the data directory with `users` (name → role, a test password derived from the name) and
    /// the example accounts, then starts the server. `importedOn` is the server's date while the
    /// accounts are imported (an assignment cannot be dated after the day it is imported); the
    /// clock runs from the real time again afterwards.
    init(
        directory: TemporaryDirectory, users: [String: String] = [:], accountsCSV: String? = nil,
        importedOn: Date? = nil, fault: String? = nil
    ) throws {
        dataDirectory = directory.url.appendingPathComponent("server-data")
        clockFile = directory.url.appendingPathComponent("reloj-servidor")
        try "0".write(to: clockFile, atomically: true, encoding: .utf8)
        self.fault = fault
        try admin(
            ["user", "add", "--user", Self.administrator, "--role", "admin", "--password-stdin"],
            stdin: Self.password(Self.administrator) + "\n"
        )
        for (user, spec) in users.sorted(by: { $0.key < $1.key }) {
            // "role" or "role:unit".
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            let unit = parts.count > 1 ? ["--unidad", parts[1]] : Self.unit(for: parts[0])
            try admin(
                ["user", "add", "--user", user, "--role", parts[0], "--password-stdin"] + unit, stdin: Self.password(user) + "\n"
            )
        }
        if let accountsCSV {
            let file = directory.url.appendingPathComponent("cuentas.csv")
            try accountsCSV.write(to: file, atomically: true, encoding: .utf8)
            if let importedOn { try "@\(importedOn.timeIntervalSince1970)".write(to: clockFile, atomically: true, encoding: .utf8) }
            try admin(["import-assignment", file.path])
            try "0".write(to: clockFile, atomically: true, encoding: .utf8)
        }
        try start()
    }

    static func password(_ user: String) -> String { Fixtures.password(user) }

    /// The organisation unit of the made-up accounts, for the roles that need one.
    static func unit(for role: String) -> [String] {
        switch role {
        case "agencia": ["--unidad", "Agencia Ejemplo"]
        case "delegacion": ["--unidad", "Delegación Ejemplo"]
        default: []
        }
    }

    /// The administrator every test server is created with; `admin(...)` acts as them.
    static let administrator = "admin.pruebas"

    /// Runs `gestion-server admin --data-dir <dir> ...`; fails the test on a non-zero exit.
    @discardableResult
    func admin(
        _ arguments: [String], stdin: String? = nil, expectSuccess: Bool = true, as user: String = TestServer.administrator
    ) throws -> ProcessResult {
        let result = try runProcess(
            Products.server, ["admin", "--data-dir", dataDirectory.path] + arguments, stdin: stdin,
            environment: [
                "GESTION_ADMIN_USER": user, "GESTION_ADMIN_PASSWORD": Self.password(user), "GESTION_CLOCK_FILE": clockFile.path,
            ]
        )
        if expectSuccess, result.status != 0 {
            Issue.record("admin \(arguments) failed (\(result.status)): \(result.stderr)")
        }
        return result
    }

    /// Starts the process (again) on the same port if it had one, and waits until it listens.
    func start(fault: String? = nil, extraArguments: [String] = []) throws {
        let process = Process()
        process.executableURL = Products.server
        process.arguments = ["serve", "--data-dir", dataDirectory.path, "--port", String(port), "--log-level", "debug"]
            + extraArguments
        var env = ProcessInfo.processInfo.environment
        env["GESTION_PASSWORD_ITERATIONS"] = "1000"
        if let fault = fault ?? self.fault { env["GESTION_FAULT"] = fault } else { env["GESTION_FAULT"] = nil }
        env["GESTION_CLOCK_FILE"] = clockFile.path
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let collector = PipeCollector(err)
        try process.run()
        self.process = process
        self.stderr = collector
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let line = collector.text.split(separator: "\n").first(where: { $0.contains("event=listening") }),
                let portField = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }),
                let value = Int(portField.dropFirst(5))
            {
                port = value
                return
            }
            if !process.isRunning { break }
            usleep(10_000)
        }
        throw TestFailure("the server did not start: \(collector.text)")
    }

    /// Moves the server's clock forward; the running process sees it at once.
    func advanceClock(by seconds: Double) throws {
        let text = clockOffset.withLock { offset in
            offset += seconds
            return stoppedAt.withLock { $0 }.map { "@\($0 + offset)" } ?? String(offset)
        }
        try text.write(to: clockFile, atomically: true, encoding: .utf8)
    }

    /// Stops the server's clock at its current time: from now on it moves only by
    /// `advanceClock(by:)`, however slow the machine.
    func stopClock() throws {
        stoppedAt.withLock { $0 = Date().timeIntervalSince1970 }
        try advanceClock(by: 0)
    }

    /// SIGTERM, then wait for a clean exit. Returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        process.waitUntilExit()
        collectLogs()
        return process.terminationStatus
    }

    /// SIGKILL: no chance to close anything.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        collectLogs()
    }

    /// Waits until the process ends by itself (e.g. an injected crash).
    func waitForExit(timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while let process, process.isRunning, Date() < deadline { usleep(10_000) }
        let ended = !(process?.isRunning ?? false)
        if ended { collectLogs() }
        return ended
    }

    var isRunning: Bool { process?.isRunning ?? false }

    private func collectLogs() {
        guard let stderr else { return }
        stderr.finish()
        logs.withLock { $0 += stderr.text }
        self.stderr = nil
    }

    /// The logs of the stopped runs plus the running one.
    var allLogs: String { logs.withLock { $0 } + (stderr?.text ?? "") }

    deinit {
        if let process, process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
