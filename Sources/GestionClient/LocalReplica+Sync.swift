import Foundation
import GestionProtocol
import GestionSQLite
import SyncCore

extension LocalReplica {
    /// Where the replica stands with the server, for building requests.
    struct SyncPosition: Sendable, Equatable {
        var cursor: Int64
        var resultsThrough: Int64
        var serverLastMutationID: Int64
    }

    func syncPosition() throws(ReplicaError) -> SyncPosition {
        try read { db in try Self.position(db) }
    }

    static func position(_ db: Connection) throws -> SyncPosition {
        SyncPosition(
            cursor: Int64(try Meta.get(db, "cursor") ?? "0") ?? 0,
            resultsThrough: Int64(try Meta.get(db, "results_through") ?? "0") ?? 0,
            serverLastMutationID: Int64(try Meta.get(db, "server_last_mutation_id") ?? "0") ?? 0
        )
    }

    /// What the device tells the server's registry at each pull.
    func deviceReport(appVersion: String) throws(ReplicaError) -> DeviceReport {
        try read { db in
            let last = try Self.position(db).serverLastMutationID
            let outbox = try db.queryOne("SELECT COUNT(*), MIN(occurred_at) FROM outbox")
            return DeviceReport(
                pendingCount: outbox?.int(at: 0) ?? 0,
                oldestPendingAt: outbox?.string(at: 1).flatMap(RFC3339.date(from:)),
                unsentCount: try db.queryScalar("SELECT COUNT(*) FROM outbox WHERE id > ?", [last])?.int ?? 0,
                appVersion: appVersion
            )
        }
    }

    /// Throws `ReplicaError.locked` when the device went too long without syncing.
    func checkNotLocked() throws(ReplicaError) {
        try read { db in try checkNotLocked(db) }
    }

    /// The next mutations to send: those the server has not processed yet, oldest first.
    func unsentMutations(limit: Int) throws(ReplicaError) -> [MutationEnvelope] {
        try read { db in
            let last = try Self.position(db).serverLastMutationID
            var bases: [Int64: Int64] = [:]
            try db.forEachRow("SELECT id, base_version FROM outbox WHERE id > ?", [last]) { row in
                if let base = row.int64(at: 1) { bases[row.int64(at: 0) ?? 0] = base }
            }
            return try Self.outbox(db, after: last, limit: limit).map { mutation in
                MutationEnvelope(
                    id: mutation.id, name: mutation.name, args: mutation.args, occurredAt: mutation.occurredAt,
                    hlc: mutation.hlc, baseVersion: bases[mutation.id]
                )
            }
        }
    }

    /// Keeps the server's results of a push. Mutations stay in the outbox until a pull confirms
    /// them, so the records keep showing their effect until the server's state includes it.
    func recordPushResponse(_ response: PushResponse) throws(ReplicaError) {
        try write { db in
            for result in response.results {
                try db.run(
                    """
                    UPDATE outbox SET result_status = ?, result_code = ?, result_message = ?, result_resolution = ?
                    WHERE id = ?
                    """,
                    [result.status.rawValue, result.code, result.message, result.resolution, result.id] as [any SQLiteBindable]
                )
            }
            let known = try Self.position(db).serverLastMutationID
            try Meta.set(db, "server_last_mutation_id", String(max(known, response.lastMutationId)))
        }
    }

    /// The server says it has processed up to `lastMutationID`, fewer than this device believed.
    /// - Returns: whether the outbox still holds the mutations to resend from there.
    func rewindToServer(lastMutationID: Int64) throws(ReplicaError) -> Bool {
        try write { db in
            try Meta.set(db, "server_last_mutation_id", String(lastMutationID))
            let first = try db.queryScalar("SELECT MIN(id) FROM outbox")?.int64
            return first == nil || first! <= lastMutationID + 1
        }
    }

