import Foundation

/// A command line the bench cannot run: printed with the usage, exit status 64.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The scenarios of issue 7, in the order they run.
enum ScenarioName: String, CaseIterable, Sendable {
    case initialSync = "initial-sync"
    case scale
    case localWrite = "local-write"
    case applyChange = "apply-change"
    case push
    case propagation
    case throughput
    case pullIdle = "pull-idle"
    case wire

    var summary: String {
        switch self {
        case .initialSync: "initial sync of 100,000 case records into an empty replica vs plain SQLite inserts"
        case .scale: "initial sync of 10,000 / 100,000 / 1,000,000 records: time and device peak memory"
        case .localWrite: "a local write (record change + outbox row) vs a plain single-row commit"
        case .applyChange: "applying one server change on a 1,000,000-row replica vs a 10,000-row one"
        case .push: "push of one mutation, durable on the server, vs a bare HTTP round trip"
        case .propagation: "a change on device A visible in device B's replica, 10 devices syncing"
        case .throughput: "server under 200 devices, one and ten mutations per push"
        case .pullIdle: "a pull with nothing new: round trips and server CPU"
        case .wire: "bytes on the wire: a full record, a one-field change"
        }
    }
}

/// What `gestion-bench` was asked to do.
struct BenchOptions: Sendable {
    var scenarios: [ScenarioName] = ScenarioName.allCases
    var quick = false
    var runs = 5
    var keep = false
    var markdownPath: String?
    var throughputSeconds: Double = 8
    var pollMilliseconds = 5
    var help = false

    /// The record counts of the initial-sync scenarios.
    var initialSyncSize: Int { quick ? 10_000 : 100_000 }
    var scaleSizes: (small: Int, medium: Int, large: Int) { quick ? (1_000, 10_000, 100_000) : (10_000, 100_000, 1_000_000) }

    static let help = """
        OVERVIEW: GestionSync's benchmark suite (issue 7). Each scenario runs side by side with its
        physical baseline (plain SQLite through the C API, a bare HTTP round trip) in the same run,
        and prints medians, ratios, the target and PASS or MISS.

        USAGE: gestion-bench [--only <names>] [--quick] [--runs <n>] [--markdown <file>]

        OPTIONS:
          --only <names>        Comma-separated scenarios to run (default: all). Scenarios:
        \(ScenarioName.allCases.map { "                          \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))
          --quick               Sizes divided by 10 (10,000 records instead of 100,000, ...), shorter load.
          --runs <n>            Repetitions of each measurement (default: 5; medians are reported).
          --throughput-seconds <s>  Length of each load run of the throughput scenario (default: 8).
          --poll-ms <ms>        Propagation: the devices' syncContinuously interval (default: 5). They follow the
                                server with long polls; the interval only paces them against a server that
                                answers pulls at once (gestion-server serve --max-pull-wait 0).
          --markdown <file>     Also write the results as a Markdown table to <file>.
          --keep                Keep the temporary directories (servers' data, replicas, logs).
          -h, --help            Show this help.

        Build in release and run the binary next to gestion-server:
          swift build -c release --product gestion-server && swift build -c release --product gestion-bench
          .build/release/gestion-bench
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> BenchOptions {
        var options = BenchOptions()
        var index = 0
        func value(_ name: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError("\(name) needs a value.") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help": options.help = true
            case "--quick": options.quick = true
            case "--keep": options.keep = true
            case "--only":
                var names: [ScenarioName] = []
                for name in try value(argument).split(separator: ",") {
                    guard let scenario = ScenarioName(rawValue: String(name)) else {
                        throw UsageError("Unknown scenario '\(name)'. Known: \(ScenarioName.allCases.map(\.rawValue).joined(separator: ", ")).")
                    }
                    names.append(scenario)
                }
                options.scenarios = ScenarioName.allCases.filter(names.contains)
            case "--runs":
                guard let runs = Int(try value(argument)), runs >= 1, runs <= 1000 else { throw UsageError("--runs needs a number from 1 to 1000.") }
                options.runs = runs
            case "--throughput-seconds":
                guard let seconds = Double(try value(argument)), seconds > 0, seconds <= 600 else {
                    throw UsageError("--throughput-seconds needs a number of seconds up to 600.")
                }
                options.throughputSeconds = seconds
            case "--poll-ms":
                guard let ms = Int(try value(argument)), ms >= 0, ms <= 10_000 else { throw UsageError("--poll-ms needs 0 to 10000.") }
                options.pollMilliseconds = ms
            case "--markdown": options.markdownPath = try value(argument)
            default: throw UsageError("Unknown option '\(argument)'.")
            }
            index += 1
        }
        return options
    }
}
