import Foundation

/// Percentiles of a list of latencies, in milliseconds.
public struct LatencySummary: Sendable, Equatable {
    /// How many values were measured.
    public var count: Int
    /// The median.
    public var p50: Double
    /// The value 99 % of the measures do not exceed.
    public var p99: Double
    /// The slowest.
    public var max: Double

    /// Nearest-rank percentiles of `values` (all zero when empty).
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
        p50 = rank(0.50)
        p99 = rank(0.99)
        max = sorted.last ?? 0
    }

    var text: String {
        count == 0 ? "none" : "p50 \(Self.ms(p50))  p99 \(Self.ms(p99))  max \(Self.ms(max))  (\(count))"
    }

    static func ms(_ value: Double) -> String {
        value >= 100 ? "\(Int(value.rounded())) ms" : String(format: "%.1f ms", value)
    }
}

/// What a load run did and found.
public struct LoadReport: Sendable {
    /// Simulated devices (one user each).
    public var devices = 0
    /// Devices by role, e.g. `["asesor": 113, ...]`.
    public var roles: [String: Int] = [:]
    /// Accounts of the made-up assignment.
    public var accounts = 0
    /// Seconds of load asked for.
    public var seconds = 0.0
    /// Seconds of load measured (the last syncs in flight finish after the deadline).
    public var elapsed = 0.0
    /// Seconds to create the users, import the assignment, start the server and sign in.
    public var setupSeconds = 0.0
    /// Seconds to drain every outbox and sync until nothing moved.
    public var drainSeconds = 0.0

    /// Mutations the users performed (queued in their outboxes).
    public var performed = 0
    /// Actions the device's own rules refused at once (nothing queued: wrong status, bad data).
    public var refusedOnDevice = 0
    /// Syncs that completed during the load, and those that failed with the network up.
    public var syncs = 0
    /// Syncs that failed although the device had signal (e.g. the server was down).
    public var failedSyncs = 0
    /// Why syncs failed, with counts.
    public var failures: [String: Int] = [:]
    /// Sync attempts of devices that had no signal (they fail at once, by design).
    public var offlineAttempts = 0
    /// Devices that lost the network during the run, and the largest queue one came back with.
    public var wentOffline = 0
    public var largestQueueOnReturn = 0
    /// The fewest syncs one device completed during the load.
    public var fewestSyncsOfADevice = 0
    /// Times the server was killed with SIGKILL and started again.
    public var serverKills = 0
    /// The server's exit status after the final SIGTERM (0: a clean stop).
    public var serverExitStatus: Int32 = 0

    /// Seen by the devices: one push request, one pull page, one whole sync.
    public var push = LatencySummary([])
    /// One pull page round trip, seen by the devices.
    public var pull = LatencySummary([])
    /// One whole `SyncClient.sync()`, seen by the devices.
    public var sync = LatencySummary([])
    /// Measured by the server (its `http.request` log lines): time to answer a push and a pull.
    public var serverPush = LatencySummary([])
    /// The server's time to answer a pull page.
    public var serverPull = LatencySummary([])
    /// HTTP requests the server answered during the load.
    public var requests = 0

    /// The end of the run checked against the server's database and the replica files.
    public var reconciliation = Reconciliation()
    /// Where the run's files are, when kept.
    public var keptDirectory: String?

    public init() {}

    /// Nothing lost, doubled or divergent, and the server stopped cleanly.
    public var passed: Bool { reconciliation.holds && serverExitStatus == 0 }

    /// Mutations performed per second of load.
    public var mutationsPerSecond: Double { elapsed > 0 ? Double(performed) / elapsed : 0 }
    /// Syncs completed per second of load.
    public var syncsPerSecond: Double { elapsed > 0 ? Double(syncs) / elapsed : 0 }
    /// HTTP requests the server answered per second of load.
    public var requestsPerSecond: Double { elapsed > 0 ? Double(requests) / elapsed : 0 }

