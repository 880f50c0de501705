import Foundation
import GestionSQLite
import GestionSQLiteFaults
import Testing

/// The fault-injecting VFS itself: it fails exactly the operation it is told to, a power cut puts
/// back exactly what was not synced, and SQLite's database survives every one of them.
@Suite struct FaultyVFSTests {
    @Test func countsTheWritesAndSyncsOfACommitOnItsOwnDatabaseOnly() throws {
        let directory = Scratch("count")
        let disk = FaultyDisk(databasePath: directory.path("watched.sqlite"), syncsReachTheDisk: true)
        let watched = try directory.database("watched.sqlite")
        let other = try directory.database("other.sqlite")
        disk.resetCounts()
        try insert(watched, rows: 1...20)
        try insert(other, rows: 1...20)
        #expect(disk.writes > 0)
        #expect(disk.syncs == 1, "WAL with synchronous=FULL syncs the log once per commit: \(disk.operations)")
        #expect(disk.operations.allSatisfy { $0.file == .wal }, "a commit in WAL mode writes only the log: \(disk.operations)")
        let writesOfOneDatabase = disk.writes
        try insert(other, rows: 21...40)
        #expect(disk.writes == writesOfOneDatabase, "writes to another database are not counted")

        disk.resetCounts()
        try watched.checkpoint(.truncate)
        #expect(disk.operations.contains { $0.file == .database && $0.kind == .write }, "a checkpoint writes the database file")
        #expect(disk.operations.contains { $0.file == .database && $0.kind == .sync })
    }

    @Test(arguments: [WriteFailure.ioError, .diskFull])
    func failsExactlyTheNthWriteAndTheDatabaseCarriesOn(failure: WriteFailure) throws {
        let writes = try countOperations { try insert($0, rows: 101...160) }.writes
        #expect(writes >= 3, "a transaction of 60 rows writes several frames")
        for n in 1...writes {
            let directory = Scratch("write-\(n)")
            let path = try directory.prepared()
            let disk = FaultyDisk(databasePath: path)
            let connection = try Connection(path: path, configuration: .faulty())
            disk.arm(.failWrite(n, failure), then: .carryOn)
            let error = try #require(throwsSQLiteError { try insert(connection, rows: 101...160) }, "write \(n) failed the commit")
            #expect(failure == .diskFull ? error.isDiskFull : error.code == 778 /* SQLITE_IOERR_WRITE */, "\(error)")
            #expect(disk.injected?.operation.number == n)
            #expect(disk.injected?.operation.kind == .write)
            #expect(disk.writes == n, "SQLite stops at the failed write")
            #expect(try rows(connection) == 50, "the failed transaction left nothing")
            try insert(connection, rows: 101...160)
            #expect(try rows(connection) == 110, "the next transaction succeeds")
            try expectIntact(connection)
        }
    }

    @Test func failsExactlyTheNthSync() throws {
        let syncs = try countOperations { db in
            try insert(db, rows: 101...110)
            try db.checkpoint(.passive)
        }.syncs
        #expect(syncs >= 3, "a commit syncs the log; a checkpoint syncs the log and the database")
        for n in 1...syncs {
            let directory = Scratch("sync-\(n)")
            let path = try directory.prepared()
            let disk = FaultyDisk(databasePath: path)
            let connection = try Connection(path: path, configuration: .faulty())
            disk.arm(.failSync(n), then: .carryOn)
            let error = throwsSQLiteError {
                try insert(connection, rows: 101...110)
                try connection.checkpoint(.passive)
            }
            #expect(error?.code == 1034 /* SQLITE_IOERR_FSYNC */, "sync \(n): \(String(describing: error))")
            #expect(disk.injected?.operation == disk.operations.last)
            #expect(disk.syncs == n)
            try expectIntact(connection)
        }
    }

    /// With nothing synced since the disk was attached, a power cut puts every file back byte
    /// for byte.
    @Test func aPowerCutRestoresEveryUnsyncedByte() throws {
        let directory = Scratch("undo")
        let path = directory.path("test.sqlite")
        let setup = try Connection(path: path)
        try setup.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)")
        setup.close()  // checkpoints and removes the log
        let before = try snapshot(path)

