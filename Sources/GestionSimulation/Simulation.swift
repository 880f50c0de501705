import Foundation
import GestionClient
import GestionProtocol
import GestionServer
import Mediacion
import SyncCore

/// One deterministic run: the server's logic and many device replicas in this process, a
/// simulated network and clock, all driven by one seed. Random steps (users acting, devices
/// syncing, faults), then the network heals, everyone syncs until nothing moves, and the
/// invariants are checked.
///
/// ```swift
/// let report = await Simulation.run(SimulationConfiguration(seed: 7))
/// if !report.passed { print(report.summary) }
/// ```
///
/// Single-threaded by construction: the driver awaits each sync, and a sync reaches the server
/// only through the simulated transport, which runs while the driver waits. That is why the
/// mutable state below needs no lock (`@unchecked Sendable`). Nothing reads the wall clock,
/// and no decision iterates a `Set` or a `Dictionary`.
public final class Simulation: @unchecked Sendable {
    public let configuration: SimulationConfiguration
    var random: SimRandom
    /// The fault rates in force (all zero once the network heals).
    var rates: FaultRates
    let clock: SimClock
    let trace: Trace
    var tally = HardCaseTally()
    var violations: [String] = []
    var ledger = Ledger()
    let directory: URL
    let population: Population
    var server: SimServer!
    var devices: [SimDevice] = []
    var rogue = Rogue()
    /// The current step (0: setup; `steps + 1`: healing).
    var step = 0
    /// Requests held in the network, delivered at a later step.
    var delayed: [DelayedRequest] = []
    var delayedSequence = 0
    /// An interleaved event is running (they do not nest).
    var interleaving = false
    var healing = false
    /// Steps at which an operator revokes a device.
    var revocationSteps: [Int] = []
    /// Steps at which an operator retires a device.
    var retirementSteps: [Int] = []
    /// Steps from which the next push that commits something new loses its reply, or crashes
    /// the server before it answers: so that every run with those faults reaches them at least
    /// once, however the dice fall.
    var replyLossStep = Int.max
    var crashAfterCommitStep = Int.max
    var armedReplyLoss = false
    var armedCrashAfterCommit = false
    /// From this step on (until it happens), the agency redistributes a case whose mediator has
    /// work not yet uploaded: the workload's own redistributions are rare.
    var redistributionStep = Int.max
    /// At this step, if no write failure has bitten yet, the server's database starts failing
    /// the writes of every push and goes on until one fails (a step set without a random draw,
    /// so that the runs which reached one already are not changed).
    var writeFailureStep = Int.max
    var writeFailureArmed = false
    var lastSweepDay: FechaCivil
    var exclusionsLeft = 2
    /// Times a replica was compared record by record with the server's view of its scope.
    var comparisons = 0
    /// Scripted events to run just before a node's next request to an endpoint (scenarios).
    var beforeRequest: [(node: Int, endpoint: Endpoint, action: @Sendable () async -> Void)] = []

    static let start = Date(timeIntervalSince1970: 1_793_631_600)  // 2026-11-02T15:00:00Z, 09:00 in Mexico City

    init(_ configuration: SimulationConfiguration) {
        self.configuration = configuration
        random = SimRandom(seed: configuration.seed)
        rates = configuration.faults
        clock = SimClock(start: Self.start)
        trace = Trace(keep: configuration.keepTrace)
        population = Population(devices: configuration.devices, accounts: configuration.accounts)
        directory = configuration.directory
            ?? Self.scratch.appendingPathComponent("gestion-sim-\(configuration.seed)-\(UUID().uuidString.prefix(8))")
        lastSweepDay = CalendarioMX.fecha(Self.start)
    }

    /// Where runs keep their databases: a RAM disk when the system has one. Crashes are simulated
    /// by closing and reopening files, so an fsync protects nothing here and would only cost time.
    static var scratch: URL {
        let shm = URL(fileURLWithPath: "/dev/shm", isDirectory: true)
        if FileManager.default.isWritableFile(atPath: shm.path) { return shm }
        return FileManager.default.temporaryDirectory
    }

    /// Runs `configuration` and returns what happened; never throws: a failure of the harness
    /// itself is reported as a violation.
    public static func run(_ configuration: SimulationConfiguration) async -> SimulationReport {
        if let problem = configuration.problem {
            return SimulationReport(configuration: configuration, violations: ["invalid configuration: \(problem)"])
        }
        let simulation = Simulation(configuration)
        return await simulation.execute()
    }

