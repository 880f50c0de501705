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
                    envelope, context: context, against: change, targets: targets, base: base, rule: reason, db: db
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

    func concurrentChanges(to targets: [RecordKey], after base: Int64, excluding clientID: String, db: Connection) throws
        -> [ConcurrentChange]
    {
        var changes: [Int64: ConcurrentChange] = [:]
        for target in targets {
            try db.forEachRow(
                """
                SELECT DISTINCT cs.version, cs.mutation_name, cs.client_id, cs.mutation_id
                FROM changes c JOIN change_sets cs ON cs.version = c.version
                WHERE c.collection = ? AND c.id = ? AND c.version > ? AND cs.client_id <> ?
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
    func holdForReview(
        _ envelope: MutationEnvelope, context: MutationContext, against change: ConcurrentChange, targets: [RecordKey],
        base: Int64, rule: String, db: Connection
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
                SELECT op, body FROM changes WHERE collection = ? AND id = ? AND version <= ?
                ORDER BY version DESC, seq DESC LIMIT 1
                """,
                [target.collection, target.id, base] as [any SQLiteBindable]
            )
            let body = row?.string(at: 0) == RecordOperation.put.rawValue ? try row?.string(at: 1).map(Self.decodeBody) : nil
            baseBodies[ConflictRecord.target(target)] = body.map(JSONValue.object) ?? .null
        }
        var beforeApplied: [String: JSONValue] = [:]
        for row in try db.query("SELECT DISTINCT collection, id FROM changes WHERE version = ?", [change.version]) {
            let key = RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")
            let previous = try db.queryOne(
                """
                SELECT op, body FROM changes WHERE collection = ? AND id = ? AND version < ?
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
            mutationName: envelope.name, userID: context.author.userID, committedAt: context.now, db: db
        )
    }
}