        let disk = FaultyDisk(databasePath: path)
        let connection = try Connection(path: path, configuration: .init(synchronous: .off, vfs: FaultyVFS.name))
        for batch in 0..<5 { try insert(connection, rows: (batch * 50 + 1)...(batch * 50 + 50)) }
        try connection.checkpoint(.passive)
        try insert(connection, rows: 1001...1010)
        #expect(disk.syncs == 0, "synchronous=OFF never syncs")
        #expect(try snapshot(path) != before)
        disk.cutPowerNow()
        #expect(throwsSQLiteError { try insert(connection, rows: 2001...2002) } != nil, "a dead disk takes no writes")
        #expect(throws: FaultyDiskError.filesStillOpen(2)) { try disk.restoreLastSyncedState() }
        connection.close()
        try disk.restoreLastSyncedState()
        #expect(try snapshot(path) == before, "the database is as it was, and the log created since is gone")
        let reopened = try Connection(path: path)
        #expect(try rows(reopened) == 0)
        try expectIntact(reopened)
    }

    /// The durability setting decides what survives a power cut: with `synchronous=NORMAL` in
    /// WAL mode a committed transaction is lost; with `FULL` it is kept.
    @Test(arguments: [Connection.Synchronous.normal, .full])
    func aCommittedTransactionSurvivesAPowerCutOnlyWhenSynced(synchronous: Connection.Synchronous) throws {
        let directory = Scratch("durability")
        let path = directory.path("test.sqlite")
        let disk = FaultyDisk(databasePath: path)
        let connection = try Connection(path: path, configuration: .init(synchronous: synchronous, vfs: FaultyVFS.name))
        try connection.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)")
        try insert(connection, rows: 1...10)
        try connection.checkpoint(.passive)  // the table and its first rows are in the database file, synced
        try insert(connection, rows: 11...20)  // committed: returned without error
        #expect(try rows(connection) == 20)
        disk.cutPowerNow()
        connection.close()
        try disk.restoreLastSyncedState()
        let reopened = try Connection(path: path)
        try expectIntact(reopened)
        #expect(try rows(reopened) == (synchronous == .full ? 20 : 10))
    }

    /// A power cut after every write, and after every sync, of a transaction and a checkpoint:
    /// the database is always intact and holds the transaction entirely or not at all, and
    /// entirely when its commit returned. In WAL mode and with a rollback journal.
    @Test(arguments: [Connection.JournalMode.wal, .delete])
    func aPowerCutAnywhereLeavesAnIntactAtomicDatabase(mode: Connection.JournalMode) throws {
        let work: (Connection) throws -> Void = { db in
            try insert(db, rows: 101...400)
            if mode == .wal { try db.checkpoint(.passive) }
        }
        let counted = try countOperations(mode: mode, work)
        #expect(counted.operations.contains { $0.file == (mode == .wal ? .wal : .journal) })
        #expect(counted.operations.contains { $0.file == .database && $0.kind == .write })
        var cuts: [Fault] = (1...counted.writes).map { .powerCutAfterWrite($0) }
        cuts += (1...counted.syncs).map { .powerCutAfterSync($0) }
        for fault in cuts {
            let directory = Scratch("cut")
            let path = try directory.prepared(mode: mode)
            let disk = FaultyDisk(databasePath: path)
            let connection = try Connection(path: path, configuration: .faulty(mode))
            disk.arm(fault)
            var committed = false
            do {
                try insert(connection, rows: 101...400)
                committed = true
                if mode == .wal { try connection.checkpoint(.passive) }
            } catch {}
            #expect(disk.injected?.fault == fault, "\(fault) was reached")
            connection.close()
            try disk.restoreLastSyncedState()
            let reopened = try Connection(path: path, configuration: .init(journalMode: mode))
            try expectIntact(reopened)
            let count = try rows(reopened)
            #expect(count == 50 || count == 350, "\(fault): all or nothing, found \(count) rows")
            if committed { #expect(count == 350, "\(fault): a commit that returned survives the power cut") }
        }
    }

    @Test func aCrashKeepsWhatWasWrittenAndStopsWhatFollows() throws {
        let directory = Scratch("crash")
        let path = try directory.prepared()
        let disk = FaultyDisk(databasePath: path)
        let connection = try Connection(path: path, configuration: .faulty())
        try insert(connection, rows: 51...55)  // the log exists: the next commit's only sync is its own
        disk.arm(.failSync(1), then: .crash)
        #expect(throwsSQLiteError { try insert(connection, rows: 101...110) }?.code == 1034)
        #expect(disk.operations.map(\.file) == Array(repeating: .wal, count: disk.operations.count))
        #expect(disk.isDead && !disk.lostPower)
        #expect(throwsSQLiteError { try insert(connection, rows: 111...112) } != nil, "the dead process writes nothing more")
        connection.close()
        // SQLite wrote the whole transaction to the log before the failed sync, and a crash keeps
        // the operating system's cache: recovery finds a complete, checksummed commit in the log.
        let reopened = try Connection(path: connection.path)
        try expectIntact(reopened)
        #expect(try rows(reopened) == 65, "a transaction whose commit reported an I/O error may still be there after a crash")
    }
}