    /// Applies one pull page and its cursor in one transaction, then shows the server's state
    /// with the still-pending mutations applied on top.
    ///
    /// Confirmations are processed on the last page only (`hasMore == false`): by then the
    /// records include the effects of every mutation the server has processed.
    /// - Returns: the records that changed.
    @discardableResult
    func applyPullPage(_ page: PullResponse) throws(ReplicaError) -> Set<RecordKey> {
        let now = self.now
        let changed: Set<RecordKey> = try write { db in
            var changed: Set<RecordKey> = []
            var needsRebase = false
            // Most pages (an initial sync, a device with nothing pending) meet no shadow and no
            // pending eviction: then two statements per change are skipped.
            let hasShadows = try db.queryScalar("SELECT EXISTS (SELECT 1 FROM shadows)")?.int64 == 1
            var mayHavePendingEvictions = try db.queryScalar("SELECT EXISTS (SELECT 1 FROM pending_evictions)")?.int64 == 1
            for changeSet in page.changeSets {
                for change in changeSet.changes {
                    if change.op == .evict {
                        try evict(change.key, db: db)
                        mayHavePendingEvictions = true
                        changed.insert(change.key)
                        continue
                    }
                    if mayHavePendingEvictions {
                        try db.run("DELETE FROM pending_evictions WHERE collection = ? AND id = ?", [change.collection, change.id])
                    }
                    var shadowed = 0
                    if hasShadows {
                        let body = change.body.map { JSONSerializer.string(.object($0)) }
                        shadowed = try db.run(
                            "UPDATE shadows SET body = ? WHERE collection = ? AND id = ?",
                            [body, change.collection, change.id] as [any SQLiteBindable]
                        )
                    }
                    if shadowed > 0 {
                        needsRebase = true
                    } else {
                        try Self.writeRecord(db, change)
                    }
                    changed.insert(change.key)
                }
            }
            var resultsThrough = try Self.position(db).resultsThrough
            if !page.hasMore {
                let confirmed = try confirmMutations(through: page.lastMutationId, serverResults: page.results, db: db)
                let wiped = try Meta.get(db, "needs_rebase") != nil
                needsRebase = needsRebase || wiped || !confirmed.isEmpty
                resultsThrough = max(resultsThrough, page.lastMutationId)
                try Meta.set(db, "needs_rebase", nil)
                if try Meta.get(db, "renumber_outbox") != nil {
                    // Confirmed ones are gone; what is left is unknown to the new history.
                    try renumberOutbox(after: page.lastMutationId, db: db)
                    needsRebase = true
                }
            }
            if needsRebase { changed.formUnion(try rebase(db: db, now: now)) }
            if !page.hasMore { changed.formUnion(try completeEvictions(db: db)) }
            try Meta.set(db, "cursor", String(page.cursor))
            try Meta.set(db, "results_through", String(resultsThrough))
            // On the last page the server's number is the truth. Lower than what it acknowledged,
            // it lost those mutations (a disk that lost synced writes, an old copy of its file put
            // back by hand): they are still in the outbox, as only a pull confirms, and the next
            // push sends them again; a duplicate would get its stored result.
            let known = try Self.position(db).serverLastMutationID
            let serverLast = page.hasMore ? max(known, page.lastMutationId) : page.lastMutationId
            try Meta.set(db, "server_last_mutation_id", String(serverLast))
            var clock = HybridClock(last: HybridTimestamp(try Meta.get(db, "hlc") ?? "") ?? .zero)
            clock.observe(
                HybridTimestamp(millis: Int64((page.serverTime.timeIntervalSince1970 * 1000).rounded(.down))),
                physicalMillis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
            )
            try Meta.set(db, "hlc", clock.last.description)
            return changed
        }
        if !changed.isEmpty { notify(ReplicaChange(cause: .sync, keys: changed)) }
        return changed
    }

