import Foundation
import GestionClient
import GestionSQLite
import GestionSimulation
import Mediacion
import Synchronization
import SyncCore

/// A load run: the real `gestion-server` on a loopback port, many devices (each a real replica
/// file with its `SyncClient` over HTTP) doing their users' work for a bounded time, some losing
/// the network and coming back with a queue; then every device drains its outbox, the server
/// stops, and the end is reconciled (`Reconciliation`).
public enum LoadRun {
    /// Runs the load and returns its report. Throws only when the run itself cannot proceed
    /// (the server does not start, an admin command fails); failed checks are in the report.
    public static func run(_ configuration: LoadConfiguration) async throws -> LoadReport {
        let directory = configuration.workDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("gestion-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let engine = Engine(configuration: configuration, directory: directory)
        var report = try await engine.run()
        if configuration.keepFiles || !report.passed {
            report.keptDirectory = directory.path
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
        return report
    }
}

/// Counters shared by the devices' tasks.
struct RunCounters: Sendable {
    var performed: [PerformedMutation] = []
    var refusedOnDevice = 0
    var syncs = 0
    var failedSyncs = 0
    var failures: [String: Int] = [:]
    var offlineAttempts = 0
    var wentOffline = 0
    var largestQueueOnReturn = 0
    var syncsByDevice: [Int: Int] = [:]
}

final class Engine: Sendable {
    let configuration: LoadConfiguration
    let directory: URL
    let population: LoadPopulation
    let server: ServerProcess
    let latencies = LatencyLog()
    /// Plain threads for the users' actions, or nil to run them on Swift's cooperative pool.
    let threads: DeviceThreads?
    let counters = Mutex(RunCounters())

    init(configuration: LoadConfiguration, directory: URL) {
        self.configuration = configuration
        self.directory = directory
        population = LoadPopulation(devices: configuration.devices)
        threads = configuration.deviceThreads > 0 ? DeviceThreads(threads: configuration.deviceThreads) : nil
        server = ServerProcess(
            binary: configuration.serverBinary, dataDirectory: directory.appendingPathComponent("server-data"),
            logFile: directory.appendingPathComponent("server.log")
        )
    }

    func say(_ line: String) { configuration.progress(line) }

    func run() async throws -> LoadReport {
        defer { threads?.shutdown() }
        var report = LoadReport()
        report.devices = configuration.devices
        report.seconds = configuration.seconds
        report.accounts = population.accounts.count
        for user in population.users { report.roles[user.role.rawValue, default: 0] += 1 }

        let setupStarted = ContinuousClock.now
        try prepareServer()
        try server.start()
        say("server listening on \(server.url.absoluteString) after \(String(format: "%.1f", Self.seconds(since: setupStarted))) s of setup")
        let devices = try await prepareDevices()
        report.setupSeconds = Self.seconds(since: setupStarted)
        say("setup done in \(String(format: "%.1f", report.setupSeconds)) s: \(devices.count) devices signed in")

        // The load.
        let logOffset = (try? FileManager.default.attributesOfItem(atPath: server.logFile.path)[.size] as? Int) ?? 0
        let loadStarted = ContinuousClock.now
        let deadline = loadStarted + .milliseconds(Int64(configuration.seconds * 1000))
        let killer = configuration.killEvery.map { interval in
            Task { await killRepeatedly(every: interval, until: deadline) }
        }
        let reporter = Task { await reportProgress(until: deadline, started: loadStarted) }
        await withTaskGroup(of: Void.self) { group in
            for device in devices {
                group.addTask { await self.work(device, started: loadStarted, deadline: deadline) }
            }
        }
        report.serverKills = await killer?.value ?? 0
        reporter.cancel()
        report.elapsed = Self.seconds(since: loadStarted)
        let logEnd = (try? FileManager.default.attributesOfItem(atPath: server.logFile.path)[.size] as? Int) ?? 0
        for device in devices { device.network.stopTiming() }

        // The end: everyone back online, drain, then sync until nothing moves.
        let drainStarted = ContinuousClock.now
        say("load over after \(String(format: "%.1f", report.elapsed)) s; draining the outboxes")
        if !server.isRunning { try server.start() }
        for device in devices { device.network.setOffline(false) }
        await drain(devices)
        await syncUntilNothingMoves(devices)
        report.drainSeconds = Self.seconds(since: drainStarted)
        report.serverExitStatus = server.stop()

        let snapshot = counters.withLock { $0 }
        report.performed = snapshot.performed.count
        report.refusedOnDevice = snapshot.refusedOnDevice
        report.syncs = snapshot.syncs
        report.failedSyncs = snapshot.failedSyncs
        report.failures = snapshot.failures
        report.offlineAttempts = snapshot.offlineAttempts
        report.wentOffline = snapshot.wentOffline
        report.largestQueueOnReturn = snapshot.largestQueueOnReturn
        report.fewestSyncsOfADevice = devices.map { snapshot.syncsByDevice[$0.index] ?? 0 }.min() ?? 0
        let samples = latencies.freeze()
        report.push = LatencySummary(samples[.push] ?? [])
        report.pull = LatencySummary(samples[.pull] ?? [])
        report.sync = LatencySummary(samples[.sync] ?? [])
        let serverSide = ServerLog.requests(in: server.logFile, from: logOffset, to: logEnd)
        report.serverPush = LatencySummary(serverSide.push)
        report.serverPull = LatencySummary(serverSide.pull)
        report.requests = serverSide.count

        say("reconciling \(report.performed) mutations and \(devices.count) replicas with the server's database")
        var replicas: [ReplicaState] = []
        for device in devices {
            device.replica.close()
            replicas.append(try ReplicaState.load(path: device.replica.path, label: device.label, user: device.user.id))
        }
        let history = try ServerHistory.load(databasePath: server.databasePath)
        report.reconciliation = Reconciliation.check(performed: snapshot.performed, history: history, replicas: replicas)
        return report
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    // MARK: Setup

    /// The administrator, one user per device, and the assignment, through `gestion-server admin`.
    func prepareServer() throws {
        say("creating \(population.users.count) users and importing \(population.accounts.count) accounts")
        try server.admin(
            ["user", "add", "--user", ServerProcess.administrator, "--role", "admin", "--password-stdin"],
            stdin: ServerProcess.administratorPassword + "\n"
        )
        let users = population.users
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in stride(from: worker, to: users.count, by: 4) where failure.withLock({ $0 == nil }) {
                let user = users[index]
                do {
                    try server.admin(
                        ["user", "add", "--user", user.id, "--role", user.role.rawValue, "--password-stdin"]
                            + (user.unit.map { ["--unidad", $0] } ?? []),
                        stdin: user.password + "\n"
                    )
                } catch {
                    failure.withLock { $0 = error }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        // The import refuses an assignment dated after its own day: date it yesterday in Mexico City.
        let fecha = CalendarioMX.fecha(Date()).adding(days: -1).description
        let file = directory.appendingPathComponent("asignacion.csv")
        try population.assignmentCSV(fechaAsignacion: fecha).write(to: file, atomically: true, encoding: .utf8)
        try server.admin(["import-assignment", file.path])
    }

    /// Every device signs in; the first agency device registers the mediators and two
    /// representatives, and the agency's devices sync, so that the agency can distribute.
    func prepareDevices() async throws -> [LoadDevice] {
        let devicesDirectory = directory.appendingPathComponent("devices")
        try FileManager.default.createDirectory(at: devicesDirectory, withIntermediateDirectories: true)
        let devices = try population.users.enumerated().map { index, user in
            try LoadDevice(
                index: index, user: user, directory: devicesDirectory, latencies: latencies, requestTimeout: configuration.requestTimeout
            )
        }
        for device in devices { device.network.stopTiming() }
        let url = server.url
        try await forEach(devices) { device in
            try await device.client.login(
                server: url, user: device.user.id, password: device.user.password, deviceName: "Equipo de carga \(device.index)"
            )
        }
        say("\(devices.count) devices signed in")
        guard let agencia = devices.first(where: { $0.user.role == .agencia }) else { throw LoadError("no agency device") }
        try await agencia.client.sync()
        for (n, mediador) in population.mediadores.enumerated() {
            try agencia.replica.perform(
                RegistrarMediador.name,
                Self.encode(
                    RegistrarMediador(
                        usuario: mediador.id, nombre: "Mediador Ficticio \(n + 1)", numeroLicencia: "LIC-\(5000 + n)",
                        certificado: n % 3 != 1, numeroCertificado: n % 3 != 1 ? "CERT-\(n + 1)" : nil, notario: n % 2 == 1
                    )
                )
            )
        }
        for (clave, poderes) in [("REP-1", true), ("REP-2", false)] {
            try agencia.replica.perform(
                RegistrarRepresentante.name,
                Self.encode(
                    RegistrarRepresentante(
                        clave: clave, nombre: "Representante \(clave)", correoElectronico: "\(clave.lowercased())@example.com",
                        poderesLegales: poderes, instrumentoPoderes: poderes ? "Escritura 123" : nil
                    )
                )
            )
        }
        let registered = try agencia.replica.pendingMutations()
        try await agencia.client.sync()
        counters.withLock { counters in
            for mutation in registered {
                counters.performed.append(PerformedMutation(key: MutationKey(client: agencia.clientID, id: mutation.id), name: mutation.name))
            }
        }
        // The other agency devices learn the mediators now; everyone else downloads its scope
        // when its app opens, at the start of the load.
        try await forEach(devices.filter { $0.user.role == .agencia }) { device in try await device.client.sync() }
        for device in devices { device.network.resumeTiming() }
        return devices
    }

    static func encode(_ mutation: some Mutation) throws -> JSONObject {
        try JSONValueEncoder().encode(mutation).objectValue ?? [:]
    }

    /// Runs `body` for every device, `setupConcurrency` at a time; rethrows the first failure.
    func forEach(_ devices: [LoadDevice], _ body: @escaping @Sendable (LoadDevice) async throws -> Void) async throws {
        let width = max(1, configuration.setupConcurrency)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(width, devices.count) {
                let device = devices[next]
                group.addTask { try await body(device) }
                next += 1
            }
            while try await group.next() != nil {
                if next < devices.count {
                    let device = devices[next]
                    group.addTask { try await body(device) }
                    next += 1
                }
            }
        }
    }

    // MARK: The load

    /// One user's work until `deadline`: think, act as its role does, sync now and then; a field
    /// device may lose the network for a while and keep working offline.
    func work(_ device: LoadDevice, started: ContinuousClock.Instant, deadline: ContinuousClock.Instant) async {
        var random = SimRandom(seed: configuration.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(device.index))
        let seconds = configuration.seconds
        var offlineWindow: ClosedRange<Double>?
        if device.isFieldDevice, random.chance(configuration.offlineShare) {
            let start = random.double(in: 0.05...0.55) * seconds
            offlineWindow = start...(start + random.double(in: 0.2...0.4) * seconds)
        }
        // The app syncs when it opens (before any spell offline): the morning's burst.
        await sync(device)
        var nextSync = random.double(in: 0.2...1.0) * configuration.syncInterval
        while ContinuousClock.now < deadline {
            let think = ContinuousClock.now + .milliseconds(Int64(random.double(in: 0.25...2.0) * configuration.thinkTime * 1000))
            try? await Task.sleep(until: min(think, deadline))
            guard ContinuousClock.now < deadline else { break }
            let elapsed = Engine.seconds(since: started)
            let offline = offlineWindow?.contains(elapsed) ?? false
            if offline != device.network.isOffline {
                device.network.setOffline(offline)
                if offline {
                    counters.withLock { $0.wentOffline += 1 }
                } else {
                    let queue = (try? device.replica.status().pendingCount) ?? 0
                    counters.withLock { $0.largestQueueOnReturn = max($0.largestQueueOnReturn, queue) }
                    await sync(device)
                    nextSync = elapsed + random.double(in: 0.5...1.5) * configuration.syncInterval
                }
            }
            if let threads {
                random = await threads.run { [random] in
                    var chooser = random
                    self.act(device, random: &chooser)
                    return chooser
                }
            } else {
                act(device, random: &random)
            }
            if random.chance(device.syncAfterAction) || elapsed >= nextSync {
                await sync(device)
                nextSync = Engine.seconds(since: started) + random.double(in: 0.5...1.5) * configuration.syncInterval
            }
        }
    }

    /// The user's next action, performed on the replica and recorded.
    func act(_ device: LoadDevice, random: inout SimRandom) {
        let action: RoleWorkload.Action?
        do {
            action = try RoleWorkload.next(
                user: device.user.id, role: device.user.role, unit: device.user.unit, replica: device.replica, now: Date(),
                random: &random
            )
        } catch {
            counters.withLock { $0.failures["replica read: \(error)", default: 0] += 1 }
            return
        }
        guard let action else { return }
        do {
            let id = try device.replica.perform(action.name, action.arguments)
            let key = MutationKey(client: device.clientID, id: id)
            counters.withLock { $0.performed.append(PerformedMutation(key: key, name: action.name)) }
        } catch is MutationRejection {
            counters.withLock { $0.refusedOnDevice += 1 }
        } catch ReplicaError.unknownMutation {
            // An action this app version does not know (the workload tries one now and then).
            counters.withLock { $0.refusedOnDevice += 1 }
        } catch {
            counters.withLock { $0.failures["perform: \(error)", default: 0] += 1 }
        }
    }

    /// One sync, timed; failures are counted (offline attempts apart).
    @discardableResult
    func sync(_ device: LoadDevice) async -> Bool {
        let started = ContinuousClock.now
        do {
            try await device.client.sync()
            let timing = device.network.isTiming
            if timing { latencies.record(.sync, milliseconds: Engine.seconds(since: started) * 1000) }
            counters.withLock { counters in
                if timing {
                    counters.syncs += 1
                    counters.syncsByDevice[device.index, default: 0] += 1
                }
            }
            return true
        } catch {
            let offline = device.network.isOffline
            counters.withLock { counters in
                if offline {
                    counters.offlineAttempts += 1
                } else if device.network.isTiming {
                    counters.failedSyncs += 1
                    counters.failures[Self.kind(error), default: 0] += 1
                }
            }
            return false
        }
    }

    /// A short name for a sync failure, for the report.
    static func kind(_ error: SyncError) -> String {
        switch error {
        case .notSignedIn: "not signed in"
        case .sessionExpired: "session expired"
        case .incompatibleServer: "incompatible server"
        case .server(let code, _): "server \(code.rawValue)"
        case .unknownServerError(let status, _): "HTTP \(status)"
        case .unreachable: "unreachable"
        case .invalidResponse: "invalid response"
        case .replica(let error): "replica: \(error)"
        case .deviceErased: "device erased"
        }
    }

    /// SIGKILL the server every `interval` seconds and start it again, until `deadline`.
    func killRepeatedly(every interval: Double, until deadline: ContinuousClock.Instant) async -> Int {
        var kills = 0
        while ContinuousClock.now + .milliseconds(Int64(interval * 1000)) < deadline {
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            server.kill()
            kills += 1
            say("server killed (\(kills)); starting it again")
            do {
                try server.start()
            } catch {
                say("the server did not start again: \(error)")
                return kills
            }
        }
        return kills
    }

    /// A progress line every ten seconds.
    func reportProgress(until deadline: ContinuousClock.Instant, started: ContinuousClock.Instant) async {
        while ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .seconds(10))
            guard !Task.isCancelled else { return }
            let (performed, syncs) = counters.withLock { ($0.performed.count, $0.syncs) }
            say(String(format: "%5.0f s: %d mutations performed, %d syncs", Engine.seconds(since: started), performed, syncs))
        }
    }

    // MARK: The end

    /// Every device syncs until its outbox is empty (a few attempts each).
    func drain(_ devices: [LoadDevice]) async {
        try? await forEach(devices) { device in
            for attempt in 0..<20 {
                if await self.sync(device), (try? device.replica.status().pendingCount) == 0 { return }
                try? await Task.sleep(for: .milliseconds(100 * (attempt + 1)))
            }
            self.say("\(device.label) could not empty its outbox")
        }
    }

    /// Rounds of a sync of every device until a whole round changes nothing on the server (the
    /// server's sweep may write at any time), at most five.
    func syncUntilNothingMoves(_ devices: [LoadDevice]) async {
        for _ in 0..<5 {
            let before = latestVersion()
            try? await forEach(devices) { device in
                for attempt in 0..<5 {
                    if await self.sync(device) { return }
                    try? await Task.sleep(for: .milliseconds(200 * (attempt + 1)))
                }
            }
            if before == latestVersion() { return }
        }
    }

    /// The server's latest version, read from its database file while it runs.
    func latestVersion() -> Int64 {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        guard let db = try? Connection(path: server.databasePath, configuration: configuration) else { return -1 }
        defer { db.close() }
        return (try? db.queryScalar("SELECT COALESCE(MAX(version), 0) FROM change_sets"))?.int64 ?? -1
    }
}

/// The server's own timings, from its `http.request` log lines.
enum ServerLog {
    static func requests(in file: URL, from start: Int, to end: Int) -> (push: [Double], pull: [Double], count: Int) {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return ([], [], 0) }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(start))
        let data = (try? handle.read(upToCount: max(0, end - start))) ?? Data()
        var push: [Double] = []
        var pull: [Double] = []
        var count = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.contains("event=http.request") {
            count += 1
            var path: Substring = ""
            var duration: Double?
            for field in line.split(separator: " ") {
                if field.hasPrefix("path=") { path = field.dropFirst(5) }
                if field.hasPrefix("duration_ms=") { duration = Double(field.dropFirst(12)) }
            }
            guard let duration else { continue }
            if path == "/sync/push" { push.append(duration) }
            if path == "/sync/pull" { pull.append(duration) }
        }
        return (push, pull, count)
    }
}
