import Foundation

/// How often each fault happens. Probabilities are per request (network faults) or per step
/// (events); `SimulationConfiguration.faults` holds the run's rates.
public struct FaultRates: Sendable, Equatable {
    /// A request never reaches the server.
    public var requestDrop: Double
    /// The server processes a request and its reply is lost: for a push, the mutations are
    /// committed and the device does not know.
    public var replyLoss: Double
    /// The network delivers a request twice (now, or later as a delayed copy).
    public var duplicate: Double
    /// A request is held in the network and delivered some steps later, after newer ones; the
    /// device times out meanwhile.
    public var delay: Double
    /// The server process dies after a push committed and before its reply was written; it is
    /// reopened from disk.
    public var serverCrashAfterCommit: Double
    /// The device's process dies while a request is in flight: it is reopened from disk.
    public var deviceCrashMidSync: Double
    /// Before a request is delivered, something else happens on the server first (another
    /// device syncs, a case is redistributed, the device is revoked, the server restarts).
    public var interleave: Double
    /// Per step: a device loses (or regains) its connection.
    public var partition: Double
    /// Per step: the server restarts (close and reopen from disk).
    public var serverRestart: Double
    /// Per step: a device's app is killed while idle and reopened.
    public var deviceCrash: Double
    /// Per step: a write failure starts (or stops) on the server's or a replica's database.
    public var diskFault: Double
    /// Per step: a device's clock is set to another skew.
    public var clockChange: Double
    /// The largest clock skew of a device, in seconds (either direction).
    public var maxSkew: TimeInterval
    /// How many devices an operator revokes (lost or stolen) during the run.
    public var revocations: Int
    /// How many devices an operator retires (they upload everything, then erase themselves).
    public var retirements: Int

    public init(
        requestDrop: Double = 0.05, replyLoss: Double = 0.06, duplicate: Double = 0.05, delay: Double = 0.04,
        serverCrashAfterCommit: Double = 0.05, deviceCrashMidSync: Double = 0.015, interleave: Double = 0.06,
        partition: Double = 0.05, serverRestart: Double = 0.01, deviceCrash: Double = 0.015, diskFault: Double = 0.03,
        clockChange: Double = 0.01, maxSkew: TimeInterval = 24 * 3600, revocations: Int = 1,
        retirements: Int = 1
    ) {
        self.requestDrop = requestDrop
        self.replyLoss = replyLoss
        self.duplicate = duplicate
        self.delay = delay
        self.serverCrashAfterCommit = serverCrashAfterCommit
        self.deviceCrashMidSync = deviceCrashMidSync
        self.interleave = interleave
        self.partition = partition
        self.serverRestart = serverRestart
        self.deviceCrash = deviceCrash
        self.diskFault = diskFault
        self.clockChange = clockChange
        self.maxSkew = maxSkew
        self.revocations = revocations
        self.retirements = retirements
    }

    /// A perfect world: no faults at all (clocks still skewed by up to `maxSkew`).
    public static let none = FaultRates(
        requestDrop: 0, replyLoss: 0, duplicate: 0, delay: 0, serverCrashAfterCommit: 0, deviceCrashMidSync: 0,
        interleave: 0, partition: 0, serverRestart: 0, deviceCrash: 0, diskFault: 0, clockChange: 0, maxSkew: 0,
        revocations: 0, retirements: 0
    )
}

/// Everything that defines a run. Two runs with equal configurations perform the same events
/// and end with the same trace hash.
public struct SimulationConfiguration: Sendable {
    public var seed: UInt64
    /// Device replicas (at least 4: an agency, two mediators, an asesor; more add the Gerencia, a
    /// delegación, a second asesor, a mediator's second device, then more asesores and mediators).
    public var devices: Int
    /// Random steps before the network heals.
    public var steps: Int
    /// Accounts of the assignment.
    public var accounts: Int
    /// Simulated days the steps span (the workflow's deadlines are 31, 32, 90 and 91 days).
    public var days: Double
    public var faults: FaultRates
    /// Fail the run when a hard case its faults should reach was not reached.
    public var requireHardCases: Bool
    /// Compare each device with the server after each of its clean syncs, not only at the end.
    public var checkAfterEverySync: Bool
    /// Where the databases go; a new temporary directory when `nil`.
    public var directory: URL?
    /// Keep the databases after the run (to inspect a failing seed).
    public var keepFiles: Bool
    /// Keep the trace's lines in the report (they are always hashed).
    public var keepTrace: Bool

    public static let defaultDevices = 8
    public static let defaultSteps = 400
    public static let defaultAccounts = 10
    public static let defaultDays = 45.0

    public init(
        seed: UInt64, devices: Int = defaultDevices, steps: Int = defaultSteps, accounts: Int = defaultAccounts,
        days: Double = defaultDays, faults: FaultRates = FaultRates(), requireHardCases: Bool = true,
        checkAfterEverySync: Bool = true, directory: URL? = nil, keepFiles: Bool = false, keepTrace: Bool = false
    ) {
        self.seed = seed
        self.devices = devices
        self.steps = steps
        self.accounts = accounts
        self.days = days
        self.faults = faults
        self.requireHardCases = requireHardCases
        self.checkAfterEverySync = checkAfterEverySync
        self.directory = directory
        self.keepFiles = keepFiles
        self.keepTrace = keepTrace
    }

    /// Why the configuration cannot run, or `nil`.
    public var problem: String? {
        if devices < 4 { return "--devices must be at least 4 (an agency, two mediators and an asesor)" }
        if devices > 40 { return "--devices must be at most 40" }
        if steps < 1 { return "--steps must be at least 1" }
        if !(1...500).contains(accounts) { return "--accounts must be between 1 and 500" }
        if !(days > 0 && days <= 400) { return "--days must be between 0 and 400" }
        return nil
    }

    /// The one-line command that runs this configuration again.
    public var replayCommand: String {
        var command = "swift run gestion-sim --seed \(seed)"
        if devices != Self.defaultDevices { command += " --devices \(devices)" }
        if steps != Self.defaultSteps { command += " --steps \(steps)" }
        if accounts != Self.defaultAccounts { command += " --accounts \(accounts)" }
        if days != Self.defaultDays { command += " --days \(Self.format(days))" }
        if faults == .none { command += " --no-faults" }
        if !requireHardCases { command += " --allow-quiet" }
        return command
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