    /// Closes every database and removes the run's files (unless kept).
    func finish() {
        server?.close()
        for device in devices { device.close() }
        if !configuration.keepFiles { try? FileManager.default.removeItem(at: directory) }
    }

    private func execute() async -> SimulationReport {
        let started = ContinuousClock.now
        defer { finish() }
        do {
            try await setUp()
            for index in 1...configuration.steps {
                step = index
                await runStep()
            }
            step = configuration.steps + 1
            await heal()
            checkInvariants()
        } catch {
            violations.append("the simulation itself failed at step \(step): \(error)")
        }
        var report = SimulationReport(configuration: configuration, violations: violations)
        report.tally = tally
        report.missingHardCases =
            configuration.requireHardCases ? tally.requirements(for: configuration.faults).filter { !$0.reached }.map(\.name) : []
        report.traceHash = trace.hash
        report.events = trace.count
        report.trace = trace.lines
        report.stateHash = (try? stateHash()) ?? "unavailable"
        report.mutationsPerformed = ledger.performed.count
        report.mutationsAcknowledged = ledger.acknowledgedKeys.count
        report.comparisons = comparisons
        report.serverVersions = (try? server?.store.latestVersion()) ?? 0
        report.simulatedDays = clock.now.timeIntervalSince(Self.start) / 86_400
        report.duration = ContinuousClock.now - started
        report.directory = configuration.keepFiles ? directory.path : nil
        return report
    }

    // MARK: Setup

    /// The server with its users and accounts, every device signed in and synced, and the
    /// agency's registries of mediators and representatives. No faults yet.
    func setUp() async throws {
        rates = .none
        defer { rates = configuration.faults }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        server = try SimServer(directory: directory.appendingPathComponent("server"), clock: clock)
        for user in population.users {
            try server.store.addUser(
                NewUser(
                    id: user.id, role: user.role.rawValue,
                    passwordHash: Authenticator.hashPassword(user.password, iterations: server.configuration.passwordIterations),
                    createdAt: clock.now, createdBy: "gestion-sim", unit: user.unit
                )
            )
        }
        let import_ = try server.store.applyServerMutations(
            population.accounts.map { ServerMutation(name: ImportarCuenta.name, args: Workload.encode(ImportarCuenta(cuenta: $0))) },
            author: Self.sistema, registry: Mediacion.registry, at: clock.now, atomically: true
        )
        guard import_.committed else { throw SimulationError("the accounts did not import: \(import_.results)") }
        trace.record(0, "setup users=\(population.users.count) accounts=\(population.accounts.count)")

        var skews = random.fork(1)
        for (index, user) in population.deviceUsers.enumerated() {
            let skew = skews.chance(0.5) ? 0 : skews.double(in: -configuration.faults.maxSkew...configuration.faults.maxSkew).rounded()
            let device = try SimDevice(
                index: index, user: user, directory: directory, clock: DeviceClock(base: clock, skew: skew),
                transport: { [unowned self] index in SimTransport(simulation: self, node: index) }
            )
            devices.append(device)
            trace.record(0, "device \(device.label) \(user.id) skew=\(Int(skew))s")
        }
        for device in devices {
            await login(device.index, initial: true)
            guard !device.needsLogin else { throw SimulationError("\(device.label) could not sign in during setup") }
        }
        // The agency registers the mediators (some certified, some notaries) and two representatives.
        let agencia = devices.first { $0.user.role == .agencia }!
        func register(_ mutation: some Mutation) throws {
            let args = Workload.encode(mutation)
            let id = try agencia.replica.perform(type(of: mutation).name, args)
            ledger.perform(Ledger.Key(client: agencia.clientID, id: id), name: type(of: mutation).name, args: args, device: agencia.index)
        }
        for (n, mediador) in population.mediadores.enumerated() {
            try register(
                RegistrarMediador(
                    usuario: mediador.id, nombre: "Mediador Simulado \(n + 1)", numeroLicencia: "LIC-\(1000 + n)",
                    certificado: n % 3 != 1, numeroCertificado: n % 3 != 1 ? "CERT-\(n + 1)" : nil, notario: n % 2 == 1
                )
            )
        }
        for (clave, poderes) in [("REP-1", true), ("REP-2", false)] {
            try register(
                RegistrarRepresentante(
                    clave: clave, nombre: "Representante \(clave)", correoElectronico: "\(clave.lowercased())@example.com",
                    poderesLegales: poderes, instrumentoPoderes: poderes ? "Escritura 123" : nil
                )
            )
        }
        await sync(agencia.index)
        for device in devices { await sync(device.index) }
        rogue.token = nil
        await rogueLogin()
        let low = max(1, configuration.steps / 5)
        let high = max(low, configuration.steps * 7 / 10)
        revocationSteps = (0..<max(0, configuration.faults.revocations)).map { _ in random.int(in: low...high) }.sorted()
        retirementSteps = (0..<max(0, configuration.faults.retirements)).map { _ in random.int(in: low...high) }.sorted()
        if configuration.faults.replyLoss > 0 { replyLossStep = random.int(in: low...high) }
        if configuration.faults.serverCrashAfterCommit > 0 { crashAfterCommitStep = random.int(in: low...high) }
        redistributionStep = random.int(in: low...high)
        if configuration.faults.diskFault > 0 { writeFailureStep = (low + high) / 2 }
        trace.record(0, "setup done version=\(try server.store.latestVersion())")
    }

