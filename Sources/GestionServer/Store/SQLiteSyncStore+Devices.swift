import Foundation
import GestionProtocol
import GestionSQLite
import SyncCore

extension SQLiteSyncStore {
    static let deviceColumns = """
        client_id, user_id, device_name, app_version, status, last_mutation_id, last_sync_at, pending_count, oldest_pending_at
        """

    static func deviceRecord(_ row: Row) -> DeviceRecord { deviceRecord(row, from: 0) }

    /// The device in `deviceColumns` order starting at column `first`.
    static func deviceRecord(_ row: Row, from first: Int) -> DeviceRecord {
        DeviceRecord(
            clientId: row.string(at: first) ?? "", userId: row.string(at: first + 1) ?? "", deviceName: row.string(at: first + 2) ?? "",
            appVersion: row.string(at: first + 3) ?? "", status: DeviceStatus(rawValue: row.string(at: first + 4) ?? "") ?? .active,
            lastMutationId: row.int64(at: first + 5) ?? 0, lastSyncAt: row.string(at: first + 6).flatMap(RFC3339.date(from:)),
            pendingCount: row.int(at: first + 7), oldestPendingAt: row.string(at: first + 8).flatMap(RFC3339.date(from:))
        )
    }

    public func device(clientID: String) throws(SyncStoreError) -> DeviceRecord? {
        try read { db in try Self.device(clientID: clientID, in: db) }
    }

    static func device(clientID: String, in db: Connection) throws -> DeviceRecord? {
        try db.queryOne("SELECT \(deviceColumns) FROM clients WHERE client_id = ?", [clientID]).map(deviceRecord)
    }

    public func devices(userID: String?) throws(SyncStoreError) -> [DeviceRecord] {
        try read { db in
            let rows = try userID.map {
                try db.query("SELECT \(Self.deviceColumns) FROM clients WHERE user_id = ? ORDER BY user_id, device_name", [$0])
            } ?? db.query("SELECT \(Self.deviceColumns) FROM clients WHERE client_id NOT LIKE '%:%' ORDER BY user_id, device_name")
            return rows.map(Self.deviceRecord)
        }
    }

    public func recordDeviceReport(clientID: String, report: DeviceReport, at: Date) throws(SyncStoreError) {
        try write { db in
            try db.run(
                """
                UPDATE clients SET pending_count = ?, oldest_pending_at = ?, last_sync_at = ?, last_seen_at = ?,
                                   app_version = COALESCE(?, app_version)
                WHERE client_id = ?
                """,
                [
                    report.waiting, report.waitingSince.map(RFC3339.string(from:)), RFC3339.string(from: at),
                    RFC3339.string(from: at), report.appVersion, clientID,
                ] as [any SQLiteBindable]
            )
        }
    }

    @discardableResult
    public func setDeviceStatus(clientID: String, to status: DeviceStatus, actor: String, at: Date) throws(SyncStoreError)
        -> DeviceRecord
    {
        try write { db in
            guard let row = try db.queryOne("SELECT \(Self.deviceColumns) FROM clients WHERE client_id = ?", [clientID]) else {
                throw SyncStoreError.failed("there is no device \(clientID)")
            }
            var device = Self.deviceRecord(row)
            try db.run("UPDATE clients SET status = ? WHERE client_id = ?", [status.rawValue, clientID])
            var outcome = "ok:\(device.status.rawValue)→\(status.rawValue)"
            if status == .revoked {
                // What the device had not uploaded is lost with it: what it reported at its last
                // sync, and anything recorded on it since.
                let lastSync = device.lastSyncAt.map(RFC3339.string(from:)) ?? "never"
                outcome += "; last sync \(lastSync) with \(device.pendingCount ?? 0) change(s) waiting"
                if let oldest = device.oldestPendingAt { outcome += " (oldest from \(RFC3339.string(from: oldest)))" }
                outcome += "; anything recorded on it since is lost"
            }
            try AuditTrail.append(
                AuditEntry(
                    kind: status == .retired ? "device" : "admin", action: "device \(status.rawValue)", actor: actor,
                    role: status == .retired ? "device" : "admin", device: clientID, subjects: ["users/\(device.userId)"],
                    outcome: outcome
                ),
                at: at, db: db
            )
            device.status = status
            return device
        }
    }
}

extension DeviceReport {
    /// What the device holds that the server has not received: what a revocation would lose.
    /// The outbox also keeps, until the next pull confirms them, mutations this very sync uploaded;
    /// those are not counted (older clients send only `pendingCount`).
    public var waiting: Int { unsentCount ?? pendingCount }

    /// When the user did the oldest of them, if any (approximated by the oldest in the outbox).
    public var waitingSince: Date? { waiting == 0 ? nil : oldestPendingAt }
}
