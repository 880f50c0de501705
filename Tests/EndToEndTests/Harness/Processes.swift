import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where the built executables are: next to the test bundle.
enum Products {
    static let directory: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ]
        for candidate in candidates
        where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("gestion-server").path) {
            return candidate
        }
        fatalError("cannot find the gestion-server executable near \(candidates.map(\.path))")
    }()

    static var server: URL { directory.appendingPathComponent("gestion-server") }
    static var device: URL { directory.appendingPathComponent("gestion") }
}

/// What a finished process printed, and how it ended.
struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Terminated by a signal (e.g. SIGKILL) rather than exiting.
    var signalled: Bool
}

/// Collects a pipe's bytes on a background thread so the child never blocks on a full pipe.
final class PipeCollector: Sendable {
    private let buffer = Mutex<[UInt8]>([])
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                buffer.withLock { $0.append(contentsOf: data) }
            }
            done.signal()
        }
    }

    var text: String { String(decoding: buffer.withLock { $0 }, as: UTF8.self) }

    /// Waits until the writer closed the pipe.
    func finish() {
        done.wait()
        done.signal()
    }
}

/// Runs `executable` to completion with `arguments`, feeding `stdin`.
@discardableResult
func runProcess(
    _ executable: URL, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
    directory: URL? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["GESTION_PASSWORD_ITERATIONS"] = "1000"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    let outCollector = PipeCollector(out)
    let errCollector = PipeCollector(err)
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    outCollector.finish()
    errCollector.finish()
    return ProcessResult(
        status: process.terminationStatus, stdout: outCollector.text, stderr: errCollector.text,
        signalled: process.terminationReason == .uncaughtSignal
    )
}

/// A fresh directory for one test, removed when the value is deinitialized.
final class TemporaryDirectory: Sendable {
    let url: URL

    init(_ label: String = "e2e") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gestionsync-\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A child process left running while the test goes on.
final class RunningProcess: @unchecked Sendable {
    let process: Process
    private let out: PipeCollector
    private let err: PipeCollector

    init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["GESTION_PASSWORD_ITERATIONS"] = "1000"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        out = PipeCollector(outPipe)
        err = PipeCollector(errPipe)
        try process.run()
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func wait() -> ProcessResult {
        process.waitUntilExit()
        out.finish()
        err.finish()
        return ProcessResult(
            status: process.terminationStatus, stdout: out.text, stderr: err.text,
            signalled: process.terminationReason == .uncaughtSignal
        )
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func waitUntil(timeout: TimeInterval = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return false
}