    static let sistema = MutationAuthor(userID: "sistema", role: Rol.operacion.rawValue, clientID: "server:gestion-sim")
    static let operacion = MutationAuthor(
        userID: Population.operacion.id, role: Rol.operacion.rawValue, clientID: "server:operaciones"
    )

    // MARK: Steps

    private func runStep() async {
        deliverDelayed()
        endExpiredFaults()
        if step == replyLossStep { armedReplyLoss = true }
        if step == crashAfterCommitStep { armedCrashAfterCommit = true }
        if step == writeFailureStep { armWriteFailure() }
        if step >= redistributionStep, await redistributeBusyCase() { redistributionStep = Int.max }
        if revocationSteps.first.map({ $0 <= step }) == true {
            if let target = revocationTarget() {
                if revoke(target) { revocationSteps.removeFirst() }
            } else {
                revocationSteps.removeFirst()
            }
        }
        if retirementSteps.first.map({ $0 <= step }) == true {
            if let target = revocationTarget() {
                if retire(target) { retirementSteps.removeFirst() }
            } else {
                retirementSteps.removeFirst()
            }
        }
        enum Event { case action, sync, rogue, operations, partition, serverRestart, deviceCrash, diskFault, clockChange, idle }
        let event = random.weighted([
            (Event.action, 45), (.sync, 22), (.rogue, 4), (.operations, 3), (.partition, rates.partition * 100),
            (.serverRestart, rates.serverRestart * 100), (.deviceCrash, rates.deviceCrash * 100),
            (.diskFault, rates.diskFault * 100), (.clockChange, rates.clockChange * 100), (.idle, 5),
        ]) ?? .idle
        switch event {
        case .action:
            let index = random.weighted(devices.map { ($0.index, $0.activity) }) ?? 0
            await act(index)
        case .sync:
            await sync(random.int(in: 0...(devices.count - 1)))
        case .rogue:
            await rogueAct()
        case .operations:
            operationsAct()
        case .partition:
            // One device goes out of coverage, or (less often) a group of them does.
            let group = random.chance(0.25) ? random.shuffled(devices).prefix(random.int(in: 2...max(2, devices.count / 2))) : [random.pick(devices)]
            let ends = step + random.int(in: 2...30)
            for device in group where !device.partitioned {
                device.partitioned = true
                device.partitionEnds = ends
                tally.partitions += 1
                trace.record(step, "net \(device.label) partitioned until step \(ends)")
            }
        case .serverRestart:
            restartServer(reason: "idle")
        case .deviceCrash:
            crash(random.int(in: 0...(devices.count - 1)), midSync: false)
        case .diskFault:
            toggleDiskFault()
        case .clockChange:
            let device = random.pick(devices)
            device.clock.skew = random.chance(0.3) ? 0 : random.double(in: -rates.maxSkew...rates.maxSkew).rounded()
            trace.record(step, "clock \(device.label) skew=\(Int(device.clock.skew))s")
        case .idle:
            trace.record(step, "idle")
        }
        let mean = configuration.days * 86_400 / Double(configuration.steps)
        clock.advance(random.double(in: 0...(2 * mean)).rounded())
        let today = CalendarioMX.fecha(clock.now)
        if today > lastSweepDay {
            lastSweepDay = today
            sweep()
        }
    }

