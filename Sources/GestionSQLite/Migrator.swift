import Foundation

/// One schema migration: a unique name and plain SQL (never application types, so that old
/// migrations keep working as the code evolves). The SQL may hold several statements, but no
/// `BEGIN`/`COMMIT` (it already runs in a transaction) and no `PRAGMA foreign_keys` (ignored there).
public struct Migration: Sendable, Equatable {
    /// The unique name recorded in `schema_migrations` (e.g. `"2024-05-01-create-creditos"`).
    public var name: String
    /// The SQL script.
    public var sql: String

    /// Creates a migration.
    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// Why ``Migrator/migrate(_:)`` refused to run or stopped.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database records migrations this build does not know: it was written by a newer build.
    case databaseIsNewer(unknown: [String])
    /// Known migrations are missing before one that is applied (the list was not append-only,
    /// or the database was migrated by a build with a different order).
    case outOfOrder(missing: [String])
    /// The same name appears twice in the migration list (a programming error).
    case duplicateName(String)
    /// A migration's SQL failed; its transaction was rolled back (no schema change, no bookkeeping row).
    case migrationFailed(name: String, error: SQLiteError)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .databaseIsNewer(let unknown):
            "The database was migrated by a newer version (unknown migrations: \(unknown.joined(separator: ", ")))"
        case .outOfOrder(let missing):
            "Migrations were applied out of order (missing: \(missing.joined(separator: ", ")))"
        case .duplicateName(let name):
            "Duplicate migration name: \(name)"
        case .migrationFailed(let name, let error):
            "Migration \(name) failed: \(error)"
        }
    }
}

/// Applies an append-only list of migrations, recording each in
/// `schema_migrations(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`.
///
/// Each migration and its bookkeeping row are written in one IMMEDIATE transaction, so a failure
/// leaves neither schema changes nor a row, and two processes migrating at once apply each
/// migration exactly once. Run it on a writable connection before other use of the database.
public struct Migrator: Sendable {
    /// The migrations, in application order.
    public let migrations: [Migration]

    /// The bookkeeping table's name.
    public static let tableName = "schema_migrations"

    /// Creates a migrator for an append-only list: only ever add migrations at the end.
    public init(_ migrations: [Migration]) {
        self.migrations = migrations
    }

    /// Applies the pending migrations in order.
    /// - Returns: the names applied by this call (empty when the database was up to date).
    /// - Throws: ``MigrationError`` (`databaseIsNewer`, `outOfOrder`, `duplicateName`,
    ///   `migrationFailed`), or a ``SQLiteError`` for the bookkeeping itself.
    @discardableResult
    public func migrate(_ connection: Connection) throws -> [String] {
        try checkUniqueNames()
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS \(Self.tableName) (
                name TEXT PRIMARY KEY NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        // A cheap read first: an up-to-date database takes no write lock.
        let initiallyApplied = try appliedNames(connection)
        try validate(applied: initiallyApplied)
        var newlyApplied: [String] = []
        for migration in migrations where !initiallyApplied.contains(migration.name) {
            let didApply = try connection.transaction(.immediate) { () throws -> Bool in
                // Re-read under the write lock: another process may have migrated meanwhile.
                let applied = try appliedNames(connection)
                try validate(applied: applied)
                if applied.contains(migration.name) { return false }
                do {
                    try connection.execute(migration.sql)
                } catch let error as SQLiteError {
                    throw MigrationError.migrationFailed(name: migration.name, error: error)
                }
                try connection.run(
                    "INSERT INTO \(Self.tableName) (name, applied_at) VALUES (?, ?)",
                    [migration.name, Date()])
                return true
            }
            if didApply { newlyApplied.append(migration.name) }
        }
        return newlyApplied
    }

    /// The names recorded in `schema_migrations` (empty when the table does not exist).
    public func appliedMigrationNames(_ connection: Connection) throws -> Set<String> {
        let exists = try connection.queryScalar(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [Self.tableName])
        return exists == nil ? [] : try appliedNames(connection)
    }

    /// `true` when some migration of the list is not recorded in the database.
    public func hasPendingMigrations(_ connection: Connection) throws -> Bool {
        let applied = try appliedMigrationNames(connection)
        return migrations.contains { !applied.contains($0.name) }
    }

    private func appliedNames(_ connection: Connection) throws(SQLiteError) -> Set<String> {
        var names = Set<String>()
        for row in try connection.query("SELECT name FROM \(Self.tableName)") {
            if let name = row.string(at: 0) { names.insert(name) }
        }
        return names
    }

    private func checkUniqueNames() throws(MigrationError) {
        var seen = Set<String>()
        for migration in migrations where !seen.insert(migration.name).inserted {
            throw .duplicateName(migration.name)
        }
    }

    /// Every applied name must be known, and the applied ones must be a prefix of the list.
    private func validate(applied: Set<String>) throws(MigrationError) {
        let known = Set(migrations.map(\.name))
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty { throw .databaseIsNewer(unknown: unknown.sorted()) }
        guard let lastApplied = migrations.lastIndex(where: { applied.contains($0.name) }) else { return }
        let missing = migrations[...lastApplied].map(\.name).filter { !applied.contains($0) }
        if !missing.isEmpty { throw .outOfOrder(missing: missing) }
    }
}
