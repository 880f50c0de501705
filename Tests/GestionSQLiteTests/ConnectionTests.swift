import Foundation
import GestionSQLite
import Testing

@Suite struct ConnectionTests {
    @Test func openAndCloseIsIdempotent() throws {
        let db = try TestDatabase()
        let connection = db.connection
        #expect(connection.isOpen)
        try connection.execute("CREATE TABLE t(x)")
        connection.close()
        connection.close()
        #expect(!connection.isOpen)
        let error = sqliteError { try connection.run("INSERT INTO t VALUES (1)") }
        #expect(error?.isMisuse == true)
        #expect(sqliteError { _ = try connection.prepare("SELECT 1") }?.isMisuse == true)
        // The data survived the close.
        let reopened = try db.open()
        #expect(try reopened.queryScalar("SELECT count(*) FROM t") == .integer(0))
    }

    @Test func statementHeldAfterCloseThrowsInsteadOfCrashing() throws {
        let db = try TestDatabase()
        let cached = try db.connection.prepare("SELECT 1")
        let owned = try db.connection.prepare("SELECT 2", cached: false)
        db.connection.close()
        #expect(sqliteError { _ = try cached.step() }?.isMisuse == true)
        #expect(sqliteError { _ = try owned.step() }?.isMisuse == true)
        #expect(sqliteError { try owned.bind(1, Int64(1)) }?.isMisuse == true)
    }

    @Test func inMemoryDatabase() throws {
        let connection = try Connection(path: ":memory:")
        try connection.execute("CREATE TABLE t(x); INSERT INTO t VALUES (42);")
        #expect(try connection.queryScalar("SELECT x FROM t") == 42)
        #expect(try connection.queryScalar("PRAGMA journal_mode")?.string == "memory")
    }

    @Test func walIsReallyEnabledOnAFile() throws {
        let db = try TestDatabase()
        #expect(try db.connection.queryScalar("PRAGMA journal_mode")?.string == "wal")
        try db.connection.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        #expect(FileManager.default.fileExists(atPath: db.path + "-wal"))
        // A second connection sees WAL as the persistent mode of the file.
        let other = try db.open(.init(journalMode: .wal))
        #expect(try other.queryScalar("PRAGMA journal_mode")?.string == "wal")
    }

    /// SQLite answers `delete` to `journal_mode = WAL` on an anonymous temporary database:
    /// the answer is verified, so the open fails instead of silently running without WAL.
    @Test func journalModeAnswerIsVerified() throws {
        let error = sqliteError { _ = try Connection(path: "") }
        #expect(error?.message.contains("journal_mode wal was not applied") == true)
        let temporary = try Connection(path: "", configuration: .init(journalMode: .delete))
        #expect(try temporary.queryScalar("PRAGMA journal_mode") == "delete")
    }

    @Test(arguments: Connection.JournalMode.allCases)
    func journalModeIsApplied(mode: Connection.JournalMode) throws {
        let db = try TestDatabase(configuration: .init(journalMode: mode))
        #expect(try db.connection.queryScalar("PRAGMA journal_mode")?.string == mode.rawValue)
    }

    @Test(arguments: Connection.Synchronous.allCases)
    func synchronousIsApplied(level: Connection.Synchronous) throws {
        let db = try TestDatabase(configuration: .init(synchronous: level))
        #expect(try db.connection.queryScalar("PRAGMA synchronous")?.int == level.rawValue)
    }

    @Test func foreignKeysAndCacheSizeAreApplied() throws {
        let db = try TestDatabase(configuration: .init(cacheSizeKiB: 4096))
        #expect(try db.connection.queryScalar("PRAGMA foreign_keys") == 1)
        #expect(try db.connection.queryScalar("PRAGMA cache_size") == -4096)
        let off = try db.open(.init(foreignKeys: false))
        #expect(try off.queryScalar("PRAGMA foreign_keys") == 0)
    }