    /// The user of device `index` does one thing on it, and maybe syncs right after.
    func act(_ index: Int) async {
        let device = devices[index]
        if device.needsLogin { await login(index) }
        let view: LocalView
        do {
            view = try LocalView(replica: device.replica)
        } catch .locked {
            device.needsLogin = true
            trace.record(step, "do \(device.label) locked")
            return
        } catch {
            trace.record(step, "do \(device.label) cannot read (\(Self.kind(error)))")
            return
        }
        guard let action = Workload.plan(for: device.user, view: view, now: device.clock.now, random: &random) else {
            trace.record(step, "do \(device.label) nothing")
            return
        }
        perform(action, on: index)
        if random.chance(device.syncAfterAction) { await sync(index) }
    }

    /// Performs `action` on device `index`'s replica and records it in the ledger.
    func perform(_ action: PlannedAction, on index: Int) {
        let device = devices[index]
        let label = "do \(device.label) \(action.name) \(action.subject)\(action.legal ? "" : " (illegal)")"
        do {
            let id = try device.replica.perform(action.name, action.args)
            ledger.perform(Ledger.Key(client: device.clientID, id: id), name: action.name, args: action.args, device: index)
            trace.record(step, "\(label) -> #\(id)")
        } catch let rejection as MutationRejection {
            tally.localRefusals += 1
            trace.record(step, "\(label) refused \(rejection.code)")
        } catch let error as ReplicaError {
            if case .locked = error { device.needsLogin = true }
            if device.diskFault, case .storage(let detail) = error, WriteFaults.caused(detail) { tally.replicaDiskFaults += 1 }
            trace.record(step, "\(label) failed \(Self.kind(error))")
        } catch {
            violations.append("step \(step): \(device.label) \(action.name) failed unexpectedly: \(error)")
        }
    }

    // MARK: Sync and sign-in

    /// Device `index` syncs (signing in first when it must), and the outcome is handled as its
    /// app would: sign in again, erase itself, or keep the work for later.
    @discardableResult
    func sync(_ index: Int) async -> SyncSummary? {
        let device = devices[index]
        guard !device.syncing else { return nil }
        if device.needsLogin {
            await login(index)
            if device.needsLogin { return nil }
        }
        device.syncing = true
        device.interleavedDuringSync = false
        let outcome: Result<SyncSummary, SyncError>
        do {
            outcome = .success(try await device.client.sync())
        } catch {
            outcome = .failure(error)
        }
        device.syncing = false
        if device.crashed {
            trace.record(step, "sync \(device.label) died")
            reopen(index)
            return nil
        }
        switch outcome {
        case .success(let summary):
            trace.record(
                step,
                "sync \(device.label) ok pushed=\(summary.pushed) rejected=\(summary.rejected) sets=\(summary.changeSetsReceived) pages=\(summary.pages)"
            )
            if configuration.checkAfterEverySync, !device.interleavedDuringSync {
                checkDevice(index, when: "after a clean sync", expectEmptyOutbox: true)
            }
            return summary
        case .failure(let error):
            trace.record(step, "sync \(device.label) failed \(Self.kind(error))")
            handle(error, of: index, during: "sync")
            return nil
        }
    }

    /// Signs the user of device `index` in (a new device, an expired or lost session, a locked or
    /// erased replica).
    func login(_ index: Int, initial: Bool = false) async {
        let device = devices[index]
        guard !device.syncing else { return }
        device.syncing = true
        defer { device.syncing = false }
        do {
            try await device.client.login(
                server: SimDevice.serverURL, user: device.user.id, password: device.user.password,
                deviceName: "Equipo simulado \(device.index)"
            )
            device.needsLogin = false
            if !initial { tally.signIns += 1 }
            trace.record(step, "login \(device.label) ok")
        } catch {
            trace.record(step, "login \(device.label) failed \(Self.kind(error))")
            if device.crashed {
                reopen(index)
                return
            }
            handle(error, of: index, during: "login")
        }
    }

    /// What the app does after a failed sync or sign-in.
    private func handle(_ error: SyncError, of index: Int, during what: String) {
        let device = devices[index]
        switch error {
        case .sessionExpired, .notSignedIn, .replica(.locked), .replica(.notSignedIn):
            device.needsLogin = true
        case .deviceErased:
            erased(index)
        case .unreachable:
            break
        case .server(let code, _) where [.internalError, .storageFull, .serviceUnavailable].contains(code):
            break  // a write failure on the server, counted where the server answered
        case .replica(.storage(let detail)) where WriteFaults.caused(detail):
            tally.replicaDiskFaults += 1
        default:
            violations.append("step \(step): \(device.label) \(what) failed unexpectedly: \(Self.kind(error)) — \(error.description)")
        }
        if device.wasErased, !device.crashed { erased(index) }
    }

