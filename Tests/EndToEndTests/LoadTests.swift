import Foundation
import GestionLoad
import GestionSQLite
import SyncCore
import Testing

/// Issue 6, part 4: 200 devices against the real server process on loopback for a bounded time,
/// then the reconciliation: nothing lost, nothing doubled, every replica equal to the server's
/// view of its scope (docs/reliability.md §8). `gestion-load` runs the same engine for longer.
@Suite(.serialized) struct LoadTests {
    @Test func twoHundredDevicesLoseNothingDoubleNothingAndConverge() throws {
        // The run is its own process (gestion-load and the server it starts) at the lowest
        // priority: in this process its 200 devices would crowd Swift's cooperative pool, and at
        // normal priority the other suites running beside it, which time their own servers.
        let directory = TemporaryDirectory("load")
        let runDirectory = directory.url.appendingPathComponent("run")
        let load = Products.directory.appendingPathComponent("gestion-load")
        let arguments = ["--devices", "200", "--seconds", "15", "--data-dir", runDirectory.path, "--json", "--quiet"]
        let nice = URL(fileURLWithPath: "/usr/bin/nice")
        let result = FileManager.default.isExecutableFile(atPath: nice.path)
            ? try runProcess(nice, ["-n", "19", load.path] + arguments) : try runProcess(load, arguments)
        #expect(result.status == 0, "gestion-load failed: \(result.stdout) \(result.stderr.suffix(2000))")
        let report = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        func figure(_ name: String) -> Int64 { report[name]?.int64Value ?? -1 }
        #expect(figure("lost") == 0 && figure("doubled") == 0, "\(result.stdout)")
        #expect(figure("unexpected") == 0 && figure("numbering") == 0, "\(result.stdout)")
        #expect(figure("divergent") == 0, "\(result.stdout)")
        #expect(figure("serverExitStatus") == 0, "the server stops cleanly on SIGTERM")

        // Real work happened: every device synced during the load, the users did something,
        // some of it went through the server's rules, and phones lost the network. (Floors a
        // loaded 2-core CI machine clears at the lowest priority: an idle one does far more.)
        #expect(figure("fewestSyncsOfADevice") >= 1, "every device synced at least once during the load")
        #expect(figure("performed") >= 100, "\(figure("performed")) mutations in 15 s of 200 users")
        #expect(figure("accepted") >= 50 && figure("rejected") >= 1, "\(result.stdout)")
        #expect(figure("wentOffline") >= 1, "\(result.stdout)")
        #expect(figure("pushes") >= 20 && figure("serverPushes") >= 20, "\(result.stdout)")

        // The same reconciliation, on the run's own files with one record taken away or added,
        // must fail: it can see what it is there to see.
        let database = runDirectory.appendingPathComponent("server-data/server.sqlite").path
        let history = try ServerHistory.load(databasePath: database)
        let replicas = try (0..<200).map { index in
            try ReplicaState.load(
                path: runDirectory.appendingPathComponent("devices/device-\(index).sqlite").path, label: "d\(index)",
                user: LoadPopulation(devices: 200).users[index].id
            )
        }
        let performed = try performedMutations(database: database, clients: Set(replicas.map(\.clientID)))
        #expect(Int64(performed.count) == figure("performed"), "the server holds exactly the mutations the devices performed")
        #expect(Reconciliation.check(performed: performed, history: history, replicas: replicas).holds)

        let victim = try #require(history.results.first { $0.version != nil && performed.contains(PerformedMutation(key: $0.key, name: $0.name)) })
        var dropped = history
        dropped.results.removeAll { $0.key == victim.key }
        #expect(Reconciliation.check(performed: performed, history: dropped, replicas: replicas).lost == [victim.key])

        var twice = history
        twice.changeSets.append((version: Int64.max, key: victim.key))
        #expect(Reconciliation.check(performed: performed, history: twice, replicas: replicas).doubled == [victim.key])

        var changed = replicas
        let index = try #require(changed.firstIndex { !$0.records.isEmpty })
        let record = try #require(changed[index].records.keys.sorted().first)
        changed[index].records[record] = .some(.string("changed"))
        #expect(Reconciliation.check(performed: performed, history: history, replicas: changed).divergent.keys.sorted() == [changed[index].label])
    }

