import Foundation
import GestionProtocol
import GestionSQLite
import SyncCore

extension SQLiteSyncStore {
    // MARK: Push

    public func push(
        _ mutations: [MutationEnvelope], author: MutationAuthor, authorTags: Set<String>, registry: MutationRegistry,
        receivedAt: Date, policy: PushPolicy
    ) throws(SyncStoreError) -> PushResponse {
        try write { db in
            guard let stored = try db.queryScalar(
                "SELECT last_mutation_id FROM clients WHERE client_id = ?", [author.clientID]
            )?.int64 else {
                throw SyncStoreError.failed("client is not registered")
            }
            var last = stored
            if let first = mutations.first, first.id - 1 > last {
                throw SyncStoreError.mutationGap(lastMutationID: last)
            }
            var results: [MutationResult] = []
            results.reserveCapacity(mutations.count)
            for envelope in mutations {
                if envelope.id <= last {
                    var result = try storedResult(db, clientID: author.clientID, mutationID: envelope.id)
                    result.duplicate = true
                    results.append(result)
                    continue
                }
                let result = try apply(
                    envelope, author: author, authorTags: authorTags, registry: registry, receivedAt: receivedAt, policy: policy,
                    db: db
                )
                results.append(result)
                last = envelope.id
            }
            if last != stored {
                try db.run(
                    "UPDATE clients SET last_mutation_id = ?, last_seen_at = ? WHERE client_id = ?",
                    [last, RFC3339.string(from: receivedAt), author.clientID]
                )
            }
            return PushResponse(results: results, lastMutationId: last)
        }
    }

    /// Runs one mutation against the records of this transaction and records its result: judges
    /// its time, consults the conflict rules about concurrent changes, then applies it.
    func apply(
        _ envelope: MutationEnvelope, author: MutationAuthor, authorTags: Set<String> = [ReplicationPolicy.everything],
        registry: MutationRegistry, receivedAt: Date, policy: PushPolicy = .init(), db: Connection
    ) throws -> MutationResult {
        let targets = registry.conflictTargets(name: envelope.name, arguments: envelope.args)
        let judged = try judgeTime(envelope, targets: targets, receivedAt: receivedAt, policy: policy, db: db)
        let context = MutationContext(
            author: author, mutationID: envelope.id, occurredAt: judged.occurredAt, hlc: envelope.hlc,
            now: receivedAt, authority: .server, reportedOccurredAt: envelope.occurredAt, timeNote: judged.note
        )
        // Unknown names, roles that may not and malformed arguments are refused by the registry
        // first (below); scope and conflict rules judge only mutations the author may perform.
        let performable = registry.definition(named: envelope.name)?.allowedRoles.contains(author.role) ?? false
        if performable,
            let decided = try checkScope(envelope, context: context, tags: authorTags, targets: targets, registry: registry, db: db)
                ?? consultConflictRules(envelope, context: context, targets: targets, registry: registry, db: db)
        {
            try recordResult(decided, of: envelope, author: author, receivedAt: receivedAt, subjects: targets, db: db)
            return decided
        }
        var writer = RecordWriter(base: TransactionRecords(db: db))
        var result: MutationResult
        var subjects = targets
        do {
            let outcome = try registry.apply(name: envelope.name, arguments: envelope.args, context: context, to: &writer)
            result = MutationResult(id: envelope.id, status: .applied, resolution: outcome.resolution)
            let changes = writer.changes
            if subjects.isEmpty { subjects = changes.map(\.key) }
            if !changes.isEmpty {
                result.version = try appendChangeSet(
                    changes, clientID: author.clientID, mutationID: envelope.id, mutationName: envelope.name,
                    userID: author.userID, committedAt: receivedAt, policy: registry.replication, db: db
                )
            }
        } catch let rejection as MutationRejection {
            result = MutationResult(id: envelope.id, status: .rejected, code: rejection.code, message: rejection.message)
        }
        try recordResult(result, of: envelope, author: author, receivedAt: receivedAt, subjects: subjects, db: db)
        return result
    }

