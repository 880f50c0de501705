import Foundation
import GestionProtocol
import GestionSQLite
import SyncCore

extension SQLiteSyncStore {
    /// The time an action counts, and why when it is not the reported one.
    struct JudgedTime {
        var occurredAt: Date
        var note: String?
    }

    /// An action counts at the time the user did it if that time is plausible: not after the
    /// server received it (beyond the tolerance) and not before the device could have received
    /// the records it acts on. Otherwise it counts at its arrival, and the note says why.
    func judgeTime(
        _ envelope: MutationEnvelope, targets: [RecordKey], receivedAt: Date, policy: PushPolicy, db: Connection
    ) throws -> JudgedTime {
        let reported = envelope.occurredAt
        let tolerance = policy.clockSkewTolerance
        if reported > receivedAt.addingTimeInterval(tolerance) {
            return JudgedTime(
                occurredAt: receivedAt,
                note: "The device's clock was ahead: it reported \(RFC3339.string(from: reported)), after the action reached "
                    + "the server at \(RFC3339.string(from: receivedAt)); the action counts from its arrival."
            )
        }
        guard let base = envelope.baseVersion else { return JudgedTime(occurredAt: reported) }
        var knownSince = Date.distantPast
        for target in targets {
            let row = try db.queryOne(
                """
                SELECT cs.committed_at FROM changes c JOIN change_sets cs ON cs.version = c.version
                WHERE c.collection = ? AND c.id = ? AND c.version <= ? ORDER BY c.version DESC LIMIT 1
                """,
                [target.collection, target.id, base] as [any SQLiteBindable]
            )
            if let committed = row?.string(at: 0).flatMap(RFC3339.date(from:)) { knownSince = max(knownSince, committed) }
        }
        if reported < knownSince.addingTimeInterval(-tolerance) {
            return JudgedTime(
                occurredAt: receivedAt,
                note: "The device's clock was behind: it reported \(RFC3339.string(from: reported)), before it could have "
                    + "received the record (\(RFC3339.string(from: knownSince))); the action counts from its arrival "
                    + "at \(RFC3339.string(from: receivedAt))."
            )
        }
        return JudgedTime(occurredAt: reported)
    }

    /// A change to one of the mutation's records by another device after the mutation's base.
    struct ConcurrentChange {
        var version: Int64
        var mutationName: String
        var clientID: String
        var mutationID: Int64
    }

    /// Decides the mutation by the conflict rules when other devices changed its records since
    /// its device last pulled. Returns the result when a rule decided (refused as superseded, or
    /// held for review); `nil` when the mutation should simply be applied.
    func consultConflictRules(
        _ envelope: MutationEnvelope, context: MutationContext, targets: [RecordKey], registry: MutationRegistry,
        db: Connection
    ) throws -> MutationResult? {
        guard let base = envelope.baseVersion, !targets.isEmpty else { return nil }
        for change in try concurrentChanges(to: targets, after: base, excluding: context.author.clientID, db: db) {
            let rule = registry.conflictRules.rule(change.mutationName, envelope.name)
            switch rule?.kind {
            case .commutative, .lastWriterWins, .earlierStands:
                continue
            case .supersedes(let winner) where winner == envelope.name:
                continue
            case .supersedes:
                let earlier = registry.definition(named: change.mutationName)?.summary ?? change.mutationName
                return MutationResult(
                    id: envelope.id, status: .rejected, code: "superseded",
                    message: "Made moot by an action recorded on another device before this one arrived (\(earlier)): "
                        + (rule?.reason ?? "")
                )
            case .exclusive, nil:
                let reason = rule?.reason ?? "No conflict rule covers \(change.mutationName) and \(envelope.name)."
                let version = try holdForReview(
                    envelope, context: context, against: change, targets: targets, base: base, rule: reason,
                    policy: registry.replication, db: db
                )
                return MutationResult(
                    id: envelope.id, status: .applied,
                    resolution: "Sent to review: another device recorded a contradicting action first. \(reason)",
                    version: version
                )
            }
        }
        return nil
    }

