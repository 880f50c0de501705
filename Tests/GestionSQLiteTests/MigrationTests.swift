import Foundation
import GestionSQLite
import Testing

private let v1 = Migration(name: "001-create-clientes", sql: """
    CREATE TABLE clientes(id TEXT PRIMARY KEY, nombre TEXT NOT NULL);
    CREATE INDEX clientes_nombre ON clientes(nombre);
    """)
private let v2 = Migration(name: "002-create-creditos", sql: """
    CREATE TABLE creditos(numeroCredito TEXT PRIMARY KEY, cliente_id TEXT NOT NULL REFERENCES clientes(id));
    """)
private let v3 = Migration(name: "003-add-saldo", sql: "ALTER TABLE creditos ADD COLUMN saldo REAL")

private func tableNames(_ c: Connection) throws -> [String] {
    try c.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0.string(at: 0) }
}

@Suite struct MigrationTests {
    @Test func migrationsApplyOnceAndRerunAppliesNothing() throws {
        let db = try TestDatabase()
        let migrator = Migrator([v1, v2])
        #expect(try migrator.hasPendingMigrations(db.connection))
        #expect(try migrator.migrate(db.connection) == [v1.name, v2.name])
        #expect(try migrator.migrate(db.connection) == [])
        #expect(try !migrator.hasPendingMigrations(db.connection))
        #expect(try tableNames(db.connection) == ["clientes", "creditos", "schema_migrations"])
        let rows = try db.connection.query("SELECT name, applied_at FROM schema_migrations ORDER BY rowid")
        #expect(rows.map { $0.string("name") } == [v1.name, v2.name])
        for row in rows {
            let appliedAt = try #require(row.date("applied_at"))
            #expect(abs(appliedAt.timeIntervalSinceNow) < 60)
        }
        // A later build appends a migration: only that one runs, also from another connection.
        let second = try db.open()
        #expect(try Migrator([v1, v2, v3]).migrate(second) == [v3.name])
        #expect(try Migrator([v1, v2, v3]).appliedMigrationNames(db.connection) == [v1.name, v2.name, v3.name])
    }

    @Test func failingMigrationLeavesNoRowAndNoPartialSchema() throws {
        let db = try TestDatabase()
        let broken = Migration(name: "002-broken", sql: """
            CREATE TABLE half_done(x);
            INSERT INTO half_done VALUES (1);
            CREATE TABLE oops(;
            """)
        let error = #expect(throws: MigrationError.self) { try Migrator([v1, broken]).migrate(db.connection) }
        guard case .migrationFailed(let name, let sqliteError)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(name == "002-broken")
        #expect(sqliteError.primaryCode == 1)
        #expect(!db.connection.isInTransaction)
        #expect(try tableNames(db.connection) == ["clientes", "schema_migrations"])
        #expect(try Migrator([v1]).appliedMigrationNames(db.connection) == [v1.name])
        // Fixing the migration (same name, not yet applied anywhere) then works.
        let fixed = Migration(name: "002-broken", sql: "CREATE TABLE half_done(x)")
        #expect(try Migrator([v1, fixed]).migrate(db.connection) == ["002-broken"])
    }

    @Test func failingFirstMigrationRollsBackItsOwnStatements() throws {
        let c = try Connection(path: ":memory:")
        let broken = Migration(name: "001", sql: "CREATE TABLE a(x); INSERT INTO a VALUES (1); INSERT INTO missing VALUES (1);")
        #expect(throws: MigrationError.self) { try Migrator([broken]).migrate(c) }
        #expect(try tableNames(c) == ["schema_migrations"])
        #expect(try count(c, "schema_migrations") == 0)
    }

    @Test func unknownMigrationInTheDatabaseMeansItIsNewer() throws {
        let db = try TestDatabase()
        try Migrator([v1, v2, v3]).migrate(db.connection)
        // An older build that only knows v1 and v2.
        let error = #expect(throws: MigrationError.self) { try Migrator([v1, v2]).migrate(db.connection) }
        #expect(error == .databaseIsNewer(unknown: [v3.name]))
        #expect(throws: MigrationError.databaseIsNewer(unknown: [v1.name, v2.name, v3.name])) {
            try Migrator([]).migrate(db.connection)
        }
    }

    @Test func knownMigrationsAppliedOutOfOrderAreRefused() throws {
        let db = try TestDatabase()
        // A build whose list skipped v2 (the list was edited, not appended to).
        let standaloneV3 = Migration(name: v3.name, sql: "CREATE TABLE z(x)")
        #expect(try Migrator([v1, standaloneV3]).migrate(db.connection) == [v1.name, v3.name])
        #expect(throws: MigrationError.outOfOrder(missing: [v2.name])) {
            try Migrator([v1, v2, v3]).migrate(db.connection)
        }
        #expect(try count(db.connection, "schema_migrations") == 2)
    }

    @Test func duplicateNamesAreRefused() throws {
        let c = try Connection(path: ":memory:")
        #expect(throws: MigrationError.duplicateName(v1.name)) { try Migrator([v1, v2, v1]).migrate(c) }
        #expect(try tableNames(c).contains("clientes") == false)
    }

    @Test func migrationErrorDescriptionsNameTheMigrations() {
        #expect(MigrationError.databaseIsNewer(unknown: ["009-x"]).description.contains("009-x"))
        #expect(MigrationError.outOfOrder(missing: ["002-y"]).description.contains("002-y"))
    }
}
