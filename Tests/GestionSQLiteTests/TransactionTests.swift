import Foundation
import GestionSQLite
import Testing

private struct Boom: Error, Equatable {}

@Suite struct TransactionTests {
    @Test(arguments: Connection.TransactionKind.allCases)
    func transactionCommits(kind: Connection.TransactionKind) throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE t(x)")
        let result = try db.connection.transaction(kind) {
            #expect(db.connection.isInTransaction)
            try db.connection.run("INSERT INTO t VALUES (?)", [1])
            return "done"
        }
        #expect(result == "done")
        #expect(!db.connection.isInTransaction)
        // Visible from another connection: it was committed.
        #expect(try count(try db.open(), "t") == 1)
    }

    @Test(arguments: Connection.TransactionKind.allCases)
    func transactionRollsBackOnThrow(kind: Connection.TransactionKind) throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE t(x)")
        #expect(throws: Boom.self) {
            try db.connection.transaction(kind) {
                try db.connection.run("INSERT INTO t VALUES (?)", ["should vanish"])
                throw Boom()
            }
        }
        #expect(!db.connection.isInTransaction)
        #expect(try count(db.connection, "t") == 0)
        #expect(try count(try db.open(), "t") == 0)
    }

    @Test func sqliteErrorInsideTransactionRollsBackEverything() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(k UNIQUE)")
        let error = sqliteError {
            try c.transaction {
                try c.run("INSERT INTO t VALUES (1)")
                try c.run("INSERT INTO t VALUES (1)")
            }
        }
        #expect(error?.isConstraintViolation == true)
        #expect(try count(c, "t") == 0)
    }

    @Test func failedCommitRollsBackAndThrows() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("""
            CREATE TABLE parent(id INTEGER PRIMARY KEY);
            CREATE TABLE child(parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            """)
        let error = sqliteError {
            try c.transaction {
                try c.run("INSERT INTO child VALUES (42)")  // checked only at COMMIT
                #expect(c.isInTransaction)
            }
        }
        #expect(error?.code == 787)
        #expect(error?.sql?.contains("COMMIT") == true)
        #expect(!c.isInTransaction)
        #expect(try count(c, "child") == 0)
    }

    @Test func nestedTransactionsUseSavepoints() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(x)")
        try c.transaction {
            try c.run("INSERT INTO t VALUES ('outer')")
            #expect(throws: Boom.self) {
                try c.transaction {
                    try c.run("INSERT INTO t VALUES ('inner rolled back')")
                    throw Boom()
                }
            }
            #expect(c.isInTransaction)
            try c.transaction(.exclusive) {  // kind ignored when nested
                try c.run("INSERT INTO t VALUES ('inner kept')")
                try c.savepoint("sp \"quoted\"") {
                    try c.run("INSERT INTO t VALUES ('deepest kept')")
                }
            }
        }
        #expect(!c.isInTransaction)
        let values = try c.query("SELECT x FROM t ORDER BY rowid").compactMap { $0.string(at: 0) }
        #expect(values == ["outer", "inner kept", "deepest kept"])
    }

    @Test func outerRollbackUndoesReleasedInnerWork() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(x)")
        #expect(throws: Boom.self) {
            try c.transaction {
                try c.transaction { try c.run("INSERT INTO t VALUES (1)") }
                throw Boom()
            }
        }
        #expect(try count(c, "t") == 0)
    }

    @Test func savepointOutsideTransactionCommitsOrRollsBack() throws {
        let db = try TestDatabase()
        let c = db.connection
        try c.execute("CREATE TABLE t(x)")
        try c.savepoint("alone") { try c.run("INSERT INTO t VALUES (1)") }
        #expect(!c.isInTransaction)
        #expect(throws: Boom.self) {
            try c.savepoint { try c.run("INSERT INTO t VALUES (2)"); throw Boom() }
        }
        #expect(!c.isInTransaction)
        #expect(try count(try db.open(), "t") == 1)
    }

    @Test func immediateTransactionTakesTheWriteLock() throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE t(x)")
        let other = try db.open(.init(busyTimeout: .zero))
        try db.connection.transaction(.immediate) {
            // Nothing written yet, but the write lock is already held.
            let write = sqliteError { try other.run("INSERT INTO t VALUES (2)") }
            #expect(write?.isBusy == true, "\(String(describing: write))")
            let begin = sqliteError { try other.transaction(.immediate) {} }
            #expect(begin?.isBusy == true)
            #expect(!other.isInTransaction)
            // Readers are not blocked in WAL mode.
            #expect(try count(other, "t") == 0)
            try db.connection.run("INSERT INTO t VALUES (1)")
        }
        try other.run("INSERT INTO t VALUES (2)")
        #expect(try count(other, "t") == 2)
    }

    @Test func deferredReadTransactionKeepsASnapshotWhileAnotherConnectionCommits() throws {
        let db = try TestDatabase()
        let writer = db.connection
        try writer.execute("CREATE TABLE changes(seq INTEGER PRIMARY KEY, payload TEXT)")
        try writer.run("INSERT INTO changes(payload) VALUES (?)", ["a"])
        let reader = try db.open()
        try reader.transaction(.deferred) {
            let before = try count(reader, "changes")
            #expect(before == 1)
            try writer.transaction { try writer.run("INSERT INTO changes(payload) VALUES (?)", ["b"]) }
            try writer.run("INSERT INTO changes(payload) VALUES (?)", ["c"])
            #expect(try count(writer, "changes") == 3)
            // Same snapshot: neither the row count nor the max sequence moved.
            #expect(try count(reader, "changes") == before)
            #expect(try reader.queryScalar("SELECT max(seq) FROM changes") == 1)
        }
        #expect(try count(reader, "changes") == 3)
    }
}