    /// The change-sets after `base` that changed one of `targets`, by other devices. Rows a
    /// change-set adds for a partition's audience (`only_for`: the record sent whole to a device
    /// that gained the partition, or evicted from one that lost it) are deliveries, not changes.
    func concurrentChanges(to targets: [RecordKey], after base: Int64, excluding clientID: String, db: Connection) throws
        -> [ConcurrentChange]
    {
        var changes: [Int64: ConcurrentChange] = [:]
        for target in targets {
            try db.forEachRow(
                """
                SELECT DISTINCT cs.version, cs.mutation_name, cs.client_id, cs.mutation_id
                FROM changes c JOIN change_sets cs ON cs.version = c.version
                WHERE c.collection = ? AND c.id = ? AND c.version > ? AND cs.client_id <> ? AND c.only_for IS NULL
                """,
                [target.collection, target.id, base, clientID] as [any SQLiteBindable]
            ) { row in
                let version = row.int64(at: 0) ?? 0
                changes[version] = ConcurrentChange(
                    version: version, mutationName: row.string(at: 1) ?? "", clientID: row.string(at: 2) ?? "",
                    mutationID: row.int64(at: 3) ?? 0
                )
            }
        }
        return changes.values.sorted { $0.version < $1.version }
    }

    /// Writes the conflict record that holds `envelope` against the applied `change`, with the
    /// records as the held mutation's device saw them. Returns the version of that change-set.
    /// Only the records the applied change wrote count as changed by it (not the audience's
    /// copies and evictions of the same version), so that `replace` puts back those alone.
    func holdForReview(
        _ envelope: MutationEnvelope, context: MutationContext, against change: ConcurrentChange, targets: [RecordKey],
        base: Int64, rule: String, policy: ReplicationPolicy, db: Connection
    ) throws -> Int64 {
        guard let applied = try db.queryOne(
            """
            SELECT name, args, user_id, role, occurred_at, hlc FROM mutation_results WHERE client_id = ? AND mutation_id = ?
            """,
            [change.clientID, change.mutationID] as [any SQLiteBindable]
        ) else { throw SyncStoreError.failed("the result of a concurrent mutation is missing") }
        var baseBodies: [String: JSONValue] = [:]
        for target in targets {
            let row = try db.queryOne(
                """
                SELECT op, body FROM changes WHERE collection = ? AND id = ? AND version <= ? AND only_for IS NULL
                ORDER BY version DESC, seq DESC LIMIT 1
                """,
                [target.collection, target.id, base] as [any SQLiteBindable]
            )
            let body = row?.string(at: 0) == RecordOperation.put.rawValue ? try row?.string(at: 1).map(Self.decodeBody) : nil
            baseBodies[ConflictRecord.target(target)] = body.map(JSONValue.object) ?? .null
        }
        var beforeApplied: [String: JSONValue] = [:]
        for row in try db.query(
            "SELECT DISTINCT collection, id FROM changes WHERE version = ? AND only_for IS NULL", [change.version]
        ) {
            let key = RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")
            let previous = try db.queryOne(
                """
                SELECT op, body FROM changes WHERE collection = ? AND id = ? AND version < ? AND only_for IS NULL
                ORDER BY version DESC, seq DESC LIMIT 1
                """,
                [key.collection, key.id, change.version] as [any SQLiteBindable]
            )
            let body = previous?.string(at: 0) == RecordOperation.put.rawValue ? try previous?.string(at: 1).map(Self.decodeBody) : nil
            beforeApplied[ConflictRecord.target(key)] = body.map(JSONValue.object) ?? .null
        }
        let record = ConflictRecord(
            id: "\(context.author.clientID)-\(envelope.id)", targets: targets.map(ConflictRecord.target), rule: rule,
            status: "open",
            contenders: [
                ConflictRecord.Contender(
                    mutation: applied.string(at: 0) ?? change.mutationName,
                    args: try applied.string(at: 1).map(Self.decodeBody) ?? [:], userId: applied.string(at: 2) ?? "",
                    role: applied.string(at: 3) ?? "", clientId: change.clientID, mutationId: change.mutationID,
                    occurredAt: applied.string(at: 4).flatMap(RFC3339.date(from:)) ?? .distantPast,
                    hlc: applied.string(at: 5).flatMap(HybridTimestamp.init) ?? .zero, applied: true
                ),
                ConflictRecord.Contender(
                    mutation: envelope.name, args: envelope.args, userId: context.author.userID, role: context.author.role,
                    clientId: context.author.clientID, mutationId: envelope.id, occurredAt: context.occurredAt,
                    hlc: envelope.hlc, applied: false
                ),
            ],
            base: baseBodies, beforeApplied: beforeApplied, detectedAt: context.now, resolution: nil
        )
        guard case .object(let body) = try JSONValueEncoder().encode(record) else {
            throw SyncStoreError.failed("a conflict record does not encode as an object")
        }
        return try appendChangeSet(
            [RecordChange(key: record.key, body: body)], clientID: context.author.clientID, mutationID: envelope.id,
            mutationName: envelope.name, userID: context.author.userID, committedAt: context.now, policy: policy, db: db
        )
    }
}