    /// The main figures as one JSON object, for programs (`gestion-load --json`).
    public var json: String {
        let r = reconciliation
        let fields: [(String, String)] = [
            ("devices", "\(devices)"), ("elapsed", String(format: "%.3f", elapsed)), ("performed", "\(performed)"),
            ("accepted", "\(r.accepted)"), ("rejected", "\(r.rejected)"), ("refusedOnDevice", "\(refusedOnDevice)"),
            ("syncs", "\(syncs)"), ("failedSyncs", "\(failedSyncs)"), ("fewestSyncsOfADevice", "\(fewestSyncsOfADevice)"),
            ("wentOffline", "\(wentOffline)"), ("largestQueueOnReturn", "\(largestQueueOnReturn)"),
            ("pushes", "\(push.count)"), ("serverPushes", "\(serverPush.count)"), ("pushP50", String(format: "%.3f", push.p50)),
            ("pushP99", String(format: "%.3f", push.p99)), ("syncP50", String(format: "%.3f", sync.p50)),
            ("syncP99", String(format: "%.3f", sync.p99)), ("serverPushP50", String(format: "%.3f", serverPush.p50)),
            ("serverPushP99", String(format: "%.3f", serverPush.p99)), ("serverKills", "\(serverKills)"),
            ("serverExitStatus", "\(serverExitStatus)"), ("lost", "\(r.lost.count)"), ("doubled", "\(r.doubled.count)"),
            ("unexpected", "\(r.unexpected.count)"), ("numbering", "\(r.numbering.count)"), ("divergent", "\(r.divergent.count)"),
            ("passed", passed ? "true" : "false"),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// The report as `gestion-load` prints it.
    public var text: String {
        let r = reconciliation
        let roleText = roles.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var lines = [
            "devices        \(devices) (\(roleText)); \(accounts) accounts",
            "load           \(String(format: "%.1f", elapsed)) s (asked \(String(format: "%.0f", seconds)) s); setup \(String(format: "%.1f", setupSeconds)) s, drain \(String(format: "%.1f", drainSeconds)) s",
            "mutations      \(performed) performed, \(r.accepted) accepted, \(r.rejected) rejected by the server; \(refusedOnDevice) refused on the device (never queued)",
            "syncs          \(syncs) completed, \(failedSyncs) failed online, \(offlineAttempts) attempts without signal; fewest per device \(fewestSyncsOfADevice)",
            "offline        \(wentOffline) devices lost the network; the largest queue on return was \(largestQueueOnReturn)",
            "throughput     \(String(format: "%.1f", mutationsPerSecond)) mutations/s, \(String(format: "%.1f", syncsPerSecond)) syncs/s, \(String(format: "%.1f", requestsPerSecond)) HTTP requests/s",
            "push (device)  \(push.text)",
            "pull (device)  \(pull.text)",
            "sync (device)  \(sync.text)",
            "push (server)  \(serverPush.text)",
            "pull (server)  \(serverPull.text)",
        ]
        if serverKills > 0 { lines.append("server kills   \(serverKills) (SIGKILL, then started again)") }
        if !failures.isEmpty {
            lines.append("sync failures  " + failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines += [
            "server stop    exit status \(serverExitStatus) after SIGTERM",
            "lost           \(r.lost.count)",
            "doubled        \(r.doubled.count)",
            "unexpected     \(r.unexpected.count)",
            "numbering      \(r.numbering.count) client(s) with a gap",
            "divergent      \(r.divergent.count) replica(s)",
        ]
        for key in r.lost.prefix(5) { lines.append("  lost: \(key)") }
        for key in r.doubled.prefix(5) { lines.append("  doubled: \(key)") }
        for line in r.unexpected.prefix(5) { lines.append("  unexpected: \(line)") }
        for line in r.numbering.prefix(5) { lines.append("  numbering: \(line)") }
        for (label, problems) in r.divergent.sorted(by: { $0.key < $1.key }).prefix(5) {
            lines.append("  divergent: \(label): " + problems.prefix(3).joined(separator: "; ") + (problems.count > 3 ? "; …" : ""))
        }
        if let keptDirectory { lines.append("files          \(keptDirectory)") }
        lines.append(passed ? "result         PASS" : "result         FAIL")
        return lines.joined(separator: "\n")
    }
}
