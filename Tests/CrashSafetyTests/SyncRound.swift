import Foundation
import GestionHTTP
import GestionLogging
import GestionProtocol
import GestionSQLite
import GestionSQLiteFaults
import Mediacion
import Synchronization
import SyncCore
import TestFixtures

@testable import GestionClient
@testable import GestionServer

/// One instant for every clock: the same round does the same I/O every time it runs.
let fixedNow = RFC3339.date(from: "2026-11-27T16:00:00Z")!

/// Which process a fault hits.
enum Side: String, Sendable, CustomStringConvertible {
    case device, server
    var description: String { rawValue }
}

/// How both databases are set up for a walk.
struct WalkSetup: Sendable {
    /// `PRAGMA wal_autocheckpoint = 1` on the device and the server writer: every commit is
    /// followed by a checkpoint, so the walk also crosses the checkpoint's writes and syncs.
    var checkpointEveryCommit = false
    /// The server writer's `synchronous`: FULL in production; NORMAL only for the negative control.
    var serverSynchronous = Connection.Synchronous.full
    /// Days between the baseline and the round, on both clocks. From 10 on, the device's
    /// 14-day token has less than 5 days left and the round starts with a renewal.
    var roundDaysLater = 0

    /// The instant of the round.
    var now: Date { fixedNow.addingTimeInterval(Double(roundDaysLater) * 86_400) }
}

/// A mutation the device performs in the round: `key` names it in checks.
struct RoundMutation: Sendable {
    var name: String
    var args: JSONObject
    var key: String { "\(name):\(args["numeroCredito"]?.stringValue ?? "")" }

    /// Three actions on account 1, and an acceptance of account 3 that another asesor recorded as
    /// refused meanwhile (the device has not heard yet): the server's conflict rules apply it
    /// with a resolution (sent to review), which the device must show once it pulls.
    static let round: [RoundMutation] = [
        RoundMutation(name: RegistrarAceptacion.name, args: ["numeroCredito": .string(Fixtures.credito(1))]),
        RoundMutation(name: RegistrarAvisoPrivacidad.name, args: ["numeroCredito": .string(Fixtures.credito(1))]),
        RoundMutation(
            name: RegistrarDatosContacto.name,
            args: ["numeroCredito": .string(Fixtures.credito(1)), "telefonoCelular": "5512345678"]
        ),
        RoundMutation(name: RegistrarAceptacion.name, args: ["numeroCredito": .string(Fixtures.credito(3))]),
    ]
}

// MARK: Baseline

/// The state every run starts from: a server with two asesores and three accounts, a device of
/// `asesor.uno` signed in and synced, then changes the device has not pulled yet (another asesor
/// refused account 3; account 4 was imported). Built once per walk and copied for each run.
final class Baseline: Sendable {
    let directory: URL

    static let user = "asesor.uno"

