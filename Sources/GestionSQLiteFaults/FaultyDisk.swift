import CSQLite
import Foundation
import Synchronization

/// The storage under one SQLite database (its main file, `-wal` and `-journal`) as the
/// `"faulty"` VFS sees it: it counts every `xWrite` and `xSync`, fails the one a ``Fault`` names,
/// and keeps, per file, an undo log of what was written since that file's last `xSync`, so that
/// a power cut can be simulated by putting every file back to its last synced state.
///
/// ```swift
/// let disk = FaultyDisk(databasePath: path)          // attach before opening
/// let connection = try Connection(path: path, configuration: .init(vfs: FaultyVFS.name))
/// disk.arm(.powerCutAfterWrite(3))
/// // … run the work; after the 3rd write every write, sync, truncate and delete fails …
/// connection.close()
/// try disk.restoreLastSyncedState()                   // the files as after a reboot
/// ```
///
/// Files opened through the faulty VFS for a database with no attached disk pass through
/// untouched. Temporary files, the `-shm` index (memory, rebuilt by SQLite after a reboot) and
/// I/O through any other VFS are not seen. A disk stays attached while this object lives.
public final class FaultyDisk: Sendable {
    /// The database's full path, as SQLite names it (its `xFullPathname`).
    public let databasePath: String
    /// Whether an `xSync` also asks the operating system to flush (`fsync`).
    public let syncsReachTheDisk: Bool
    let state = Mutex(DiskState())

    /// Attaches a disk to the database at `databasePath` (which need not exist yet). Counting
    /// starts now; the files as they are now count as synced.
    ///
    /// - Parameter syncsReachTheDisk: by default an `xSync` only marks the sync point in the
    ///   undo logs: what survives a power cut is decided by ``restoreLastSyncedState()``, not
    ///   by the real disk, and a walk of hundreds of rounds does not wait for hundreds of
    ///   real `fsync`s. Pass `true` to call the unix VFS's `xSync` as well.
    public init(databasePath: String, syncsReachTheDisk: Bool = false) {
        self.databasePath = FaultyVFS.fullPathname(databasePath)
        self.syncsReachTheDisk = syncsReachTheDisk
        FaultyVFS.attach(self)
    }

    deinit {
        FaultyVFS.detach(databasePath)
    }

    // MARK: Plan

    /// Arms `fault` and restarts the counts: the next write is write 1, the next sync sync 1.
    /// After a failure, `then` says whether the process carries on or dies at once.
    public func arm(_ fault: Fault, then: AfterFailure = .crash) {
        state.withLock { state in
            state.fault = fault
            state.afterFailure = then
            state.writes = 0
            state.syncs = 0
            state.injected = nil
            state.log.removeAll()
        }
    }

    /// Counts from zero again without any fault.
    public func resetCounts() {
        state.withLock { state in
            state.fault = nil
            state.writes = 0
            state.syncs = 0
            state.injected = nil
            state.log.removeAll()
        }
    }

    /// `xWrite` calls on the database's files since the last ``arm(_:then:)`` or ``resetCounts()``.
    public var writes: Int { state.withLock { $0.writes } }
    /// `xSync` calls on the database's files since the last ``arm(_:then:)`` or ``resetCounts()``.
    public var syncs: Int { state.withLock { $0.syncs } }
    /// The fault that fired, with where it hit; `nil` while the armed fault has not been reached.
    public var injected: InjectedFault? { state.withLock { $0.injected } }
    /// Every counted operation since the counts restarted, in order (for diagnostics).
    public var operations: [Operation] { state.withLock { $0.log } }

    /// `true` after a crash or a power cut: the process that used this disk is dead, and every
    /// write, sync, truncate and delete on its files fails until ``restoreLastSyncedState()``
    /// or ``revive()``.
    public var isDead: Bool { state.withLock { $0.dead != nil } }
    /// `true` after a power cut (as opposed to a crash, which keeps the operating system's cache).
    public var lostPower: Bool { state.withLock { $0.dead == .powerCut } }

    /// Kills the process now: nothing more reaches the files; what was written stays (the
    /// operating system still has it).
    public func crashNow() { state.withLock { $0.dead = .crash } }

    /// Cuts the power now: nothing more reaches the files, and ``restoreLastSyncedState()``
    /// then drops everything not synced.
    public func cutPowerNow() { state.withLock { $0.dead = .powerCut } }

    /// Ends a crash without touching the files (the process restarts; the disk kept everything).
    public func revive() { state.withLock { $0.dead = nil } }

    /// After a power cut, puts every file of the database back as it was at its last `xSync`:
    /// written bytes get their old value, sizes their old size, and files created and never
    /// synced disappear. Every connection on the database must be closed first.
    /// - Throws: ``FaultyDiskError/filesStillOpen(_:)`` when a connection still holds a file.
    public func restoreLastSyncedState() throws(FaultyDiskError) {
        let histories: [String: FileHistory] = try state.withLock { state throws(FaultyDiskError) in
            guard state.openFiles == 0 else { throw FaultyDiskError.filesStillOpen(state.openFiles) }
            defer {
                state.histories.removeAll()
                state.dead = nil
            }
            return state.histories
        }
        for (path, history) in histories.sorted(by: { $0.key < $1.key }) {
            try Self.restore(path, history)
        }
    }

