import Foundation

/// What one run did and whether it held: the invariants broken (none, for a pass), the hard
/// cases it reached, and the hashes that make it reproducible.
public struct SimulationReport: Sendable {
    public var configuration: SimulationConfiguration
    /// Every invariant broken, one line each; empty when the run held.
    public var violations: [String]
    /// Hard cases the run's faults should have reached and did not (a quiet run).
    public var missingHardCases: [String] = []
    public var tally = HardCaseTally()
    /// SHA-256 of the event trace: equal for two runs of the same configuration.
    public var traceHash = ""
    /// SHA-256 of the server's records and the head of its audit chain at the end.
    public var stateHash = ""
    /// Events in the trace.
    public var events = 0
    /// The trace's lines, when the configuration keeps them.
    public var trace: [String] = []
    /// Mutations the devices performed (queued in their outboxes).
    public var mutationsPerformed = 0
    /// Mutations whose devices were told the server has them.
    public var mutationsAcknowledged = 0
    /// Times a replica was compared record by record with the server's view of its scope (after
    /// each clean sync and at the end).
    public var comparisons = 0
    /// The server's latest change-log version at the end.
    public var serverVersions: Int64 = 0
    public var simulatedDays = 0.0
    /// Wall-clock time of the run (measured, never used in a decision).
    public var duration: Duration = .zero
    /// Where the files were kept, when they were.
    public var directory: String?

    public init(configuration: SimulationConfiguration, violations: [String]) {
        self.configuration = configuration
        self.violations = violations
    }

    /// No invariant broken and every required hard case reached.
    public var passed: Bool { violations.isEmpty && missingHardCases.isEmpty }

    /// The command that replays this run.
    public var replayCommand: String { configuration.replayCommand }

    /// One line: the seed, the verdict and the main figures.
    public var headline: String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return "seed \(configuration.seed): \(passed ? "ok" : "FAILED") — \(configuration.steps) steps, "
            + "\(configuration.devices) devices, \(mutationsPerformed) mutations, \(serverVersions) versions, "
            + "\(comparisons) replica checks, "
            + "\(String(format: "%.1f", simulatedDays)) days simulated, \(violations.count) violations, "
            + "\(String(format: "%.1f", seconds)) s, trace \(traceHash.prefix(16))"
    }

    /// The report for people: the headline, the violations, the hard cases, and on failure the
    /// one-line command that replays the seed.
    public var summary: String {
        var lines = [headline]
        for violation in violations { lines.append("  violation: \(violation)") }
        for missing in missingHardCases { lines.append("  not reached: \(missing) (a quiet run cannot pass)") }
        lines.append("  hard cases: " + tally.counters.filter { $0.1 > 0 }.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        if !passed { lines.append("  replay: \(replayCommand)") }
        if let directory { lines.append("  files: \(directory)") }
        return lines.joined(separator: "\n")
    }
}