    /// Removes from the outbox every mutation up to `lastMutationID`; the refused ones move to
    /// `rejections` with their reason. Returns the removed ids.
    private func confirmMutations(through lastMutationID: Int64, serverResults: [MutationResult], db: Connection) throws -> [Int64] {
        let resultsByID = Dictionary(serverResults.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        let rows = try db.query(
            """
            SELECT id, name, args, occurred_at, result_status, result_code, result_message, result_resolution FROM outbox
            WHERE id <= ? ORDER BY id
            """,
            [lastMutationID]
        )
        for row in rows {
            let id = row.int64(at: 0) ?? 0
            let pulled = resultsByID[id]
            let status = pulled?.status.rawValue ?? row.string(at: 4) ?? MutationStatus.applied.rawValue
            if status == MutationStatus.rejected.rawValue {
                try db.run(
                    """
                    INSERT OR REPLACE INTO rejections (mutation_id, name, args, occurred_at, code, message)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    [
                        id, row.string(at: 1), row.string(at: 2), row.string(at: 3),
                        pulled?.code ?? row.string(at: 5) ?? "rejected",
                        pulled?.message ?? row.string(at: 6) ?? "The server refused this action.",
                    ] as [any SQLiteBindable]
                )
                try db.run(
                    """
                    INSERT OR IGNORE INTO rejection_touches (mutation_id, collection, id)
                    SELECT mutation_id, collection, id FROM outbox_touches WHERE mutation_id = ?
                    """,
                    [id]
                )
            }
            else if let resolution = pulled?.resolution ?? row.string(at: 7) {
                try db.run(
                    """
                    INSERT OR REPLACE INTO rejections (mutation_id, name, args, occurred_at, code, message, kind)
                    VALUES (?, ?, ?, ?, 'resolved', ?, 'resolved')
                    """,
                    [id, row.string(at: 1), row.string(at: 2), row.string(at: 3), resolution] as [any SQLiteBindable]
                )
            }
            try db.run("DELETE FROM outbox WHERE id = ?", [id])
        }
        return rows.compactMap { $0.int64(at: 0) }
    }

    /// After a replaced server history, the server may know fewer of this device's mutations than
    /// were confirmed before: number the outbox again from the server's next expected number.
    private func renumberOutbox(after lastMutationID: Int64, db: Connection) throws {
        try db.run("DELETE FROM outbox_touches")
        let ids = try db.query("SELECT id FROM outbox ORDER BY id").compactMap { $0.int64(at: 0) }
        if let first = ids.first, first != lastMutationID + 1 {
            // Move out of the way first, so that new and old numbers never collide.
            try db.run("UPDATE outbox SET id = -id")
            for (offset, id) in ids.enumerated() {
                try db.run("UPDATE outbox SET id = ? WHERE id = ?", [lastMutationID + 1 + Int64(offset), -id])
            }
        }
        try Meta.set(db, "next_mutation_id", String(lastMutationID + 1 + Int64(ids.count)))
        try Meta.set(db, "renumber_outbox", nil)
    }

    /// A record left this device's scope: it goes now, unless a pending mutation of this device
    /// touches it; then it goes once the server has confirmed that mutation.
    private func evict(_ key: RecordKey, db: Connection) throws {
        let pending = try db.queryOne(
            "SELECT 1 FROM outbox_touches WHERE collection = ? AND id = ?", [key.collection, key.id]
        ) != nil
        if pending {
            try db.run("INSERT OR IGNORE INTO pending_evictions (collection, id) VALUES (?, ?)", [key.collection, key.id])
            try db.run("UPDATE shadows SET body = NULL WHERE collection = ? AND id = ?", [key.collection, key.id])
        } else {
            try db.run("DELETE FROM shadows WHERE collection = ? AND id = ?", [key.collection, key.id])
            try db.run("DELETE FROM records WHERE collection = ? AND id = ?", [key.collection, key.id])
        }
    }

    /// Removes the records whose eviction waited for pending mutations that are now confirmed.
    private func completeEvictions(db: Connection) throws -> Set<RecordKey> {
        var removed: Set<RecordKey> = []
        for row in try db.query(
            """
            SELECT collection, id FROM pending_evictions p
            WHERE NOT EXISTS (SELECT 1 FROM outbox_touches t WHERE t.collection = p.collection AND t.id = p.id)
            """
        ) {
            let key = RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")
            try evict(key, db: db)
            try db.run("DELETE FROM pending_evictions WHERE collection = ? AND id = ?", [key.collection, key.id])
            removed.insert(key)
        }
        return removed
    }

    /// Puts every locally changed record back to the server's version, then re-applies the
    /// outbox in order. A mutation that no longer applies keeps its place in the outbox (the
    /// server decides) and notes why.
    private func rebase(db: Connection, now: Date) throws -> Set<RecordKey> {
        var keys: Set<RecordKey> = []
        for row in try db.query("SELECT collection, id, body FROM shadows") {
            let key = RecordKey(row.string(at: 0) ?? "", row.string(at: 1) ?? "")
            let body = try row.string(at: 2).map { try Self.object($0) }
            try Self.writeRecord(db, RecordChange(key: key, body: body))
            keys.insert(key)
        }
        try db.run("DELETE FROM shadows")
        try db.run("DELETE FROM outbox_touches")
        let rows = try db.query("SELECT user_id, role FROM outbox ORDER BY id")
        let pending = try Self.outbox(db, after: 0, limit: Int.max)
        for (mutation, row) in zip(pending, rows) {
            guard registry.definition(named: mutation.name)?.worksOffline == true else { continue }
            let author = MutationAuthor(userID: row.string(at: 0) ?? "", role: row.string(at: 1) ?? "", clientID: clientID)
            do {
                let touched = try db.savepoint {
                    try applyLocally(mutation, author: author, now: now, db: db)
                }
                keys.formUnion(touched)
                try db.run("UPDATE outbox SET local_error = NULL WHERE id = ?", [mutation.id])
            } catch let rejection as MutationRejection {
                try db.run("UPDATE outbox SET local_error = ? WHERE id = ?", [rejection.message, mutation.id] as [any SQLiteBindable])
            }
        }
        return keys
    }

    /// The server lost history this device holds (restored from a backup): forget the server's
    /// records and download everything again. The outbox is kept and re-applied afterwards.
    func resetForFullResync() throws(ReplicaError) {
        try write { db in
            try Self.wipeRecords(db)
        }
    }

    /// The server's history was replaced (its database restored or rebuilt): forget everything
    /// learned from the old one, keep the outbox, and start again from version 0.
    func startNewHistory(serverID: String) throws(ReplicaError) {
        try write { db in
            try Self.wipeRecords(db)
            try Meta.set(db, "server_id", serverID)
            try Meta.set(db, "server_last_mutation_id", "0")
            try Meta.set(db, "results_through", "0")
            try db.run("UPDATE outbox SET result_status = NULL, result_code = NULL, result_message = NULL, result_resolution = NULL")
            try Meta.set(db, "renumber_outbox", "1")
        }
    }

    func recordSyncSuccess() throws(ReplicaError) {
        let now = self.now
        try write { db in
            try Meta.set(db, "last_sync_at", RFC3339.string(from: now))
            try Meta.set(db, "last_error", nil)
        }
    }

    func recordSyncFailure(_ message: String) throws(ReplicaError) {
        try write { db in try Meta.set(db, "last_error", message) }
    }

    /// Forgets the session token (after the server said it is no longer valid).
    func clearToken() throws(ReplicaError) {
        try write { db in try Meta.set(db, "token", nil) }
    }
}