    /// The replica of device `index` erased itself. Revoked, it must hold nothing. Retired, it
    /// may keep only the actions the server has not received (done while the retirement was on
    /// its way), renumbered for its next life. Then it starts that life with a new client id and
    /// its user signs in again.
    private func erased(_ index: Int) {
        let device = devices[index]
        guard device.wasErased else { return }
        tally.erasures += 1
        let former = SimDevice.clientID(index: index, incarnation: device.incarnation)
        let records = (try? device.replica.allRecords().count) ?? -1
        let kept = (try? device.replica.pendingMutations()) ?? []
        if records != 0 { violations.append("step \(step): \(device.label) erased itself but still holds \(records) records") }
        var carried: [Ledger.Key] = []
        if ledger.revoked.contains(former) {
            if !kept.isEmpty { violations.append("step \(step): \(device.label) was revoked but kept \(kept.count) action(s)") }
        } else {
            tally.retirementsCompleted += 1
            let performed = ledger.lastPerformed[former] ?? 0
            let received = (try? server.store.device(clientID: former)?.lastMutationId) ?? 0
            carried = received < performed ? (received + 1...performed).map { Ledger.Key(client: former, id: $0) } : []
            let expected = carried.compactMap { ledger.performed[$0] }.map(\.name)
            if kept.map(\.name) != expected || kept.map(\.id) != (0..<Int64(kept.count)).map({ $0 + 1 }) {
                violations.append(
                    "step \(step): \(device.label) was retired with \(carried.count) action(s) the server never received "
                        + "(\(expected.joined(separator: ", "))) and kept \(kept.count) (\(kept.map(\.name).joined(separator: ", ")))"
                )
            }
        }
        do {
            try device.startNewLife()
            trace.record(step, "erase \(device.label) -> \(device.clientID) kept=\(kept.count)")
            for (old, mutation) in zip(carried, kept) {
                ledger.carry(old, to: Ledger.Key(client: device.clientID, id: mutation.id), device: index)
            }
        } catch {
            violations.append("step \(step): \(device.label) could not reopen after erasing: \(error)")
        }
    }

    // MARK: Crashes

    /// Device `index`'s app is killed (mid-sync: its request is in flight) and reopened later.
    func crash(_ index: Int, midSync: Bool) {
        let device = devices[index]
        if !midSync, device.syncing { return }
        tally.deviceCrashes += 1
        if midSync {
            tally.deviceCrashesMidSync += 1
            device.crashed = true
            // Nothing more is written by a dead process: freeze the file until it reopens.
            try? WriteFaults.inject(path: device.path, tables: nil)
            trace.record(step, "crash \(device.label) mid-sync")
        } else {
            trace.record(step, "crash \(device.label)")
            reopen(index)
        }
    }

    func reopen(_ index: Int) {
        let device = devices[index]
        do {
            try device.reopen()
            if device.wasErased { erased(index) }
        } catch {
            violations.append("step \(step): \(device.label) could not reopen its replica: \(error)")
        }
    }

    /// The server process dies and starts again from its files.
    func restartServer(reason: String) {
        do {
            try server.restart()
            tally.serverRestarts += 1
            trace.record(step, "server restart (\(reason))")
        } catch {
            violations.append("step \(step): the server could not restart: \(error)")
        }
    }

    /// Write failures start on the server's database or a replica's, for a few steps.
    private func toggleDiskFault() {
        let ends = step + random.int(in: 3...15)
        if random.chance(0.4) {
            guard !server.diskFault else { return }
            let table = random.pick(Self.serverFaultTables)
            do {
                try WriteFaults.inject(path: server.databasePath, tables: [table])
                server.diskFault = true
                server.diskFaultEnds = ends
                trace.record(step, "disk server failing on \(table) until step \(ends)")
            } catch {
                trace.record(step, "disk server unchanged")
            }
        } else {
            let device = random.pick(devices)
            guard !device.crashed, !device.diskFault else { return }
            let table = random.pick(Self.replicaFaultTables)
            do {
                try WriteFaults.inject(path: device.path, tables: [table])
                device.diskFault = true
                device.diskFaultEnds = ends
                trace.record(step, "disk \(device.label) failing on \(table) until step \(ends)")
            } catch {
                trace.record(step, "disk \(device.label) unchanged")
            }
        }
    }