// MARK: Helpers

/// A temporary directory for one test, removed at the end.
final class Scratch {
    let url: URL

    init(_ label: String) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gestionsync-faults-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Creates `test.sqlite` with table `t` and 50 rows, through the normal VFS, and closes it.
    func prepared(mode: Connection.JournalMode = .wal) throws -> String {
        let path = path("test.sqlite")
        let setup = try Connection(path: path, configuration: .init(journalMode: mode, synchronous: .full))
        try setup.execute("CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v TEXT)")
        try insert(setup, rows: 1...50)
        setup.close()
        return path
    }

    /// A WAL database with synchronous=FULL, opened through the faulty VFS, with table `t`.
    func database(_ name: String) throws -> Connection {
        let connection = try Connection(path: path(name), configuration: .init(synchronous: .full, vfs: FaultyVFS.name))
        try connection.execute("CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v TEXT)")
        return connection
    }
}

extension Connection.Configuration {
    /// `synchronous=FULL` through the faulty VFS.
    static func faulty(_ mode: Connection.JournalMode = .wal) -> Self {
        .init(journalMode: mode, synchronous: .full, vfs: FaultyVFS.name)
    }
}

/// Inserts one row per key, with a 200-byte value, in one transaction.
func insert(_ db: Connection, rows: ClosedRange<Int>) throws {
    try db.transaction {
        for k in rows { try db.run("INSERT INTO t(k, v) VALUES (?, ?)", [Int64(k), String(repeating: "x", count: 200)]) }
    }
}

func rows(_ db: Connection) throws -> Int64 {
    try db.queryScalar("SELECT count(*) FROM t")?.int64 ?? -1
}

func expectIntact(_ db: Connection, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(try db.queryScalar("PRAGMA integrity_check")?.string == "ok", sourceLocation: sourceLocation)
}

func throwsSQLiteError(_ body: () throws -> Void) -> SQLiteError? {
    do {
        try body()
        return nil
    } catch let error as SQLiteError {
        return error
    } catch {
        Issue.record("expected a SQLiteError, got \(error)")
        return nil
    }
}

/// Runs `work` once on a fresh database (50 rows in `t`) and counts its operations.
func countOperations(
    mode: Connection.JournalMode = .wal, _ work: (Connection) throws -> Void
) throws -> (writes: Int, syncs: Int, operations: [GestionSQLiteFaults.Operation]) {
    let directory = Scratch("count")
    let path = try directory.prepared(mode: mode)
    let disk = FaultyDisk(databasePath: path)
    let connection = try Connection(path: path, configuration: .faulty(mode))
    disk.resetCounts()
    try work(connection)
    defer { connection.close() }  // not counted: the walk stops before
    return (disk.writes, disk.syncs, disk.operations)
}

/// The bytes of a database and its log and journal (`nil` for a missing file).
func snapshot(_ path: String) throws -> [[UInt8]?] {
    [path, path + "-wal", path + "-journal"].map { FileManager.default.contents(atPath: $0).map { Array($0) } }
}
