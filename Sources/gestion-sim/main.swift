import Foundation
import GestionSimulation

// gestion-sim: the deterministic simulation of GestionSync (docs/reliability.md).
//
//   gestion-sim --seed 7                      one run; a failure prints the command that replays it
//   gestion-sim --campaign --seeds 1..500     a long campaign over a range of seeds

let usage = """
    OVERVIEW: Runs the sync server and many device replicas in one process against a simulated
    network and clock, all driven by one seed, then checks the invariants (docs/reliability.md).

    USAGE: gestion-sim --seed <n> [options]
           gestion-sim --campaign --seeds <a>..<b> [options]

    OPTIONS:
      --seed <n>            Run one seed (an unsigned 64-bit integer).
      --campaign            Run every seed of --seeds and report the totals.
      --seeds <a>..<b>      The seeds of a campaign, both included.
      --devices <n>         Device replicas (4–40, default \(SimulationConfiguration.defaultDevices)).
      --steps <n>           Random steps before the network heals (default \(SimulationConfiguration.defaultSteps)).
      --accounts <n>        Accounts of the assignment (default \(SimulationConfiguration.defaultAccounts)).
      --days <n>            Simulated days the steps span (default \(Int(SimulationConfiguration.defaultDays))).
      --no-faults           No network faults, crashes or write failures (clocks still skewed).
      --allow-quiet         Do not fail a run that reached no hard case.
      --stop-on-failure     Stop a campaign at its first failing seed.
      --keep                Keep the databases of the run (their directory is printed).
      --trace <file>        Write the run's event trace to <file>.
      -h, --help            Show this help.

    EXIT STATUS: 0 when every run held, 1 when one failed, 64 on a usage error.
    """

struct Options {
    var seed: UInt64?
    var campaign: ClosedRange<UInt64>?
    var devices = SimulationConfiguration.defaultDevices
    var steps = SimulationConfiguration.defaultSteps
    var accounts = SimulationConfiguration.defaultAccounts
    var days = SimulationConfiguration.defaultDays
    var faults = FaultRates()
    var requireHardCases = true
    var stopOnFailure = false
    var keep = false
    var traceFile: String?

    func configuration(seed: UInt64) -> SimulationConfiguration {
        SimulationConfiguration(
            seed: seed, devices: devices, steps: steps, accounts: accounts, days: days, faults: faults,
            requireHardCases: requireHardCases, keepFiles: keep, keepTrace: traceFile != nil
        )
    }
}

struct UsageError: Error {
    var message: String
}

func parse(_ arguments: [String]) throws(UsageError) -> Options? {
    var options = Options()
    var isCampaign = false
    var iterator = arguments.makeIterator()
    func value(_ flag: String) throws(UsageError) -> String {
        guard let value = iterator.next() else { throw UsageError(message: "\(flag) needs a value") }
        return value
    }
    func integer(_ flag: String) throws(UsageError) -> Int {
        let text = try value(flag)
        guard let number = Int(text) else { throw UsageError(message: "\(flag) needs a whole number, not \(text)") }
        return number
    }
    while let argument = iterator.next() {
        switch argument {
        case "-h", "--help": return nil
        case "--seed":
            let text = try value(argument)
            guard let seed = UInt64(text) else { throw UsageError(message: "--seed needs an unsigned integer, not \(text)") }
            options.seed = seed
        case "--campaign": isCampaign = true
        case "--seeds":
            let text = try value(argument)
            let parts = text.components(separatedBy: "..")
            guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else {
                throw UsageError(message: "--seeds needs a range like 1..500, not \(text)")
            }
            options.campaign = low...high
        case "--devices": options.devices = try integer(argument)
        case "--steps": options.steps = try integer(argument)
        case "--accounts": options.accounts = try integer(argument)
        case "--days":
            let text = try value(argument)
            guard let days = Double(text) else { throw UsageError(message: "--days needs a number, not \(text)") }
            options.days = days
        case "--no-faults": options.faults = .none
        case "--allow-quiet": options.requireHardCases = false
        case "--stop-on-failure": options.stopOnFailure = true
        case "--keep": options.keep = true
        case "--trace": options.traceFile = try value(argument)
        default: throw UsageError(message: "unknown option \(argument)")
        }
    }
    if isCampaign {
        guard options.campaign != nil else { throw UsageError(message: "--campaign needs --seeds <a>..<b>") }
        guard options.seed == nil else { throw UsageError(message: "use --seed or --campaign, not both") }
    } else {
        guard options.campaign == nil else { throw UsageError(message: "--seeds goes with --campaign") }
        guard options.seed != nil else { throw UsageError(message: "give --seed <n> or --campaign --seeds <a>..<b>") }
    }
    if let problem = options.configuration(seed: 0).problem { throw UsageError(message: problem) }
    return options
}

/// Writes a line to standard output at once (a campaign's progress shows while it runs).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

let options: Options
do {
    guard let parsed = try parse(Array(CommandLine.arguments.dropFirst())) else {
        emit(usage)
        exit(0)
    }
    options = parsed
} catch {
    printError("gestion-sim: \(error.message)\n\nRun gestion-sim --help for the options.")
    exit(64)
}

if let seed = options.seed {
    let report = await Simulation.run(options.configuration(seed: seed))
    emit(report.summary)
    if let file = options.traceFile {
        do {
            try (report.trace.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            printError("gestion-sim: cannot write the trace to \(file): \(error.localizedDescription)")
        }
    }
    exit(report.passed ? 0 : 1)
}

let seeds = options.campaign!
var failures: [SimulationReport] = []
var runs = 0
var steps = 0
var violations = 0
var totals = HardCaseTally()
let started = ContinuousClock.now
for seed in seeds {
    let report = await Simulation.run(options.configuration(seed: seed))
    runs += 1
    steps += report.configuration.steps
    violations += report.violations.count
    totals.add(report.tally)
    emit(report.headline)
    if !report.passed {
        failures.append(report)
        emit(report.summary.split(separator: "\n").dropFirst().joined(separator: "\n"))
    }
    if !report.passed, options.stopOnFailure { break }
}
let elapsed = ContinuousClock.now - started
emit("")
emit("campaign: \(runs) seeds, \(steps) steps, \(failures.count) failed, \(violations) violations, \(elapsed.components.seconds) s")
emit("hard cases reached: " + totals.counters.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
for failure in failures { emit("replay: \(failure.replayCommand)") }
exit(failures.isEmpty ? 0 : 1)
