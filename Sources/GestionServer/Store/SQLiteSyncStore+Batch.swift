import Foundation
import GestionProtocol
import GestionSQLite
import SyncCore

/// What became of one mutation of a server batch.
public enum ServerBatchOutcome: Sendable, Equatable {
    /// It changed records. `version` is the change-set's (nil in a dry run); `before` holds the
    /// bodies the changed records had (absent: the record did not exist).
    case changed(version: Int64?, changes: [RecordChange], before: [RecordKey: JSONObject])
    /// It applied and changed nothing, so nothing of it was recorded; with what the rules
    /// decided, if they said (`MutationOutcome.resolution`).
    case unchanged(resolution: String?)
    /// A rule refused it.
    case rejected(MutationRejection)
}

/// What became of a server batch.
public struct ServerBatchReport: Sendable, Equatable {
    /// One outcome per mutation, in order.
    public var outcomes: [ServerBatchOutcome]
    /// Whether the effects were kept: false for a dry run and when a mutation was refused.
    public var committed: Bool
}

extension SQLiteSyncStore {
    /// Runs server mutations all or none, for loads such as the monthly assignment that are
    /// repeated with mostly the same data.
    ///
    /// Like `applyServerMutations(atomically: true)`, each mutation runs through the registry's
    /// rules, in order, each seeing the effects of those before it, in one transaction that is
    /// rolled back when any is refused (every mutation is still run, so all refusals are
    /// reported). Unlike it, a mutation that changes nothing leaves no trace: no number, result,
    /// audit entry or version, so loading the same data again writes nothing and devices pull
    /// nothing. Mutations that change records are recorded as `applyServerMutations` records
    /// them: a change-set, a result and an audit entry (naming the records changed) each.
    ///
    /// With `dryRun` the same rules run on one read snapshot with the batch's own effects layered
    /// over it: nothing is written and the writer is not held, so a server in use is not slowed.
    ///
    /// - Parameter progress: called after each mutation with the number done.
    public func applyServerBatch(
        _ mutations: [ServerMutation], author: MutationAuthor, registry: MutationRegistry, at now: Date, dryRun: Bool,
        progress: ((Int) -> Void)? = nil
    ) throws(SyncStoreError) -> ServerBatchReport {
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        func context(_ id: Int64) -> MutationContext {
            MutationContext(
                author: author, mutationID: id, occurredAt: now, hlc: HybridTimestamp(millis: millis), now: now, authority: .server
            )
        }
        if dryRun {
            return try read { db in
                let records = LayeredRecords(base: TransactionRecords(db: db))
                var last = try db.queryScalar("SELECT last_mutation_id FROM clients WHERE client_id = ?", [author.clientID])?.int64 ?? 0
                var outcomes: [ServerBatchOutcome] = []
                outcomes.reserveCapacity(mutations.count)
                for (index, mutation) in mutations.enumerated() {
                    var writer = RecordWriter(base: records)
                    do {
                        let outcome = try registry.apply(
                            name: mutation.name, arguments: mutation.args, context: context(last + 1), to: &writer
                        )
                        let changes = writer.changes
                        if changes.isEmpty {
                            outcomes.append(.unchanged(resolution: outcome.resolution))
                        } else {
                            last += 1
                            outcomes.append(.changed(version: nil, changes: changes, before: try records.bodies(of: changes)))
                            for change in changes { records.layer[change.key] = .some(change.body) }
                        }
                    } catch let rejection as MutationRejection {
                        outcomes.append(.rejected(rejection))
                    }
                    progress?(index + 1)
                }
                return ServerBatchReport(outcomes: outcomes, committed: false)
            }
        }
        // Collected outside the transaction so that a rolled-back batch still reports them.
        var outcomes: [ServerBatchOutcome] = []
        outcomes.reserveCapacity(mutations.count)
        do {
            try write { db in
                try prepareServerClient(author, at: now, db: db)
                var last = try db.queryScalar("SELECT last_mutation_id FROM clients WHERE client_id = ?", [author.clientID])?.int64 ?? 0
                let records = TransactionRecords(db: db)
                var refused = false
                for (index, mutation) in mutations.enumerated() {
                    // What `apply(_:...)` does for a push, less what never concerns the server's own
                    // mutations: they carry no base version, so neither time judgement nor conflict
                    // rules apply, and the server's scope is everything.
                    var writer = RecordWriter(base: records)
                    let outcome: MutationOutcome
                    do {
                        outcome = try registry.apply(name: mutation.name, arguments: mutation.args, context: context(last + 1), to: &writer)
                    } catch let rejection as MutationRejection {
                        outcomes.append(.rejected(rejection))
                        refused = true
                        progress?(index + 1)
                        continue
                    }
                    let changes = writer.changes
                    guard !changes.isEmpty else {
                        outcomes.append(.unchanged(resolution: outcome.resolution))
                        progress?(index + 1)
                        continue
                    }
                    let before = try records.bodies(of: changes)
                    last += 1
                    let envelope = MutationEnvelope(
                        id: last, name: mutation.name, args: mutation.args, occurredAt: now, hlc: HybridTimestamp(millis: millis)
                    )
                    let version = try appendChangeSet(
                        changes, clientID: author.clientID, mutationID: last, mutationName: mutation.name, userID: author.userID,
                        committedAt: now, policy: registry.replication, db: db
                    )
                    // The audit entry names every record the mutation changed.
                    try recordResult(
                        MutationResult(id: last, status: .applied, resolution: outcome.resolution, version: version), of: envelope,
                        author: author, receivedAt: now, subjects: changes.map(\.key), db: db
                    )
                    outcomes.append(.changed(version: version, changes: changes, before: before))
                    progress?(index + 1)
                }
                if refused { throw RolledBackBatch(results: []) }
                try db.run("UPDATE clients SET last_mutation_id = ? WHERE client_id = ?", [last, author.clientID] as [any SQLiteBindable])
            }
        } catch .rolledBack {
            return ServerBatchReport(outcomes: outcomes, committed: false)
        }
        return ServerBatchReport(outcomes: outcomes, committed: true)
    }

