import Foundation
import GestionClient
import GestionCrypto
import GestionProtocol
import GestionServer
import GestionSQLite
import Mediacion
import SyncCore

/// The invariants of a run, checked against the server's and the replicas' files and the
/// simulation's own ledger. Each failure is one line naming what broke, where.
extension Simulation {
    /// Most lines one check reports, so that a broken run stays readable.
    static let maxReported = 8

    // MARK: One device against the server

    /// Device `index` holds exactly the server's records of its user's scope: nothing missing,
    /// nothing outside its scope, no body that differs. After a clean sync its outbox is empty
    /// and nothing waits to be evicted.
    func checkDevice(_ index: Int, when: String, expectEmptyOutbox: Bool) {
        let device = devices[index]
        comparisons += 1
        do {
            guard let user = try server.store.user(id: device.user.id) else {
                violations.append("\(when): the user of \(device.label) is missing on the server")
                return
            }
            let expected = try server.store.records(visibleTo: PullAudience(user: user.profile, policy: Mediacion.registry.replication))
            let actual = try device.replica.allRecords()
            let pending = try device.replica.pendingMutations()
            var problems: [String] = []
            if expectEmptyOutbox, !pending.isEmpty {
                problems.append("\(pending.count) action(s) still in the outbox (first #\(pending[0].id) \(pending[0].name))")
            }
            let bookkeeping = try replicaBookkeeping(device.path)
            if pending.isEmpty, bookkeeping.shadows + bookkeeping.pendingEvictions > 0 {
                problems.append("\(bookkeeping.shadows) shadow(s) and \(bookkeeping.pendingEvictions) eviction(s) left over")
            }
            let touched = pending.isEmpty ? [] : bookkeeping.touched
            for key in Set(expected.keys).union(actual.keys).sorted() where !touched.contains(key) {
                switch (expected[key], actual[key]) {
                case (nil, _?): problems.append("holds \(key), outside its scope or deleted on the server")
                case (_?, nil): problems.append("lacks \(key)")
                case (let server?, let local?) where server != local: problems.append("differs on \(key)")
                default: break
                }
            }
            for problem in problems.prefix(Self.maxReported) {
                violations.append("step \(step), \(when): \(device.label) (\(device.user.id), \(device.clientID)) \(problem)")
            }
            if problems.count > Self.maxReported {
                violations.append("step \(step), \(when): \(device.label): \(problems.count - Self.maxReported) more differences")
            }
        } catch {
            violations.append("step \(step), \(when): cannot compare \(device.label) with the server: \(error)")
        }
    }

    struct Bookkeeping {
        var shadows = 0
        var pendingEvictions = 0
        var touched: Set<RecordKey> = []
    }