extension SQLiteSyncStore {
    /// A mutation acts only on records in its author's scope. Out of scope now but not when the
    /// user acted (the device held the record at its base): held for review with its data, never
    /// dropped. Never in scope: refused.
    func checkScope(
        _ envelope: MutationEnvelope, context: MutationContext, tags: Set<String>, targets: [RecordKey],
        registry: MutationRegistry, db: Connection
    ) throws -> MutationResult? {
        let policy = registry.replication
        guard !tags.contains(ReplicationPolicy.everything) else { return nil }
        let records = TransactionRecords(db: db)
        for target in targets {
            guard let partition = policy.partition(target, try records.record(target) ?? [:]) else { continue }
            let audience = Set(
                try db.query("SELECT tag FROM partition_audience WHERE partition = ?", [partition]).compactMap { $0.string(at: 0) }
            )
            if !audience.isDisjoint(with: tags) { continue }
            // A partition nobody holds has no records yet: let the rules say what is missing
            // (an unknown credit number) rather than "not yours".
            if audience.isEmpty, try db.queryOne("SELECT 1 FROM records WHERE partition = ? LIMIT 1", [partition]) == nil {
                continue
            }
            if let base = envelope.baseVersion, let lost = try lostAccess(partition: partition, tags: tags, base: base, db: db) {
                let version = try holdForReview(
                    envelope, context: context, against: lost, targets: targets, base: base,
                    rule: "The device acted on a record that left its scope before the action arrived (\(lost.mutationName)): "
                        + "a person decides whether the action stands.",
                    policy: policy, db: db
                )
                return MutationResult(
                    id: envelope.id, status: .applied,
                    resolution: "Sent to review: this device no longer holds the record it acted on; a person decides.",
                    version: version
                )
            }
            return MutationResult(
                id: envelope.id, status: .rejected, code: "out_of_scope",
                message: "This record is not assigned to you, so you cannot act on it."
            )
        }
        return nil
    }

    /// The change that took `partition` away from `tags` after `base`, if one of them had it then.
    func lostAccess(partition: String, tags: Set<String>, base: Int64, db: Connection) throws -> ConcurrentChange? {
        for tag in tags.sorted() {
            guard let removedAt = try db.queryScalar(
                """
                SELECT to_version FROM audience_history
                WHERE partition = ? AND tag = ? AND from_version <= ? AND to_version IS NOT NULL AND to_version > ?
                ORDER BY to_version LIMIT 1
                """,
                [partition, tag, base, base] as [any SQLiteBindable]
            )?.int64,
                let row = try db.queryOne(
                    "SELECT mutation_name, client_id, mutation_id FROM change_sets WHERE version = ?", [removedAt]
                )
            else { continue }
            return ConcurrentChange(
                version: removedAt, mutationName: row.string(at: 0) ?? "", clientID: row.string(at: 1) ?? "",
                mutationID: row.int64(at: 2) ?? 0
            )
        }
        return nil
    }
}
