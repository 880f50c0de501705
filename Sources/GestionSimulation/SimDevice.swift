import Foundation
import GestionClient
import GestionProtocol
import GestionSQLite
import Mediacion

/// One field device: a real `LocalReplica` on a SQLite file and its `SyncClient`, whose transport
/// is the simulated network. Crashing it closes the replica and opens the file again, as a killed
/// app restarting would; whatever was in memory is gone.
final class SimDevice {
    let index: Int
    let user: SimUser
    let path: String
    let clock: DeviceClock
    private(set) var replica: LocalReplica
    private(set) var client: SyncClient
    /// Starts at 1; a revoked device that erased itself starts a new life with a new client id.
    private(set) var incarnation = 1
    /// Client ids this device had before it was erased.
    private(set) var formerClientIDs: [String] = []
    private let makeTransport: @Sendable (Int) -> any SyncTransport

    /// Cut off from the network.
    var partitioned = false
    /// The step at which the network comes back (or the write failures stop).
    var partitionEnds = 0
    var diskFaultEnds = 0
    /// The app was killed while a request was in flight: every request fails until it reopens.
    var crashed = false
    /// A sync of this device is running (it must not start another).
    var syncing = false
    /// Something else ran on the server while this device's sync was in progress.
    var interleavedDuringSync = false
    /// The user must sign in again (session expired or lost, offline lock, erased replica).
    var needsLogin = true
    /// Write failures are injected into this device's replica file.
    var diskFault = false
    /// How likely the user syncs right after an action (office devices are online, phones less).
    let syncAfterAction: Double
    /// How likely a step picks this device for an action.
    let activity: Double

    static let serverURL = URL(string: "http://gestion-sim.invalid")!

    /// A short label for the trace: `d3`.
    var label: String { "d\(index)" }
    var clientID: String { replica.clientID }

    init(index: Int, user: SimUser, directory: URL, clock: DeviceClock, transport: @escaping @Sendable (Int) -> any SyncTransport)
        throws
    {
        self.index = index
        self.user = user
        self.path = directory.appendingPathComponent("device-\(index).sqlite").path
        self.clock = clock
        self.makeTransport = transport
        switch user.role {
        case .agencia:
            syncAfterAction = 0.7
            activity = 3
        case .delegacion:
            syncAfterAction = 0.7
            activity = 1.5
        case .mediacion, .operacion:
            syncAfterAction = 0.7
            activity = 0.6
        case .mediador:
            syncAfterAction = 0.3
            activity = 1.5
        case .asesor:
            syncAfterAction = 0.25
            activity = 1.0
        }
        // The replica creates a random client id; the simulation's ids are fixed by the device and
        // its incarnation, so that runs of a seed name devices alike.
        let first = try LocalReplica(path: path, registry: Mediacion.registry, clock: clock.reading)
        first.close()
        try Self.setClientID(Self.clientID(index: index, incarnation: 1), path: path)
        replica = try LocalReplica(path: path, registry: Mediacion.registry, clock: clock.reading)
        client = SyncClient(replica: replica, appVersion: "gestion-sim/1", pipelinesPulls: false, transport: { _ in transport(index) })
    }

    static func clientID(index: Int, incarnation: Int) -> String { "sim-d\(index)-\(incarnation)" }

    /// Closes the replica and opens the file again: the app was killed and restarted.
    func reopen() throws {
        replica.close()
        try WriteFaults.clear(path: path)
        diskFault = false
        crashed = false
        replica = try LocalReplica(path: path, registry: Mediacion.registry, clock: clock.reading)
        client = SyncClient(replica: replica, appVersion: "gestion-sim/1", pipelinesPulls: false, transport: { [makeTransport, index] _ in makeTransport(index) })
    }

    /// After the replica erased itself (revoked): gives it the next deterministic client id and
    /// reopens it. The user must sign in again.
    func startNewLife() throws {
        formerClientIDs.append(Self.clientID(index: index, incarnation: incarnation))
        incarnation += 1
        replica.close()
        try WriteFaults.clear(path: path)
        diskFault = false
        try Self.setClientID(Self.clientID(index: index, incarnation: incarnation), path: path)
        crashed = false
        replica = try LocalReplica(path: path, registry: Mediacion.registry, clock: clock.reading)
        client = SyncClient(replica: replica, appVersion: "gestion-sim/1", pipelinesPulls: false, transport: { [makeTransport, index] _ in makeTransport(index) })
        needsLogin = true
    }

    /// Whether the replica erased itself since it was opened (its client id changed).
    var wasErased: Bool { replica.clientID != Self.clientID(index: index, incarnation: incarnation) }

    func close() {
        replica.close()
    }

    private static func setClientID(_ id: String, path: String) throws {
        let connection = try Connection(path: path)
        defer { connection.close() }
        _ = try connection.run("UPDATE replica_meta SET value = ? WHERE key = 'client_id'", [id])
    }
}