    func replicaBookkeeping(_ path: String) throws -> Bookkeeping {
        let db = try Self.openReadOnly(path)
        defer { db.close() }
        var result = Bookkeeping()
        result.shadows = try db.queryScalar("SELECT COUNT(*) FROM shadows")?.int ?? 0
        result.pendingEvictions = try db.queryScalar("SELECT COUNT(*) FROM pending_evictions")?.int ?? 0
        for row in try db.query("SELECT collection, id FROM outbox_touches") {
            result.touched.insert(RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? ""))
        }
        return result
    }

    static func openReadOnly(_ path: String) throws -> Connection {
        var configuration = Connection.Configuration()
        configuration.readOnly = true
        return try Connection(path: path, configuration: configuration)
    }

    // MARK: The end of a run

    func checkInvariants() {
        trace.record(step, "check")
        for device in devices {
            if device.needsLogin || device.crashed {
                violations.append("after healing: \(device.label) is not signed in and synced")
                continue
            }
            checkDevice(device.index, when: "after healing", expectEmptyOutbox: true)
        }
        do {
            let db = try Self.openReadOnly(server.databasePath)
            defer { db.close() }
            try checkAudit(db)
            try checkExactlyOnce(db)
            try checkNothingLost(db)
            try checkRejectionsReachedTheirDevices(db)
            try checkWorkflow(db)
            try checkRevokedDevicesStopped(db)
            try checkRogue(db)
            tally.implausibleTimes = max(
                tally.implausibleTimes,
                try db.queryScalar(
                    "SELECT COUNT(*) FROM records WHERE collection = 'historial' AND json_extract(body, '$.notaHora') IS NOT NULL"
                )?.int ?? 0
            )
        } catch {
            violations.append("the server's database could not be checked: \(error)")
        }
    }

    /// The audit trail's chain is intact, and it has one entry per processed mutation.
    private func checkAudit(_ db: Connection) throws {
        let verification = try server.store.verifyAudit()
        if !verification.isIntact {
            violations.append("the audit chain is broken at entry \(verification.firstBroken ?? 0): \(verification.problem ?? "")")
        }
        let audited = try db.queryScalar("SELECT COUNT(*) FROM audit_log WHERE kind = 'mutation'")?.int64 ?? -1
        let processed = try db.queryScalar("SELECT COUNT(*) FROM mutation_results")?.int64 ?? -2
        if audited != processed {
            violations.append("the audit trail has \(audited) mutation entries for \(processed) processed mutations")
        }
    }

    /// Each mutation was processed once: one stored result, at most one change-set (exactly one
    /// when its result names a version, and that change-set is its own), and each client's
    /// numbers run 1, 2, 3… without a hole up to the server's `last_mutation_id`.
    private func checkExactlyOnce(_ db: Connection) throws {
        var problems: [String] = []
        for row in try db.query(
            "SELECT client_id, mutation_id, COUNT(*) FROM change_sets GROUP BY client_id, mutation_id HAVING COUNT(*) > 1 ORDER BY 1, 2"
        ) {
            problems.append("\(row.string(at: 0) ?? "")#\(row.int64(at: 1) ?? 0) has \(row.int64(at: 2) ?? 0) change-sets")
        }
        for row in try db.query(
            """
            SELECT r.client_id, r.mutation_id, r.version, cs.client_id, cs.mutation_id FROM mutation_results r
            LEFT JOIN change_sets cs ON cs.version = r.version
            WHERE r.version IS NOT NULL AND (cs.version IS NULL OR cs.client_id <> r.client_id OR cs.mutation_id <> r.mutation_id)
            ORDER BY 1, 2
            """
        ) {
            problems.append("\(row.string(at: 0) ?? "")#\(row.int64(at: 1) ?? 0) names version \(row.int64(at: 2) ?? 0), which is not its own")
        }
        for row in try db.query(
            """
            SELECT cs.client_id, cs.mutation_id, cs.version FROM change_sets cs
            LEFT JOIN mutation_results r ON r.client_id = cs.client_id AND r.mutation_id = cs.mutation_id
            WHERE r.version IS NULL OR r.version <> cs.version ORDER BY 1, 2
            """
        ) {
            problems.append(
                "version \(row.int64(at: 2) ?? 0) belongs to \(row.string(at: 0) ?? "")#\(row.int64(at: 1) ?? 0), whose result does not name it"
            )
        }
        for row in try db.query(
            """
            SELECT c.client_id, c.last_mutation_id, COUNT(r.mutation_id), COALESCE(MIN(r.mutation_id), 0), COALESCE(MAX(r.mutation_id), 0)
            FROM clients c LEFT JOIN mutation_results r ON r.client_id = c.client_id
            GROUP BY c.client_id ORDER BY c.client_id
            """
        ) {
            let last = row.int64(at: 1) ?? 0
            let count = row.int64(at: 2) ?? 0
            let first = row.int64(at: 3) ?? 0
            let highest = row.int64(at: 4) ?? 0
            if count != last || highest != last || (count > 0 && first != 1) {
                problems.append(
                    "\(row.string(at: 0) ?? ""): last_mutation_id \(last) but \(count) results numbered \(first)…\(highest)"
                )
            }
        }
        report(problems, "exactly once")
    }

    /// Nothing acknowledged is lost, and nothing a device performed is lost unless the device was
    /// revoked: every such mutation is on the server, under its number, with its name and
    /// arguments; every result a device or the network saw is the one stored.
    private func checkNothingLost(_ db: Connection) throws {
        var stored: [Ledger.Key: (name: String, args: String, result: MutationResult)] = [:]
        for row in try db.query(
            "SELECT client_id, mutation_id, name, args, status, code, message, resolution, version FROM mutation_results"
        ) {
            let key = Ledger.Key(client: row.string(at: 0) ?? "", id: row.int64(at: 1) ?? 0)
            let result = MutationResult(
                id: key.id, status: MutationStatus(rawValue: row.string(at: 4) ?? "") ?? .applied, code: row.string(at: 5),
                message: row.string(at: 6), resolution: row.string(at: 7), version: row.int64(at: 8)
            )
            stored[key] = (row.string(at: 2) ?? "", row.string(at: 3) ?? "", result)
        }
        var problems: [String] = []
        for (key, performed) in ledger.performed.sorted(by: { $0.key < $1.key }) {
            guard let server = stored[key] else {
                if !ledger.revoked.contains(key.client), ledger.carried[key] == nil {
                    problems.append("\(key) \(performed.name) was performed on d\(performed.device) and never reached the server")
                }
                continue
            }
            let args = try? JSONParser.parse(Array(server.args.utf8))
            if server.name != performed.name || args != .object(performed.args) {
                problems.append("\(key) is \(server.name) on the server but the device performed \(performed.name)")
            }
        }
        for key in ledger.acknowledgedKeys {
            guard let server = stored[key] else {
                problems.append("\(key) was acknowledged to its device and is not on the server")
                continue
            }
            if let known = ledger.acknowledgedResults[key], !Self.sameResult(known, server.result) {
                problems.append("\(key): the device was told \(Ledger.describe(known)), the server holds \(Ledger.describe(server.result))")
            }
        }
        for (key, sent) in ledger.results.sorted(by: { $0.key < $1.key }) {
            guard let server = stored[key] else {
                problems.append("\(key): the server answered \(Ledger.describe(sent)) and then lost it")
                continue
            }
            if !Self.sameResult(sent, server.result) {
                problems.append("\(key): the server answered \(Ledger.describe(sent)) but holds \(Ledger.describe(server.result))")
            }
        }
        for device in devices where !ledger.revoked.contains(device.clientID) {
            let last = try db.queryScalar("SELECT last_mutation_id FROM clients WHERE client_id = ?", [device.clientID])?.int64 ?? 0
            let performed = ledger.lastPerformed[device.clientID] ?? 0
            if last != performed {
                problems.append("\(device.label) performed up to #\(performed) but the server processed up to #\(last)")
            }
        }
        report(problems, "nothing lost")
    }

    static func sameResult(_ a: MutationResult, _ b: MutationResult) -> Bool {
        a.status == b.status && a.code == b.code && a.version == b.version && a.resolution == b.resolution
    }

    /// Every refusal and every rule's decision reached its device: each device lists exactly the
    /// server's rejected results of its client id as rejections, and those with a resolution as
    /// resolutions (nothing dropped silently).
    private func checkRejectionsReachedTheirDevices(_ db: Connection) throws {
        var problems: [String] = []
        for device in devices where !device.needsLogin {
            let rejected = try db.query(
                "SELECT mutation_id FROM mutation_results WHERE client_id = ? AND status = 'rejected' ORDER BY 1", [device.clientID]
            ).compactMap { $0.int64(at: 0) }
            let resolved = try db.query(
                "SELECT mutation_id FROM mutation_results WHERE client_id = ? AND status = 'applied' AND resolution IS NOT NULL ORDER BY 1",
                [device.clientID]
            ).compactMap { $0.int64(at: 0) }
            let shown = try device.replica.rejections().map(\.id)
            let explained = try device.replica.resolutions().map(\.id)
            if shown != rejected {
                problems.append("\(device.label) shows rejections \(Self.ids(shown)), the server refused \(Self.ids(rejected))")
            }
            if explained != resolved {
                problems.append("\(device.label) shows resolutions \(Self.ids(explained)), the server decided \(Self.ids(resolved))")
            }
        }
        for row in try db.query(
            """
            SELECT r.client_id, r.mutation_id FROM mutation_results r
            WHERE r.resolution LIKE 'Sent to review%'
              AND NOT EXISTS (SELECT 1 FROM records c WHERE c.collection = 'conflicts' AND c.id = r.client_id || '-' || r.mutation_id)
            ORDER BY 1, 2
            """
        ) {
            problems.append("\(row.string(at: 0) ?? "")#\(row.int64(at: 1) ?? 0) was sent to review but has no conflict record")
        }
        report(problems, "rejections shown")
    }

    static func ids(_ ids: [Int64]) -> String {
        ids.count > 12 ? "[\(ids.prefix(12).map(String.init).joined(separator: ","))…] (\(ids.count))"
            : "[\(ids.map(String.init).joined(separator: ","))]"
    }

    /// Replays the change log of every case: each change is a transition the workflow allows for
    /// the mutation that made it (or the undoing of an automatic closure followed by one, or a
    /// person's resolution of a conflict), and a mediator only moves cases distributed to it.
    private func checkWorkflow(_ db: Connection) throws {
        var problems: [String] = []
        var last: [String: Caso] = [:]
        let mediadores = Set(population.users.filter { $0.role == .mediador }.map(\.id))
        let eventos = Dictionary(uniqueKeysWithValues: Mediacion.mutacionesDeCaso.map { ($0.name, $0.evento) })
        for row in try db.query(
            """
            SELECT c.version, c.id, c.op, c.body, cs.mutation_name, cs.user_id FROM changes c
            JOIN change_sets cs ON cs.version = c.version
            WHERE c.collection = 'casos' AND c.only_for IS NULL ORDER BY c.version, c.seq
            """
        ) {
            let version = row.int64(at: 0) ?? 0
            let id = row.string(at: 1) ?? ""
            let mutation = row.string(at: 4) ?? ""
            let author = row.string(at: 5) ?? ""
            let previous = last[id]
            guard row.string(at: 2) == RecordOperation.put.rawValue, let text = row.string(at: 3),
                case .object(let body)? = try? JSONParser.parse(Array(text.utf8)), let caso = try? Caso(body: body)
            else {
                if mutation != ResolverConflicto.name { problems.append("v\(version) \(mutation) deleted or damaged case \(id)") }
                last[id] = nil
                continue
            }
            last[id] = caso
            let desde = previous?.estatus
            let hacia = caso.estatus
            var allowed: Bool
            if let evento = eventos[mutation] {
                allowed = Self.reaches(desde, evento, hacia, previous: previous, now: caso)
                if mediadores.contains(author), previous?.mediador != author {
                    problems.append("v\(version) \(mutation) by \(author) moved case \(id), distributed to \(previous?.mediador ?? "nobody")")
                }
            } else if mutation == ExcluirCuenta.name {
                allowed = Self.reaches(desde, .exclusion, hacia, previous: previous, now: caso)
            } else if mutation == ResolverConflicto.name {
                allowed = try resolutionAllowed(version: version, caso: caso, previous: previous, db: db)
            } else {
                allowed = false
            }
            if !allowed {
                problems.append(
                    "v\(version) \(mutation) moved case \(id) from \(desde?.rawValue ?? "no case") to \(hacia.rawValue), which the workflow does not allow"
                )
            }
        }
        report(problems, "workflow")
    }

    /// Whether `evento` takes a case in `desde` to `hacia`: directly, or after undoing an
    /// automatic closure (the case goes back to the status it had, then the event applies).
    static func reaches(_ desde: EstatusCaso?, _ evento: EventoCaso, _ hacia: EstatusCaso, previous: Caso?, now: Caso) -> Bool {
        if case .success(let destino) = FlujoMediacion.siguiente(desde, evento), destino == hacia { return true }
        if desde == .retiradoAutomaticamente, let previous, now.cierresDeshechos.count == previous.cierresDeshechos.count + 1,
            let reabierto = now.cierresDeshechos.last?.estatusAnterior,
            case .success(let destino) = FlujoMediacion.siguiente(reabierto, evento)
        {
            return destino == hacia
        }
        return false
    }

    /// A resolution keeps the case as it is, or (replace) puts back the case as it was before
    /// the applied action and applies the held one on it.
    private func resolutionAllowed(version: Int64, caso: Caso, previous: Caso?, db: Connection) throws -> Bool {
        guard let id = try db.queryScalar(
            """
            SELECT json_extract(r.args, '$.conflicto') FROM change_sets cs
            JOIN mutation_results r ON r.client_id = cs.client_id AND r.mutation_id = cs.mutation_id WHERE cs.version = ?
            """,
            [version]
        )?.string,
            let text = try db.queryScalar(
                "SELECT body FROM changes WHERE version = ? AND collection = 'conflicts' AND id = ? AND only_for IS NULL", [version, id]
            )?.string,
            let conflict = try? JSONValueDecoder().decode(ConflictRecord.self, from: Array(text.utf8))
        else { return false }
        switch conflict.resolution?.choice {
        case ConflictChoice.keep.rawValue?:
            return previous?.estatus == caso.estatus
        case ConflictChoice.replace.rawValue?:
            // A case the applied action did not change is not in `beforeApplied`: it is put back
            // as it is (e.g. the applied action relabelled the account, and the held one, timely,
            // undoes a closure that came meanwhile).
            let target = ConflictRecord.target(caso.key)
            let before =
                conflict.beforeApplied.keys.contains(target)
                ? conflict.beforeApplied[target]?.objectValue.flatMap { try? Caso(body: $0) } : previous
            let held = conflict.contenders.first { !$0.applied }?.mutation ?? ""
            let estatus = before?.estatus
            if estatus == caso.estatus { return true }
            guard let evento = Mediacion.mutacionesDeCaso.first(where: { $0.name == held })?.evento else { return false }
            return Self.reaches(estatus, evento, caso.estatus, previous: before, now: caso)
        default:
            return true  // merge: a person set the values, checked as a valid case
        }
    }

    /// A revoked device is refused at once: the server processed nothing of its after the
    /// revocation.
    private func checkRevokedDevicesStopped(_ db: Connection) throws {
        var problems: [String] = []
        for client in ledger.revoked.sorted() {
            let revokedAt = try db.queryScalar(
                "SELECT at FROM audit_log WHERE action = 'device revoked' AND device = ? ORDER BY seq LIMIT 1", [client]
            )?.string.flatMap(RFC3339.date(from:))
            guard let revokedAt else {
                problems.append("\(client) was revoked but the audit trail does not say so")
                continue
            }
            let late = try db.queryScalar(
                "SELECT COUNT(*) FROM mutation_results WHERE client_id = ? AND received_at > ?", [client, RFC3339.string(from: revokedAt)]
            )?.int ?? 0
            if late > 0 { problems.append("\(client) had \(late) mutation(s) processed after its revocation") }
        }
        report(problems, "revocation")
    }

    /// The rogue client's illegal actions were all refused, none changed anything, and each was
    /// acknowledged in the end.
    private func checkRogue(_ db: Connection) throws {
        var problems: [String] = []
        let applied = try db.queryScalar("SELECT COUNT(*) FROM change_sets WHERE client_id = ?", [Rogue.clientID])?.int ?? -1
        if applied != 0 { problems.append("\(applied) change-set(s) come from the rogue client's illegal actions") }
        let accepted = try db.queryScalar(
            "SELECT COUNT(*) FROM mutation_results WHERE client_id = ? AND status <> 'rejected'", [Rogue.clientID]
        )?.int ?? -1
        if accepted != 0 { problems.append("\(accepted) illegal action(s) of the rogue client were not refused") }
        if !rogue.pending.isEmpty { problems.append("\(rogue.pending.count) rogue action(s) never acknowledged after healing") }
        report(problems, "illegal actions")
    }

    private func report(_ problems: [String], _ invariant: String) {
        for problem in problems.prefix(Self.maxReported) { violations.append("\(invariant): \(problem)") }
        if problems.count > Self.maxReported { violations.append("\(invariant): \(problems.count - Self.maxReported) more") }
    }

    /// A digest of the server's records and the head of its audit chain: equal for two runs of a
    /// seed.
    func stateHash() throws -> String {
        let db = try Self.openReadOnly(server.databasePath)
        defer { db.close() }
        var hasher = SHA256()
        try db.forEachRow("SELECT collection, id, body FROM records ORDER BY collection, id") { row in
            hasher.update(Array("\(row.string(at: 0) ?? "")/\(row.string(at: 1) ?? "")=\(row.string(at: 2) ?? "")\n".utf8))
        }
        let head = try db.queryScalar("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")?.string ?? ""
        hasher.update(Array(head.utf8))
        return hasher.finalize().hexString
    }
}
