import CommandLineSupport
import Foundation
import GestionLoad

// gestion-load: many simulated devices against the real server on loopback, then a
// reconciliation of every mutation and every replica (docs/reliability.md §8).

let spec = CommandSpec(
    path: "gestion-load",
    overview: """
        Starts the real gestion-server on a loopback port with made-up users and accounts, runs many
        devices (each a replica file with its sync client over HTTP) doing their users' work for a
        bounded time, some offline for a while, then drains every outbox, stops the server and
        checks that no mutation was lost or doubled and that every replica equals the server's view
        of its scope. Prints the figures: mutations, syncs, throughput, push and sync latencies.
        """,
    options: [
        .value("devices", "<n>", "Simulated devices, 3–2000 (default \(LoadConfiguration.defaultDevices))."),
        .value("seconds", "<s>", "Seconds of load before the devices drain (default \(Int(LoadConfiguration.defaultSeconds)))."),
        .value("seed", "<n>", "Fixes the users' choices, think times and offline periods (default 1)."),
        .value("think-time", "<s>", "A user's pause between two actions, in seconds: each drawn from <s>/4 to 2<s> (default 2)."),
        .value("sync-interval", "<s>", "A device online syncs at least this often, in seconds (default 10)."),
        .value("offline-share", "<0..1>", "Share of field devices that lose the network once (default 0.3)."),
        .value("kill-every", "<s>", "SIGKILL the server every <s> seconds during the load and start it again."),
        .value("device-threads", "<n>", "Threads for the users' actions, off Swift's cooperative pool (default 8; 0: on the pool)."),
        .value("server-binary", "<file>", "The gestion-server executable (default: the one next to gestion-load)."),
        .value("data-dir", "<dir>", "Put the server's data, the replicas and the logs here and keep them (a new or empty directory)."),
        .flag("keep", "Keep the run's files (they are always kept when a check fails)."),
        .flag("quiet", "Print only the report."),
        .flag("json", "Print the report's main figures as one JSON object instead."),
    ],
    discussion: """
        The server runs with GESTION_PASSWORD_ITERATIONS=1000 (as the test suite does) so that the
        devices sign in quickly, and with no per-address connection limit, since every device comes
        from 127.0.0.1. Setup and the final drain are not part of the timed load.

        EXIT STATUS: 0 when nothing was lost, doubled or divergent and the server stopped cleanly;
        1 otherwise or when the run could not proceed; 64 on a usage error.
        """
)

func number(_ parsed: ParsedArguments, _ name: String, default value: Double, in range: ClosedRange<Double>) throws(UsageError) -> Double {
    guard let text = parsed.values[name] else { return value }
    guard let number = Double(text), range.contains(number) else {
        throw UsageError("'--\(name)' must be a number from \(range.lowerBound) to \(range.upperBound).")
    }
    return number
}

func configuration(_ parsed: ParsedArguments) throws -> LoadConfiguration {
    guard parsed.positionals.isEmpty else { throw UsageError("Unexpected argument '\(parsed.positionals[0])'.") }
    let binary: URL
    if let path = parsed.values["server-binary"] {
        binary = URL(fileURLWithPath: path)
    } else {
        let me = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        binary = me.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("gestion-server")
    }
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw UsageError("No gestion-server executable at \(binary.path): build it (swift build) or give --server-binary.")
    }
    var configuration = LoadConfiguration(serverBinary: binary)
    configuration.devices = try parsed.integer("devices", default: LoadConfiguration.defaultDevices, in: 3...2000)
    configuration.seconds = try number(parsed, "seconds", default: LoadConfiguration.defaultSeconds, in: 1...86_400)
    if let text = parsed.values["seed"] {
        guard let seed = UInt64(text) else { throw UsageError("'--seed' must be an unsigned whole number.") }
        configuration.seed = seed
    }
    configuration.thinkTime = try number(parsed, "think-time", default: configuration.thinkTime, in: 0.01...3600)
    configuration.syncInterval = try number(parsed, "sync-interval", default: configuration.syncInterval, in: 0.1...3600)
    configuration.offlineShare = try number(parsed, "offline-share", default: configuration.offlineShare, in: 0...1)
    configuration.deviceThreads = try parsed.integer("device-threads", default: configuration.deviceThreads, in: 0...256)
    if parsed.values["kill-every"] != nil {
        configuration.killEvery = try number(parsed, "kill-every", default: 0, in: 1...86_400)
    }
    if let path = parsed.values["data-dir"] {
        let url = URL(fileURLWithPath: path)
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        guard contents.isEmpty else { throw UsageError("'--data-dir' must be a new or empty directory: \(url.path) is not empty.") }
        configuration.workDirectory = url
        configuration.keepFiles = true
    }
    if parsed.flags.contains("keep") { configuration.keepFiles = true }
    if !parsed.flags.contains("quiet") {
        configuration.progress = { line in printError(line) }
    }
    return configuration
}

let status: Int32
do {
    let parsed = try ParsedArguments(CommandLine.arguments.dropFirst(), options: spec.options)
    if parsed.wantsHelp {
        print(spec.help, terminator: "")
        status = ExitStatus.success
    } else {
        let report = try await LoadRun.run(try configuration(parsed))
        print(parsed.flags.contains("json") ? report.json : report.text)
        status = report.passed ? ExitStatus.success : ExitStatus.failure
    }
} catch {
    status = exitStatus(for: error, tool: "gestion-load")
}
exit(status)