    /// Read-only connections skip the journal-mode pragma: there only the `sqlite_master` read catches it.
    @Test(arguments: [
        "This is a plain text file, not a database.\n",
        String(repeating: "Gestión Móvil: notas de campo, no una base de datos.\n", count: 200),
    ], [false, true])
    func textFileIsRefusedAtOpen(contents: String, readOnly: Bool) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.txt")
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try Connection(path: path, configuration: .init(readOnly: readOnly))
            Issue.record("a text file opened as a database")
        } catch {
            #expect(error.isNotADatabase, "\(error)")
            #expect(error.primaryCode == 26)
        }
        // The file is left untouched.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == contents)
    }

    @Test func readOnlyConnectionRefusesWritesAndMissingFiles() throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        let reader = try db.open(.init(readOnly: true))
        #expect(try count(reader, "t") == 1)
        let error = sqliteError { try reader.run("INSERT INTO t VALUES (2)") }
        #expect(error?.isReadOnly == true)
        let missing = db.directory.path("missing.sqlite")
        #expect(throws: SQLiteError.self) { _ = try Connection(path: missing, configuration: .init(readOnly: true)) }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func checkpointTruncateEmptiesTheWAL() throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);")
        let walPath = db.path + "-wal"
        let before = try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int ?? 0
        #expect(before > 0)
        let result = try db.connection.checkpoint(.truncate)
        #expect(result.walFrames == 0)
        let after = try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int ?? -1
        #expect(after == 0)
        #expect(try db.connection.checkpoint(.passive).walFrames == 0)
    }

    @Test func changeCountersAndRowIDs() throws {
        let connection = try Connection(path: ":memory:")
        try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, x)")
        try connection.run("INSERT INTO t(x) VALUES (?)", ["a"])
        #expect(connection.lastInsertRowID == 1)
        try connection.run("INSERT INTO t(x) VALUES (?)", ["b"])
        #expect(connection.lastInsertRowID == 2)
        #expect(try connection.run("UPDATE t SET x = 'c'") == 2)
        #expect(connection.changes == 2)
        #expect(try connection.run("DELETE FROM t WHERE id = ?", [1]) == 1)
        #expect(connection.totalChanges == 5)
    }

    @Test func userVersionAndLibraryVersion() throws {
        let connection = try Connection(path: ":memory:")
        #expect(try connection.userVersion() == 0)
        try connection.setUserVersion(7)
        #expect(try connection.userVersion() == 7)
        #expect(Connection.libraryVersion.hasPrefix("3."))
    }

    @Test func executeRunsScriptsAndReportsTheFailingStatement() throws {
        let connection = try Connection(path: ":memory:")
        try connection.execute("""
            -- a comment
            CREATE TABLE a(x);
            CREATE TABLE b(y);   INSERT INTO a VALUES (1);
            /* trailing comment */
            """)
        #expect(try count(connection, "a") == 1)
        let error = sqliteError { try connection.execute("INSERT INTO a VALUES (2); INSERT INTO nowhere VALUES (3);") }
        #expect(error?.sql?.contains("nowhere") == true)
        #expect(error?.sql?.contains("INSERT INTO a") == false)
        #expect(try count(connection, "a") == 2)
        try connection.execute("")
        try connection.execute("  -- nothing  ")
    }

    @Test func singleStatementAPIsRefuseScriptsAndEmptySQL() throws {
        let connection = try Connection(path: ":memory:")
        try connection.execute("CREATE TABLE t(x)")
        let script = sqliteError { try connection.run("INSERT INTO t VALUES (1); DROP TABLE t") }
        #expect(script?.isMisuse == true)
        #expect(try count(connection, "t") == 0)
        #expect(sqliteError { try connection.run("") }?.isMisuse == true)
        #expect(sqliteError { try connection.run("  /* only a comment */ ") }?.isMisuse == true)
        // Trailing semicolons, whitespace and comments are fine.
        try connection.run("INSERT INTO t VALUES (1);  -- done\n")
        #expect(try count(connection, "t") == 1)
        let syntax = sqliteError { try connection.run("SELEKT 1") }
        #expect(syntax?.primaryCode == 1)
        #expect(syntax?.sql == "SELEKT 1")
    }
}