    init() async throws {
        directory = Fixtures.temporaryDirectory("crash-baseline")
        let host = try ServerHost(directory: directory, disk: nil, setup: WalkSetup())
        let replica = try LocalReplica(
            path: directory.appendingPathComponent("device.sqlite").path, registry: Mediacion.registry, clock: { fixedNow }
        )
        let transport = DirectTransport(host: host, device: nil, ledger: Ledger())
        let client = SyncClient(replica: replica, transport: { _ in transport })
        try await client.login(server: DirectTransport.url, user: Self.user, password: Fixtures.password(Self.user), deviceName: "Equipo")
        try await client.sync()
        let other = MutationAuthor(userID: "asesor.dos", role: Rol.asesor.rawValue, clientID: "server:otro-equipo")
        let refusal = try host.store.applyServerMutations(
            [ServerMutation(name: RegistrarNoAceptacion.name, args: ["numeroCredito": .string(Fixtures.credito(3))])],
            author: other, registry: Mediacion.registry, at: fixedNow, atomically: true
        )
        precondition(refusal.committed && refusal.results.allSatisfy { $0.status == .applied }, "the other asesor's refusal")
        let imported = try host.store.applyServerMutations(
            [
                ServerMutation(
                    name: ImportarCuenta.name,
                    args: try JSONValueEncoder().encode(ImportarCuenta(cuenta: Fixtures.cuenta(4))).objectValue ?? [:]
                )
            ],
            author: Fixtures.sistema, registry: Mediacion.registry, at: fixedNow, atomically: true
        )
        precondition(imported.committed, "account 4 imported")
        replica.close()
        host.close()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A copy of the baseline's files in a new directory.
    func copy() throws -> URL {
        let target = Fixtures.temporaryDirectory("crash-run")
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            try FileManager.default.copyItem(at: directory.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
        return target
    }
}

// MARK: Server

/// The server process: a store and its sync service, which can die (its disk went dead) and be
/// rebooted on the normal VFS.
final class ServerHost: Sendable {
    let directory: URL
    let disk: FaultyDisk?
    let now: Date
    private let current: Mutex<(store: SQLiteSyncStore, service: SyncService)?>

    /// Opens the store in `directory`, through the faulty VFS when `disk` is given.
    init(directory: URL, disk: FaultyDisk?, setup: WalkSetup) throws {
        self.directory = directory
        self.disk = disk
        self.now = setup.now
        let store: SQLiteSyncStore
        if disk == nil, !FileManager.default.fileExists(atPath: directory.appendingPathComponent("server.sqlite").path) {
            store = try Fixtures.store(in: directory, users: ["asesor.uno": .asesor, "asesor.dos": .asesor], accounts: 3, now: fixedNow)
        } else {
            store = try SQLiteSyncStore(directory: directory, readerCount: 1, vfs: disk == nil ? nil : FaultyVFS.name)
        }
        try store.withWriter { db in
            if setup.checkpointEveryCommit { try db.execute("PRAGMA wal_autocheckpoint = 1") }
            if setup.serverSynchronous != .full { try db.execute("PRAGMA synchronous = \(setup.serverSynchronous.rawValue)") }
        }
        current = Mutex((store, Self.service(store, now: setup.now)))
    }

    static func service(_ store: SQLiteSyncStore, now: Date) -> SyncService {
        var configuration = ServerConfiguration()
        configuration.passwordIterations = Fixtures.passwordIterations
        return SyncService(store: store, registry: Mediacion.registry, configuration: configuration, logger: .disabled, clock: { now })
    }

    /// The store of the running server (after a reboot, the new one).
    var store: SQLiteSyncStore {
        get throws(TransportError) {
            guard let store = current.withLock({ $0?.store }) else { throw TransportError("the server is down") }
            return store
        }
    }

    /// `true` when the server process died (its disk is dead) and was not rebooted yet.
    var isDown: Bool { disk?.isDead == true }

    /// Handles one request, unless the server is down or dies while handling it: then the
    /// client gets no answer, as from a server killed mid-request.
    func handle(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        guard !isDown, let service = current.withLock({ $0?.service }) else { throw TransportError("the server is down") }
        let response = service.handle(request)
        if isDown { throw TransportError("the server died before answering") }
        return response
    }

    /// Restarts a dead server: closes its connections (the dead disk takes no more writes), puts
    /// its files back to their last synced state if it lost power, and opens the store again on
    /// the normal VFS.
    func reboot() throws {
        guard let disk, disk.isDead else { return }
        current.withLock { current in
            current?.store.close()
            current = nil
        }
        if disk.lostPower { try disk.restoreLastSyncedState() } else { disk.revive() }
        let store = try SQLiteSyncStore(directory: directory, readerCount: 1)
        current.withLock { $0 = (store, Self.service(store, now: now)) }
    }

    func close() {
        current.withLock { current in
            current?.store.close()
            current = nil
        }
    }
}

// MARK: Transport

/// What the server answered to pushes that reached the device.
final class Ledger: Sendable {
    private let acknowledged = Mutex<[Int64: MutationStatus]>([:])

    func record(_ response: PushResponse) {
        acknowledged.withLock { known in
            for result in response.results { known[result.id] = result.status }
        }
    }

    /// Every mutation id the server acknowledged to the device, with its status.
    var results: [Int64: MutationStatus] { acknowledged.withLock { $0 } }
}

/// Calls the server's sync service directly. A dead device sends nothing; a dead server answers
/// nothing.
struct DirectTransport: SyncTransport {
    static let url = URL(string: "http://crash-safety.test")!
    let host: ServerHost
    let device: FaultyDisk?
    let ledger: Ledger

    func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply {
        if device?.isDead == true { throw TransportError("the device is down") }
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try host.handle(
            HTTPRequest(method: endpoint.method, target: endpoint.path, headers: headers, body: body ?? [], remoteAddress: "10.0.0.7")
        )
        if endpoint == .push, response.status == 200, let push = try? JSONValueDecoder().decode(PushResponse.self, from: response.body) {
            ledger.record(push)
        }
        return TransportReply(status: response.status, body: response.body)
    }
}

// MARK: One run

/// What a run did and what the checks found.
struct RunReport: Sendable {
    var fault: Fault?
    var side: Side?
    var injected: InjectedFault?
    /// The performs that returned, and those that threw, by key.
    var performed: [String] = []
    var refused: [String] = []
    /// Refused performs the server has anyway (a commit whose sync failed, found by recovery after a crash).
    var resurrected: [String] = []
    var violations: [String] = []
    /// The server's result of each of the device's mutations, in order: `status` or `status:code`.
    var serverResults: [String] = []
    /// Syncs the device needed after recovery to have nothing pending.
    var recoverySyncs = 0
    var deviceWrites = 0, deviceSyncs = 0, serverWrites = 0, serverSyncs = 0
    /// The round's operations on each side, in order.
    var deviceOperations: [GestionSQLiteFaults.Operation] = []
    var serverOperations: [GestionSQLiteFaults.Operation] = []
}

/// A device and a server on copies of the baseline, both on the faulty VFS; one round with at
/// most one fault; then recovery (reboots, retried syncs) and the checks.
final class SyncRun {
    let directory: URL
    let setup: WalkSetup
    let serverDisk: FaultyDisk
    let deviceDisk: FaultyDisk
    let host: ServerHost
    let ledger: Ledger
    private(set) var replica: LocalReplica
    private(set) var client: SyncClient
    var devicePath: String { directory.appendingPathComponent("device.sqlite").path }

    init(from baseline: Baseline, setup: WalkSetup) throws {
        directory = try baseline.copy()
        self.setup = setup
        let serverDisk = FaultyDisk(databasePath: directory.appendingPathComponent("server.sqlite").path)
        let deviceDisk = FaultyDisk(databasePath: directory.appendingPathComponent("device.sqlite").path)
        let host = try ServerHost(directory: directory, disk: serverDisk, setup: setup)
        let ledger = Ledger()
        let replica = try LocalReplica(
            path: directory.appendingPathComponent("device.sqlite").path, registry: Mediacion.registry, clock: { setup.now },
            vfs: FaultyVFS.name
        )
        if setup.checkpointEveryCommit { try replica.write { db in try db.execute("PRAGMA wal_autocheckpoint = 1") } }
        self.serverDisk = serverDisk
        self.deviceDisk = deviceDisk
        self.host = host
        self.ledger = ledger
        self.replica = replica
        client = SyncClient(replica: replica, transport: { _ in DirectTransport(host: host, device: deviceDisk, ledger: ledger) })
    }

    deinit {
        replica.close()
        host.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs the round with `fault` armed on `side` (or none, to count), recovers, and checks.
    /// With `powerCutAtEnd`, that side loses power once the round is over.
    func run(_ fault: Fault?, on side: Side?, then afterFailure: AfterFailure = .crash, powerCutAtEnd: Side? = nil) async -> RunReport {
        var report = RunReport(fault: fault, side: side)
        serverDisk.resetCounts()
        deviceDisk.resetCounts()
        if let fault, let side { (side == .server ? serverDisk : deviceDisk).arm(fault, then: afterFailure) }

        // The round: the user acts, then the device syncs.
        for mutation in RoundMutation.round where !deviceDisk.isDead {
            do {
                try replica.perform(mutation.name, mutation.args)
                report.performed.append(mutation.key)
            } catch {
                report.refused.append(mutation.key)
            }
        }
        if !deviceDisk.isDead { _ = try? await client.sync() }
        report.deviceWrites = deviceDisk.writes
        report.deviceSyncs = deviceDisk.syncs
        report.serverWrites = serverDisk.writes
        report.serverSyncs = serverDisk.syncs
        report.deviceOperations = deviceDisk.operations
        report.serverOperations = serverDisk.operations
        report.injected = side.flatMap { ($0 == .server ? serverDisk : deviceDisk).injected }
        if let powerCutAtEnd { (powerCutAtEnd == .server ? serverDisk : deviceDisk).cutPowerNow() }

        // Recovery: dead processes restart; the device syncs until nothing is pending.
        do {
            try host.reboot()
            try rebootDeviceIfDead()
        } catch {
            report.violations.append("reboot failed: \(error)")
            return report
        }
        var lastError: (any Error)?
        var settled = false
        for _ in 0..<6 where !settled {
            report.recoverySyncs += 1
            do {
                try await client.sync()
                settled = try replica.status().pendingCount == 0
            } catch {
                lastError = error
            }
        }
        if !settled { report.violations.append("the device did not settle: \(lastError.map { "\($0)" } ?? "mutations still pending")") }
        check(&report)
        return report
    }

    private func rebootDeviceIfDead() throws {
        guard deviceDisk.isDead else { return }
        replica.close()
        if deviceDisk.lostPower { try deviceDisk.restoreLastSyncedState() } else { deviceDisk.revive() }
        let now = setup.now
        replica = try LocalReplica(path: devicePath, registry: Mediacion.registry, clock: { now })
        client = SyncClient(replica: replica, transport: { [host, ledger] _ in DirectTransport(host: host, device: nil, ledger: ledger) })
    }

    // MARK: Checks

    private func check(_ report: inout RunReport) {
        do {
            let store = try host.store
            let clientID = replica.clientID
            let results = try store.withWriter { db in
                try db.query(
                    "SELECT mutation_id, name, status, args, code, resolution FROM mutation_results WHERE client_id = ? ORDER BY mutation_id",
                    [clientID]
                )
            }
            report.serverResults = results.map { row in
                [row.string(at: 2), row.string(at: 4), row.string(at: 5).map { _ in "resolved" }].compactMap { $0 }.joined(separator: ":")
            }
            let last = try store.withWriter { db in
                try db.queryScalar("SELECT last_mutation_id FROM clients WHERE client_id = ?", [clientID])?.int64 ?? -1
            }
            let ids = results.compactMap { $0.int64(at: 0) }
            if ids != Array(0..<Int64(ids.count)).map({ $0 + 1 }) || Int64(ids.count) != last {
                report.violations.append("the server's results for the device are \(ids), its last number \(last)")
            }
            let doubled = try store.withWriter { db in
                try db.queryScalar(
                    "SELECT COUNT(*) FROM (SELECT mutation_id FROM change_sets WHERE client_id = ? GROUP BY mutation_id HAVING COUNT(*) > 1)",
                    [clientID]
                )?.int64 ?? -1
            }
            if doubled != 0 { report.violations.append("\(doubled) mutation(s) have two change-sets") }
            let versions = try store.withWriter { db in
                try db.queryOne("SELECT COUNT(*), COALESCE(MAX(version), 0) FROM change_sets")
            }
            if versions?.int64(at: 0) != versions?.int64(at: 1) { report.violations.append("change-set versions have holes") }

            // Every acknowledged mutation is on the server with the status the device was told.
            let statusByID = Dictionary(uniqueKeysWithValues: results.map { ($0.int64(at: 0) ?? 0, $0.string(at: 2) ?? "") })
            for (id, status) in ledger.results.sorted(by: { $0.key < $1.key }) where statusByID[id] != status.rawValue {
                report.violations.append("acknowledged mutation \(id) (\(status.rawValue)) is \(statusByID[id] ?? "missing") on the server")
            }

            // What the user did is on the server once, in order; nothing else is.
            let keys = try results.map { row -> String in
                let args = try JSONParser.parse(Array((row.string(at: 3) ?? "{}").utf8))
                return "\(row.string(at: 1) ?? ""):\(args["numeroCredito"]?.stringValue ?? "")"
            }
            if Set(keys).count != keys.count { report.violations.append("a mutation was applied twice: \(keys)") }
            for key in keys where !report.performed.contains(key) {
                if report.refused.contains(key) {
                    report.resurrected.append(key)
                } else {
                    report.violations.append("the server has \(key), which the user never did")
                }
            }
            let delivered = keys.filter { report.performed.contains($0) }
            if delivered != report.performed {
                report.violations.append("performed \(report.performed), the server has \(delivered): lost or reordered")
            }

            // The device settled on the server's view, with the refusals in its rejections.
            if try replica.status().pendingCount != 0 { report.violations.append("the device still has pending mutations") }
            guard let user = try store.user(id: Baseline.user) else { throw TransportError("no user") }
            let visible = try store.records(visibleTo: PullAudience(user: user.profile, policy: Mediacion.registry.replication))
            if try replica.allRecords() != visible { report.violations.append("the device's replica differs from the server's view") }
            let rejected = Set(results.filter { $0.string(at: 2) == "rejected" }.compactMap { $0.int64(at: 0) })
            if Set(try replica.rejections().map(\.id)) != rejected {
                report.violations.append("the device shows rejections \(try replica.rejections().map(\.id)), the server rejected \(rejected.sorted())")
            }
            let resolved = Set(results.filter { $0.string(at: 2) == "applied" && $0.string(at: 5) != nil }.compactMap { $0.int64(at: 0) })
            if Set(try replica.resolutions().map(\.id)) != resolved {
                report.violations.append("the device shows resolutions \(try replica.resolutions().map(\.id)), the server resolved \(resolved.sorted())")
            }
        } catch {
            report.violations.append("checking failed: \(error)")
        }
        for path in [directory.appendingPathComponent("server.sqlite").path, devicePath] {
            do {
                let connection = try Connection(path: path, configuration: .init(readOnly: true))
                defer { connection.close() }
                let answer = try connection.queryScalar("PRAGMA integrity_check")?.string
                if answer != "ok" { report.violations.append("integrity_check of \(path): \(answer ?? "nothing")") }
            } catch {
                report.violations.append("cannot check \(path): \(error)")
            }
        }
    }
}
