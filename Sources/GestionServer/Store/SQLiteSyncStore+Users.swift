import Foundation
import GestionSQLite
import SyncCore

/// The user accounts an administrator manages after creating them: listing, disabling (a
/// mediator who leaves, a compromised account) and replacing a password. Each change is one
/// transaction with its audit entry.
extension SQLiteSyncStore {
    /// A user as the registry lists it, with how many devices hold a live session.
    public struct UserSummary: Sendable, Equatable {
        public var user: StoredUser
        public var createdAt: Date?
        /// Devices with a session that has not expired.
        public var activeSessions: Int
    }

    /// Every user who can sign in or could (server-internal clients excluded), by name.
    public func users(at now: Date) throws(SyncStoreError) -> [UserSummary] {
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        return try read { db in
            try db.query(
                """
                SELECT u.id, u.role, u.password_hash, u.disabled, u.unit, u.created_at,
                       (SELECT COUNT(DISTINCT t.client_id) FROM tokens t WHERE t.user_id = u.id AND t.expires_at_ms > ?)
                FROM users u WHERE u.password_hash <> '!' ORDER BY u.id
                """,
                [nowMillis]
            ).map { row in
                UserSummary(
                    user: StoredUser(
                        id: row.string(at: 0) ?? "", role: row.string(at: 1) ?? "", passwordHash: row.string(at: 2) ?? "",
                        disabled: row.bool(at: 3) ?? false, unit: row.string(at: 4)
                    ),
                    createdAt: row.string(at: 5).flatMap(RFC3339.date(from:)),
                    activeSessions: row.int(at: 6) ?? 0
                )
            }
        }
    }

    /// Disables `id` (no sign-in; every session refused from its next request, tokens deleted)
    /// or enables it again. Returns the sessions ended, or `nil` when there is no such user.
    /// The devices keep their unsent work until the user (enabled again) signs in.
    @discardableResult
    public func setUserDisabled(_ id: String, _ disabled: Bool, by actor: String, at now: Date) throws(SyncStoreError) -> Int? {
        try write { db in
            guard try db.queryOne("SELECT 1 FROM users WHERE id = ? AND password_hash <> '!'", [id]) != nil else { return nil }
            try db.run("UPDATE users SET disabled = ? WHERE id = ?", [disabled ? 1 : 0, id] as [any SQLiteBindable])
            let ended = disabled ? try Self.endSessions(of: id, db: db) : 0
            try AuditTrail.append(
                AuditEntry(
                    kind: "admin", action: disabled ? "user disable" : "user enable", actor: actor, role: "admin",
                    device: "gestion-server", subjects: ["users/\(id)"], outcome: disabled ? "ok:sessions_ended=\(ended)" : "ok"
                ),
                at: now, db: db
            )
            return ended
        }
    }

    /// Replaces `id`'s password hash and ends every session of theirs: each device asks its user
    /// to sign in with the new password, keeping its unsent work. Returns the sessions ended, or
    /// `nil` when there is no such user.
    @discardableResult
    public func setPasswordHash(_ id: String, _ hash: String, by actor: String, at now: Date) throws(SyncStoreError) -> Int? {
        try write { db in
            guard try db.queryOne("SELECT 1 FROM users WHERE id = ? AND password_hash <> '!'", [id]) != nil else { return nil }
            try db.run("UPDATE users SET password_hash = ? WHERE id = ?", [hash, id])
            let ended = try Self.endSessions(of: id, db: db)
            try AuditTrail.append(
                AuditEntry(
                    kind: "admin", action: "user password", actor: actor, role: "admin", device: "gestion-server",
                    subjects: ["users/\(id)"], outcome: "ok:sessions_ended=\(ended)"
                ),
                at: now, db: db
            )
            return ended
        }
    }

    /// Deletes every token of `user`; returns how many devices had one.
    private static func endSessions(of user: String, db: Connection) throws -> Int {
        let devices = try db.queryScalar("SELECT COUNT(DISTINCT client_id) FROM tokens WHERE user_id = ?", [user])?.int ?? 0
        try db.run("DELETE FROM tokens WHERE user_id = ?", [user])
        return devices
    }
}