    /// The server's own client and user, created on first use; refuses a client id that
    /// belongs to another user.
    func prepareServerClient(_ author: MutationAuthor, at now: Date, db: Connection) throws {
        let timestamp = RFC3339.string(from: now)
        if let owner = try db.queryScalar("SELECT user_id FROM clients WHERE client_id = ?", [author.clientID]),
            owner.string != author.userID
        {
            throw SyncStoreError.clientOfAnotherUser
        }
        try db.run(
            "INSERT OR IGNORE INTO users (id, role, password_hash, created_at, disabled) VALUES (?, ?, '!', ?, 1)",
            [author.userID, author.role, timestamp]
        )
        try db.run(
            """
            INSERT OR IGNORE INTO clients (client_id, user_id, device_name, app_version, created_at)
            VALUES (?, ?, 'gestion-server', 'server', ?)
            """,
            [author.clientID, author.userID, timestamp]
        )
    }
}

/// Records of a read snapshot with a dry run's effects layered over them.
private final class LayeredRecords: RecordReading {
    let base: TransactionRecords
    /// Bodies written by the batch so far; `nil` for a deleted record.
    var layer: [RecordKey: JSONObject?] = [:]

    init(base: TransactionRecords) {
        self.base = base
    }

    func record(_ key: RecordKey) throws -> JSONObject? {
        if let written = layer[key] { return written }
        return try base.record(key)
    }
}

extension RecordReading {
    /// The current bodies of the records `changes` touch (those that exist).
    fileprivate func bodies(of changes: [RecordChange]) throws -> [RecordKey: JSONObject] {
        var bodies: [RecordKey: JSONObject] = [:]
        for change in changes {
            if let body = try record(change.key) { bodies[change.key] = body }
        }
        return bodies
    }
}