    /// The planned write failure: the server fails to record mutation results until a request
    /// meets it.
    private func armWriteFailure() {
        guard tally.serverDiskFaults + tally.replicaDiskFaults == 0 else { return }
        if server.diskFault {
            server.diskFaultEnds = Int.max
        } else {
            guard (try? WriteFaults.inject(path: server.databasePath, tables: ["mutation_results"])) != nil else { return }
            server.diskFault = true
            server.diskFaultEnds = Int.max
        }
        writeFailureArmed = true
        trace.record(step, "disk server failing on mutation_results until a write fails")
    }

    /// Partitions and write failures whose time is up end.
    private func endExpiredFaults() {
        if writeFailureArmed, tally.serverDiskFaults > 0 {
            writeFailureArmed = false
            server.diskFaultEnds = step
        }
        for device in devices {
            if device.partitioned, device.partitionEnds <= step {
                device.partitioned = false
                trace.record(step, "net \(device.label) reconnected")
            }
            if device.diskFault, device.diskFaultEnds <= step, !device.crashed {
                if (try? WriteFaults.clear(path: device.path)) != nil {
                    device.diskFault = false
                    trace.record(step, "disk \(device.label) healthy")
                }
            }
        }
        if server.diskFault, server.diskFaultEnds <= step, (try? WriteFaults.clear(path: server.databasePath)) != nil {
            server.diskFault = false
            trace.record(step, "disk server healthy")
        }
    }

    static let serverFaultTables = ["change_sets", "mutation_results", "audit_log", "records", "tokens", "changes"]
    static let replicaFaultTables = ["outbox", "replica_meta", "records", "rejections", "shadows"]

    // MARK: Healing

    /// The network heals: held requests arrive, faults stop, and every device syncs until a
    /// whole round moves nothing.
    func heal() async {
        healing = true
        rates = .none
        armedReplyLoss = false
        armedCrashAfterCommit = false
        trace.record(step, "heal")
        deliverDelayed(all: true)
        if server.diskFault {
            try? WriteFaults.clear(path: server.databasePath)
            server.diskFault = false
        }
        for device in devices {
            device.partitioned = false
            if device.diskFault {
                try? WriteFaults.clear(path: device.path)
                device.diskFault = false
            }
        }
        var quiet = false
        for round in 1...10 where !quiet {
            quiet = true
            for device in devices {
                if device.needsLogin { await login(device.index) }
                guard let summary = await sync(device.index) else {
                    quiet = false
                    continue
                }
                if summary.pushed + summary.rejected > 0 || summary.changeSetsReceived > 0 { quiet = false }
            }
            if await rogueFlush() { quiet = false }
            trace.record(step, "heal round \(round) \(quiet ? "quiet" : "moving")")
        }
        if !quiet { violations.append("the devices did not converge within 10 sync rounds after the network healed") }
    }

    // MARK: Helpers

    /// A stable name for an error, for the trace (no paths, ids or times).
    static func kind(_ error: any Error) -> String {
        switch error {
        case let error as SyncError:
            switch error {
            case .notSignedIn: return "not_signed_in"
            case .sessionExpired: return "session_expired"
            case .incompatibleServer: return "incompatible_server"
            case .server(let code, _): return "server:\(code.rawValue)"
            case .unknownServerError(let status, _): return "unknown:\(status)"
            case .unreachable: return "unreachable"
            case .invalidResponse: return "invalid_response"
            case .replica(let replica): return "replica:\(kind(replica))"
            case .deviceErased: return "erased"
            }
        case let error as ReplicaError:
            switch error {
            case .notADatabase: return "not_a_database"
            case .notAReplica: return "not_a_replica"
            case .newerVersion: return "newer_version"
            case .notSignedIn: return "not_signed_in"
            case .belongsToAnotherUser: return "another_user"
            case .diskFull: return "disk_full"
            case .locked: return "locked"
            case .unknownMutation: return "unknown_mutation"
            case .storage(let detail): return WriteFaults.caused(detail) ? "write_failure" : "storage"
            }
        case let rejection as MutationRejection:
            return rejection.code
        default:
            return "error"
        }
    }
}

/// A failure of the simulation harness itself (not of the engine under test).
struct SimulationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