    /// Keeps the result of a processed mutation, with its arguments, for duplicates, pulls and
    /// conflict records.
    func recordResult(
        _ result: MutationResult, of envelope: MutationEnvelope, author: MutationAuthor, receivedAt: Date,
        subjects: [RecordKey], db: Connection
    ) throws {
        let outcome: String
        switch result.status {
        case .rejected: outcome = "rejected:\(result.code ?? "")"
        case .applied: outcome = result.resolution?.hasPrefix("Sent to review") == true ? "review" : "applied"
        }
        try AuditTrail.append(
            AuditEntry(
                kind: "mutation", action: envelope.name, actor: author.userID, role: author.role, device: author.clientID,
                occurredAt: envelope.occurredAt, subjects: subjects.map(ConflictRecord.target), outcome: outcome
            ),
            at: receivedAt, db: db
        )
        try db.run(
            """
            INSERT INTO mutation_results (client_id, mutation_id, name, user_id, role, status, code, message, resolution,
                                          version, occurred_at, hlc, received_at, args)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                author.clientID, envelope.id, envelope.name, author.userID, author.role, result.status.rawValue, result.code,
                result.message, result.resolution, result.version, RFC3339.string(from: envelope.occurredAt),
                envelope.hlc.description, RFC3339.string(from: receivedAt), JSONSerializer.string(.object(envelope.args)),
            ] as [any SQLiteBindable]
        )
    }

    /// Appends one change-set under the next version and updates the current records.
    func appendChangeSet(
        _ changes: [RecordChange], clientID: String, mutationID: Int64, mutationName: String, userID: String,
        committedAt: Date, policy: ReplicationPolicy, db: Connection
    ) throws -> Int64 {
        let version = (try db.queryScalar("SELECT COALESCE(MAX(version), 0) + 1 FROM change_sets")?.int64) ?? 1
        try db.run(
            """
            INSERT INTO change_sets (version, committed_at, client_id, mutation_id, mutation_name, user_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [version, RFC3339.string(from: committedAt), clientID, mutationID, mutationName, userID] as [any SQLiteBindable]
        )
        var audiencesToCheck: Set<String> = []
        for (seq, change) in changes.enumerated() {
            let body = change.body.map { JSONSerializer.string(.object($0)) }
            // A deleted record keeps the partition it had, so that its deletion reaches its audience.
            let partition = try change.body.map { policy.partition(change.key, $0) }
                ?? db.queryScalar("SELECT partition FROM records WHERE collection = ? AND id = ?", [change.collection, change.id])?.string
            try db.run(
                "INSERT INTO changes (version, seq, collection, id, op, body, partition) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [version, seq, change.collection, change.id, change.op.rawValue, body, partition] as [any SQLiteBindable]
            )
            if let body {
                try db.run(
                    """
                    INSERT INTO records (collection, id, body, version, partition) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body, version = excluded.version,
                                                              partition = excluded.partition
                    """,
                    [change.collection, change.id, body, version, partition] as [any SQLiteBindable]
                )
            } else {
                try db.run("DELETE FROM records WHERE collection = ? AND id = ?", [change.collection, change.id])
            }
            if let partition, policy.definesAudience(change.collection) { audiencesToCheck.insert(partition) }
        }
        var seq = changes.count
        for partition in audiencesToCheck.sorted() {
            try updateAudience(of: partition, at: version, seq: &seq, written: Set(changes.map(\.key)), policy: policy, db: db)
        }
        return version
    }

    /// Recomputes who sees `partition` after a change. Newly added tags get every record of the
    /// partition whole in this version (their devices may be past its older versions); removed
    /// tags get an eviction of each, and of each record the partition had that no longer exists:
    /// pulls filter by the audience as it is now, so a device that loses the partition would
    /// never receive a deletion made while it still saw the partition (or in this very
    /// change-set), and would keep that record for good.
    func updateAudience(
        of partition: String, at version: Int64, seq: inout Int, written: Set<RecordKey>, policy: ReplicationPolicy,
        db: Connection
    ) throws {
        let new = try policy.audience(partition, TransactionRecords(db: db))
        let old = Set(try db.query("SELECT tag FROM partition_audience WHERE partition = ?", [partition]).compactMap { $0.string(at: 0) })
        let added = new.subtracting(old)
        let removed = old.subtracting(new)
        guard !added.isEmpty || !removed.isEmpty else { return }
        for tag in removed.sorted() {
            try db.run("DELETE FROM partition_audience WHERE partition = ? AND tag = ?", [partition, tag])
            try db.run(
                "UPDATE audience_history SET to_version = ? WHERE partition = ? AND tag = ? AND to_version IS NULL",
                [version, partition, tag] as [any SQLiteBindable]
            )
        }
        for tag in added.sorted() {
            try db.run("INSERT INTO partition_audience (partition, tag) VALUES (?, ?)", [partition, tag])
            try db.run(
                "INSERT INTO audience_history (partition, tag, from_version) VALUES (?, ?, ?)",
                [partition, tag, version] as [any SQLiteBindable]
            )
        }
        let members = try db.query(
            "SELECT collection, id, body FROM records WHERE partition = ? ORDER BY collection, id", [partition]
        )
        for row in members {
            let key = RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")
            for tag in added.sorted() where old.isEmpty == false || !written.contains(key) {
                try db.run(
                    """
                    INSERT INTO changes (version, seq, collection, id, op, body, partition, only_for)
                    VALUES (?, ?, ?, ?, 'put', ?, ?, ?)
                    """,
                    [version, seq, key.collection, key.id, row.string(at: 2), partition, tag] as [any SQLiteBindable]
                )
                seq += 1
            }
            for tag in removed.sorted() {
                try db.run(
                    """
                    INSERT INTO changes (version, seq, collection, id, op, body, partition, only_for)
                    VALUES (?, ?, ?, ?, 'evict', NULL, ?, ?)
                    """,
                    [version, seq, key.collection, key.id, partition, tag] as [any SQLiteBindable]
                )
                seq += 1
            }
        }
        guard !removed.isEmpty else { return }
        let deleted = try db.query(
            """
            SELECT DISTINCT c.collection, c.id FROM changes c
            WHERE c.partition = ? AND c.only_for IS NULL
              AND NOT EXISTS (SELECT 1 FROM records r WHERE r.collection = c.collection AND r.id = c.id)
            ORDER BY c.collection, c.id
            """,
            [partition]
        )
        for row in deleted {
            for tag in removed.sorted() {
                try db.run(
                    """
                    INSERT INTO changes (version, seq, collection, id, op, body, partition, only_for)
                    VALUES (?, ?, ?, ?, 'evict', NULL, ?, ?)
                    """,
                    [version, seq, row.string(at: 0), row.string(at: 1), partition, tag] as [any SQLiteBindable]
                )
                seq += 1
            }
        }
    }

    func storedResult(_ db: Connection, clientID: String, mutationID: Int64) throws -> MutationResult {
        guard let row = try db.queryOne(
            "SELECT status, code, message, resolution, version FROM mutation_results WHERE client_id = ? AND mutation_id = ?",
            [clientID, mutationID] as [any SQLiteBindable]
        ) else {
            // Processed before results were kept: it was applied.
            return MutationResult(id: mutationID, status: .applied)
        }
        return Self.result(id: mutationID, row: row, offset: 0)
    }

    static func result(id: Int64, row: Row, offset: Int) -> MutationResult {
        MutationResult(
            id: id, status: MutationStatus(rawValue: row.string(at: offset) ?? "") ?? .applied,
            code: row.string(at: offset + 1), message: row.string(at: offset + 2), resolution: row.string(at: offset + 3),
            version: row.int64(at: offset + 4)
        )
    }

    // MARK: Server mutations

    public func applyServerMutations(
        _ mutations: [ServerMutation], author: MutationAuthor, registry: MutationRegistry, at now: Date, atomically: Bool
    ) throws(SyncStoreError) -> ServerMutationReport {
        do {
            return try write { db in
                try prepareServerClient(author, at: now, db: db)
                var last = try db.queryScalar(
                    "SELECT last_mutation_id FROM clients WHERE client_id = ?", [author.clientID]
                )?.int64 ?? 0
                let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
                var results: [MutationResult] = []
                for mutation in mutations {
                    last += 1
                    let envelope = MutationEnvelope(
                        id: last, name: mutation.name, args: mutation.args, occurredAt: now,
                        hlc: HybridTimestamp(millis: millis)
                    )
                    results.append(try apply(envelope, author: author, registry: registry, receivedAt: now, db: db))
                }
                if atomically, results.contains(where: { $0.status == .rejected }) {
                    throw RolledBackBatch(results: results)
                }
                try db.run("UPDATE clients SET last_mutation_id = ? WHERE client_id = ?", [last, author.clientID] as [any SQLiteBindable])
                return ServerMutationReport(results: results, committed: true)
            }
        } catch .rolledBack(let results) {
            return ServerMutationReport(results: results, committed: false)
        }
    }

    // MARK: Pull

    public func pull(clientID: String, cursor: Int64, resultsAfter: Int64, limit: Int, serverTime: Date, audience: PullAudience)
        throws(SyncStoreError) -> PullResponse
    {
        try read { db in
            // The first statement of the deferred transaction fixes the snapshot for all that follows.
            let latest = try db.queryScalar("SELECT COALESCE(MAX(version), 0) FROM change_sets")?.int64 ?? 0
            guard cursor <= latest else { throw SyncStoreError.invalidCursor(latestVersion: latest) }
            let lastMutationID = try db.queryScalar(
                "SELECT last_mutation_id FROM clients WHERE client_id = ?", [clientID]
            )?.int64 ?? 0

            // What this user sees: everything, or the partitions whose audience meets its tags,
            // the rows addressed to one of its tags, and records outside partitions its role sees.
            // An eviction addressed to one of its tags is skipped when another of its tags still
            // sees the partition after that version (an account moved from "every asesor" to
            // this asesor: the user keeps it).
            let tags = audience.tags.sorted()
            let placeholders = tags.map { _ in "?" }.joined(separator: ", ")
            let sql = audience.seesEverything
                ? "SELECT version, collection, id, op, body, partition FROM changes WHERE version > ? AND only_for IS NULL ORDER BY version, seq"
                : """
                SELECT c.version, c.collection, c.id, c.op, c.body, c.partition FROM changes c
                WHERE c.version > ? AND (
                    (c.only_for IS NULL AND (c.partition IS NULL
                        OR c.partition IN (SELECT partition FROM partition_audience WHERE tag IN (\(placeholders)))))
                    OR (c.only_for IN (\(placeholders)) AND (c.op <> 'evict' OR NOT EXISTS (
                        SELECT 1 FROM audience_history h
                        WHERE h.partition = c.partition AND h.tag IN (\(placeholders)) AND h.from_version <= c.version
                          AND (h.to_version IS NULL OR h.to_version > c.version)))))
                ORDER BY c.version, c.seq
                """
            var changeSets: [ChangeSet] = []
            var rows = 0
            var hasMore = false
            let statement = try db.prepare(sql)
            defer {
                statement.reset()
                statement.clearBindings()
            }
            try statement.bind(1, cursor)
            if !audience.seesEverything {
                for (index, tag) in (tags + tags + tags).enumerated() { try statement.bind(Int32(index + 2), tag) }
            }
            while try statement.step() {
                let version = statement.int64(at: 0)
                let key = RecordKey(statement.string(at: 1) ?? "", statement.string(at: 2) ?? "")
                if !audience.seesEverything, statement.isNull(at: 5),
                    !audience.policy.isVisibleOutsidePartitions(key.collection, audience.role)
                {
                    continue
                }
                if version != changeSets.last?.version {
                    if rows >= limit {
                        hasMore = true
                        break
                    }
                    changeSets.append(ChangeSet(version: version, changes: []))
                }
                let change: RecordChange
                switch RecordOperation(rawValue: statement.string(at: 3) ?? "") {
                case .put?: change = RecordChange(key: key, body: try Self.decodeBody(statement.string(at: 4)))
                case .evict?: change = .evict(key)
                default: change = RecordChange(key: key, body: nil)
                }
                changeSets[changeSets.count - 1].changes.append(change)
                rows += 1
            }

            var results: [MutationResult] = []
            try db.forEachRow(
                """
                SELECT mutation_id, status, code, message, resolution, version FROM mutation_results
                WHERE client_id = ? AND mutation_id > ? AND mutation_id <= ?
                  AND (status = 'rejected' OR resolution IS NOT NULL)
                ORDER BY mutation_id
                """,
                [clientID, resultsAfter, lastMutationID] as [any SQLiteBindable]
            ) { row in
                results.append(Self.result(id: row.int64(at: 0) ?? 0, row: row.row, offset: 1))
            }
            return PullResponse(
                changeSets: changeSets, cursor: hasMore ? changeSets.last?.version ?? cursor : latest, hasMore: hasMore,
                lastMutationId: lastMutationID, results: results, serverId: serverID,
                serverTime: serverTime
            )
        }
    }
}

/// The records as the current write transaction sees them.
struct TransactionRecords: RecordReading {
    let db: Connection

    func record(_ key: RecordKey) throws -> JSONObject? {
        guard let text = try db.queryScalar(
            "SELECT body FROM records WHERE collection = ? AND id = ?", [key.collection, key.id]
        )?.string else { return nil }
        return try SQLiteSyncStore.decodeBody(text)
    }
}

/// Thrown inside a transaction to roll an atomic batch back while keeping its results.
struct RolledBackBatch: Error {
    var results: [MutationResult]
}
