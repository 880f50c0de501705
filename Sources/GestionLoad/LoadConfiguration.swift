import Foundation

/// What one load run does: how many devices, for how long, against which server.
///
/// ```swift
/// var configuration = LoadConfiguration(serverBinary: URL(fileURLWithPath: ".build/release/gestion-server"))
/// configuration.devices = 200
/// configuration.seconds = 60
/// let report = try await LoadRun.run(configuration)
/// ```
public struct LoadConfiguration: Sendable {
    public static let defaultDevices = 200
    public static let defaultSeconds = 60.0

    /// The `gestion-server` executable the run starts (`serve` and `admin`).
    public var serverBinary: URL
    /// Simulated devices, each a replica file with its sync client.
    public var devices = LoadConfiguration.defaultDevices
    /// How long the devices work before they stop and drain their outboxes.
    public var seconds = LoadConfiguration.defaultSeconds
    /// Fixes the users' choices (which action, think times, who goes offline and when).
    public var seed: UInt64 = 1
    /// The pause between two actions of one user, in seconds: each pause is drawn uniformly
    /// between a quarter of it and twice it.
    public var thinkTime = 2.0
    /// A device syncs at least this often while online, in seconds (jittered), besides the syncs
    /// its user starts after an action.
    public var syncInterval = 10.0
    /// Share of the field devices (asesores' phones, mediators' laptops) that lose the network
    /// once during the run, for a fifth to two fifths of it, and come back with a queue.
    public var offlineShare = 0.3
    /// SIGKILL the server every this many seconds during the load and start it again (nil: never).
    public var killEvery: Double?
    /// Where the server's data, the replicas and the logs go; a fresh temporary directory when nil.
    public var workDirectory: URL?
    /// Keep the work directory after the run (it is always kept when a check failed).
    public var keepFiles = false
    /// Seconds one HTTP request may take before the device gives up on it.
    public var requestTimeout = 20.0
    /// How many devices sign in or drain at once during setup and the end.
    public var setupConcurrency = 8
    /// Plain threads that run the users' actions (a replica read and a commit each), so that one
    /// device waiting for its disk does not hold one of the few threads of Swift's cooperative
    /// pool; 0 runs them on that pool.
    public var deviceThreads = 8
    /// Receives progress lines (setup steps, the state every few seconds).
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(serverBinary: URL) {
        self.serverBinary = serverBinary
    }
}