    /// Each kind of failure the reconciliation exists to find, on a made-up history.
    @Test func theReconciliationFindsALostADoubledAnUnexpectedAndADivergentMutation() {
        let a = MutationKey(client: "equipo-a", id: 1)
        let b = MutationKey(client: "equipo-a", id: 2)
        let performed = [PerformedMutation(key: a, name: "registrarAceptacion"), PerformedMutation(key: b, name: "registrarAvisoPrivacidad")]
        var history = ServerHistory()
        history.results = [
            .init(key: a, name: "registrarAceptacion", applied: true, version: 10),
            .init(key: b, name: "registrarAvisoPrivacidad", applied: false, version: nil),
        ]
        history.changeSets = [(version: 10, key: a)]
        history.lastMutationID = ["equipo-a": 2]
        let replica = ReplicaState(label: "d0", user: "nadie", clientID: "equipo-a", records: [:], pending: 0)

        let clean = Reconciliation.check(performed: performed, history: history, replicas: [replica])
        #expect(clean.holds)
        #expect(clean.accepted == 1 && clean.rejected == 1 && clean.performed == 2)

        var lost = history
        lost.results.removeLast()
        lost.lastMutationID["equipo-a"] = 1
        let lostCheck = Reconciliation.check(performed: performed, history: lost, replicas: [replica])
        #expect(lostCheck.lost == [b] && !lostCheck.holds)
        #expect(lostCheck.numbering.count == 1, "the server's number stops short of what the device performed")

        var doubledChangeSet = history
        doubledChangeSet.changeSets.append((version: 11, key: a))
        #expect(Reconciliation.check(performed: performed, history: doubledChangeSet, replicas: [replica]).doubled == [a])

        var doubledResult = history
        doubledResult.results.append(.init(key: b, name: "registrarAvisoPrivacidad", applied: false, version: nil))
        #expect(Reconciliation.check(performed: performed, history: doubledResult, replicas: [replica]).doubled == [b])

        var rejectedWithAChangeSet = history
        rejectedWithAChangeSet.changeSets.append((version: 12, key: b))
        #expect(Reconciliation.check(performed: performed, history: rejectedWithAChangeSet, replicas: [replica]).doubled == [b])

        var phantom = history
        phantom.results.append(.init(key: MutationKey(client: "equipo-a", id: 3), name: "registrarAceptacion", applied: true, version: nil))
        #expect(Reconciliation.check(performed: performed, history: phantom, replicas: [replica]).unexpected.count == 1)

        let stale = ReplicaState(
            label: "d0", user: "nadie", clientID: "equipo-a", records: [RecordKey("casos", "4000000001"): .some(.object([:]))], pending: 1
        )
        let divergent = Reconciliation.check(performed: performed, history: history, replicas: [stale])
        #expect(divergent.divergent["d0"]?.count == 2, "a queue left over and a record the server does not send")
    }

    /// `gestion-load --help` explains itself; a bad option is a usage error (64), before anything
    /// starts.
    @Test func theLoadCommandExplainsItselfAndRefusesBadOptions() throws {
        let binary = Products.directory.appendingPathComponent("gestion-load")
        let help = try runProcess(binary, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("OVERVIEW:") && help.stdout.contains("--devices <n>") && help.stdout.contains("--kill-every <s>"))
        for arguments in [["--devices", "1"], ["--seconds", "soon"], ["--offline-share", "2"], ["--server-binary", "/nonexistent/gestion-server"]] {
            let result = try runProcess(binary, arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("--help"), "\(arguments) points to --help")
        }
    }

    /// The devices' mutations as the server stored them (for the broken-reconciliation checks).
    func performedMutations(database: String, clients: Set<String>) throws -> [PerformedMutation] {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        let db = try Connection(path: database, configuration: configuration)
        defer { db.close() }
        return try db.query("SELECT client_id, mutation_id, name FROM mutation_results ORDER BY 1, 2").compactMap { row in
            let client = row.string(at: 0) ?? ""
            guard clients.contains(client) else { return nil }
            return PerformedMutation(key: MutationKey(client: client, id: row.int64(at: 1) ?? 0), name: row.string(at: 2) ?? "")
        }
    }
}