    private static func restore(_ path: String, _ history: FileHistory) throws(FaultyDiskError) {
        guard let syncedSize = history.syncedSize else {
            // Created and never synced: after a reboot the directory entry is not there.
            if unlink(path) != 0, errno != ENOENT { throw .restoreFailed(path, errno) }
            return
        }
        let descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw .restoreFailed(path, errno) }
        defer { close(descriptor) }
        for entry in history.undo.reversed() where !entry.bytes.isEmpty {
            let written = entry.bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(entry.offset)) }
            guard written == entry.bytes.count else { throw .restoreFailed(path, errno) }
        }
        guard ftruncate(descriptor, off_t(syncedSize)) == 0 else { throw .restoreFailed(path, errno) }
    }
}

/// A failure to inject, counted from the last ``FaultyDisk/arm(_:then:)``.
public enum Fault: Sendable, Equatable, CustomStringConvertible {
    /// The Nth `xWrite` fails (nothing is written) with SQLITE_IOERR_WRITE or SQLITE_FULL.
    case failWrite(Int, WriteFailure)
    /// The Nth `xSync` fails with SQLITE_IOERR_FSYNC (what was written stays in the cache).
    case failSync(Int)
    /// The Nth `xWrite` happens, then the power goes: nothing more reaches the disk.
    case powerCutAfterWrite(Int)
    /// The Nth `xSync` completes, then the power goes: nothing more reaches the disk.
    case powerCutAfterSync(Int)

    public var description: String {
        switch self {
        case .failWrite(let n, .ioError): "write \(n) fails (I/O error)"
        case .failWrite(let n, .diskFull): "write \(n) fails (disk full)"
        case .failSync(let n): "sync \(n) fails"
        case .powerCutAfterWrite(let n): "power cut after write \(n)"
        case .powerCutAfterSync(let n): "power cut after sync \(n)"
        }
    }
}

/// How an injected write fails.
public enum WriteFailure: Sendable, Equatable {
    /// SQLITE_IOERR_WRITE: the device reported an error.
    case ioError
    /// SQLITE_FULL: no space left.
    case diskFull
}

/// What the process does after an injected failure (power cuts always end it).
public enum AfterFailure: Sendable, Equatable {
    /// It sees the error and goes on; later operations succeed.
    case carryOn
    /// It dies right after seeing the error: later writes, syncs and deletes fail, as they never
    /// happen; what was written stays, as the operating system keeps it.
    case crash
}

/// One counted operation on a database's files.
public struct Operation: Sendable, Equatable, CustomStringConvertible {
    /// An `xWrite` or an `xSync`.
    public enum Kind: String, Sendable {
        case write, sync
    }

    /// What the operation was.
    public var kind: Kind
    /// Its number among the operations of its kind (1-based).
    public var number: Int
    /// Which file: the main database, its WAL or its rollback journal.
    public var file: FileRole
    /// For a write: the offset in the file (0 for a sync).
    public var offset: Int64
    /// For a write: how many bytes (0 for a sync).
    public var amount: Int

    public var description: String {
        kind == .write ? "write \(number): \(file) @\(offset) +\(amount)" : "sync \(number): \(file)"
    }
}

/// The files of one database that a ``FaultyDisk`` sees.
public enum FileRole: String, Sendable, Equatable {
    /// The database file itself.
    case database
    /// Its write-ahead log (`-wal`).
    case wal
    /// Its rollback journal (`-journal`).
    case journal
}

/// The fault that fired and the operation it hit.
public struct InjectedFault: Sendable, Equatable, CustomStringConvertible {
    /// The armed fault.
    public var fault: Fault
    /// The operation it hit: failed, or the last one before the power went.
    public var operation: Operation
    public var description: String { "\(fault) (\(operation))" }
}

/// Why a disk could not be restored.
public enum FaultyDiskError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Connections still hold `count` files of the database: close them first.
    case filesStillOpen(Int)
    /// The file at `path` could not be put back (errno).
    case restoreFailed(String, Int32)

    public var description: String {
        switch self {
        case .filesStillOpen(let count): "\(count) file(s) of the database are still open: close every connection first"
        case .restoreFailed(let path, let code): "cannot restore \(path): \(String(cString: strerror(code)))"
        }
    }
}

// MARK: State

/// What one file looked like at its last sync, and how to get back there.
struct FileHistory: Sendable {
    /// The size at the last sync; `nil` when the file was created since and never synced.
    var syncedSize: Int64?
    /// The old bytes of every region changed since, oldest first (shorter than the write when
    /// the write extended the file).
    var undo: [(offset: Int64, bytes: [UInt8])] = []
}

enum Death: Sendable, Equatable {
    case crash, powerCut
}

struct DiskState: Sendable {
    var fault: Fault?
    var afterFailure = AfterFailure.crash
    var writes = 0
    var syncs = 0
    var injected: InjectedFault?
    var log: [Operation] = []
    var dead: Death?
    var openFiles = 0
    var histories: [String: FileHistory] = [:]
}
