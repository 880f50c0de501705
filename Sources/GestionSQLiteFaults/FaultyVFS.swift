import CSQLite
import Foundation
import Synchronization

/// A SQLite VFS named `"faulty"` that wraps the default (unix) VFS and lets a ``FaultyDisk``
/// watch, fail and roll back the writes of one database.
///
/// Open a connection through it with `Connection.Configuration(vfs: FaultyVFS.name)`; reading
/// ``name`` registers the VFS (once per process, never as the default). Files of databases with
/// no attached ``FaultyDisk`` pass straight through to the unix VFS.
///
/// Each `sqlite3_file` SQLite allocates for this VFS is laid out as: the `sqlite3_file` header
/// (this VFS's method table), a retained reference to the file's Swift bookkeeping, then the
/// unix VFS's own file object, to which every method forwards.
public enum FaultyVFS {
    /// The VFS name to open connections with. Reading it registers the VFS.
    public static var name: String {
        _ = installation
        return "faulty"
    }

    /// The full path SQLite uses for `path` (the unix VFS's `xFullPathname`).
    static func fullPathname(_ path: String) -> String {
        let base = installation.base
        let size = Int(base.pointee.mxPathname) + 1
        var buffer = [CChar](repeating: 0, count: size)
        let rc = base.pointee.xFullPathname(base, path, Int32(size), &buffer)
        // SQLITE_OK_SYMLINK (an extended OK) is fine too.
        return rc & 0xff == SQLITE_OK ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : path
    }

    static func attach(_ disk: FaultyDisk) {
        installation.disks.withLock { disks in
            precondition(disks[disk.databasePath]?.disk == nil, "a FaultyDisk is already attached to \(disk.databasePath)")
            disks[disk.databasePath] = WeakDisk(disk: disk)
        }
    }

    static func detach(_ path: String) {
        installation.disks.withLock { disks in
            if disks[path]?.disk == nil { disks[path] = nil }
        }
    }

    static func disk(for databasePath: String) -> FaultyDisk? {
        installation.disks.withLock { $0[databasePath]?.disk }
    }

    /// The disk of the database a file named `path` belongs to (its main file, `-wal` or `-journal`).
    static func disk(ofFile path: String) -> FaultyDisk? {
        for suffix in ["-wal", "-journal"] where path.hasSuffix(suffix) {
            if let disk = disk(for: String(path.dropLast(suffix.count))) { return disk }
        }
        return disk(for: path)
    }
}

struct WeakDisk: Sendable {
    weak var disk: FaultyDisk?
}

/// What SQLite's file object points back to: the file's path, role and disk.
final class OpenFile {
    let path: String
    let role: FileRole
    let disk: FaultyDisk?

    init(path: String, role: FileRole, disk: FaultyDisk?) {
        self.path = path
        self.role = role
        self.disk = disk
    }
}

/// The registered VFS: its C structures live for the whole process (SQLite keeps pointers to them).
final class Installation: @unchecked Sendable {
    /// The unix VFS. Never freed, never mutated.
    let base: UnsafeMutablePointer<sqlite3_vfs>
    let vfs: UnsafeMutablePointer<sqlite3_vfs>
    let methods: UnsafeMutablePointer<sqlite3_io_methods>
    let disks = Mutex<[String: WeakDisk]>([:])

    /// Bytes before the unix file inside our file object: `sqlite3_file` and the bookkeeping reference.
    static let headerSize = 16

    init() {
        guard let base = sqlite3_vfs_find(nil) else { fatalError("SQLite has no default VFS") }
        self.base = base
        methods = .allocate(capacity: 1)
        methods.initialize(to: Self.makeMethods())
        vfs = .allocate(capacity: 1)
        var vfs = sqlite3_vfs()
        vfs.iVersion = 2
        vfs.szOsFile = Int32(Self.headerSize) + base.pointee.szOsFile
        vfs.mxPathname = base.pointee.mxPathname
        vfs.zName = UnsafePointer(strdup("faulty"))
        vfs.xOpen = { _, name, file, flags, outFlags in
            guard let file else { return SQLITE_MISUSE }
            return installation.open(name, file, flags, outFlags)
        }
        vfs.xDelete = { _, name, syncDir in
            let base = installation.base
            guard let name else { return base.pointee.xDelete(base, name, syncDir) }
            let path = String(cString: name)
            guard let disk = FaultyVFS.disk(ofFile: path) else { return base.pointee.xDelete(base, name, syncDir) }
            return disk.delete(path) { base.pointee.xDelete(base, name, syncDir) }
        }
        vfs.xAccess = { _, name, flags, result in
            installation.base.pointee.xAccess(installation.base, name, flags, result)
        }
        vfs.xFullPathname = { _, name, count, output in
            installation.base.pointee.xFullPathname(installation.base, name, count, output)
        }
        // The unix VFS ignores its first argument in these: they forward as they are.
        vfs.xDlOpen = base.pointee.xDlOpen
        vfs.xDlError = base.pointee.xDlError
        vfs.xDlSym = base.pointee.xDlSym
        vfs.xDlClose = base.pointee.xDlClose
        vfs.xRandomness = base.pointee.xRandomness
        vfs.xSleep = base.pointee.xSleep
        vfs.xCurrentTime = base.pointee.xCurrentTime
        vfs.xGetLastError = base.pointee.xGetLastError
        vfs.xCurrentTimeInt64 = base.pointee.xCurrentTimeInt64
        self.vfs.initialize(to: vfs)
        let rc = sqlite3_vfs_register(self.vfs, 0)
        precondition(rc == SQLITE_OK, "sqlite3_vfs_register failed: \(rc)")
    }

    // MARK: Files

    static func real(_ file: UnsafeMutablePointer<sqlite3_file>) -> UnsafeMutablePointer<sqlite3_file> {
        (UnsafeMutableRawPointer(file) + headerSize).assumingMemoryBound(to: sqlite3_file.self)
    }

    static func info(_ file: UnsafeMutablePointer<sqlite3_file>) -> OpenFile {
        let raw = UnsafeMutableRawPointer(file).load(fromByteOffset: MemoryLayout<sqlite3_file>.stride, as: UnsafeMutableRawPointer.self)
        return Unmanaged<OpenFile>.fromOpaque(raw).takeUnretainedValue()
    }

    /// The unix file and its method table.
    static func forward(_ file: UnsafeMutablePointer<sqlite3_file>?) -> (UnsafeMutablePointer<sqlite3_file>, sqlite3_io_methods) {
        let real = real(file!)
        return (real, real.pointee.pMethods.pointee)
    }

    func open(
        _ name: UnsafePointer<CChar>?, _ file: UnsafeMutablePointer<sqlite3_file>, _ flags: Int32,
        _ outFlags: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        precondition(MemoryLayout<sqlite3_file>.stride + MemoryLayout<UnsafeMutableRawPointer>.stride <= Self.headerSize)
        let real = Self.real(file)
        var role: FileRole?
        if flags & SQLITE_OPEN_MAIN_DB != 0 {
            role = .database
        } else if flags & SQLITE_OPEN_WAL != 0 {
            role = .wal
        } else if flags & SQLITE_OPEN_MAIN_JOURNAL != 0 {
            role = .journal
        }
        var disk: FaultyDisk?
        var path = ""
        if let role, let name {
            path = String(cString: name)
            disk = FaultyVFS.disk(for: role == .database ? path : String(cString: sqlite3_filename_database(name)))
        }
        let existed = disk == nil || access(path, F_OK) == 0
        if let disk, !existed, disk.isDead {
            // A dead process creates no files.
            file.pointee.pMethods = nil
            return SQLITE_CANTOPEN
        }
        let rc = base.pointee.xOpen(base, name, real, flags, outFlags)
        guard real.pointee.pMethods != nil else {
            file.pointee.pMethods = nil
            return rc
        }
        let info = OpenFile(path: path, role: role ?? .database, disk: disk)
        UnsafeMutableRawPointer(file).storeBytes(
            of: Unmanaged.passRetained(info).toOpaque(), toByteOffset: MemoryLayout<sqlite3_file>.stride,
            as: UnsafeMutableRawPointer.self
        )
        file.pointee.pMethods = UnsafePointer(methods)
        disk?.didOpen(path, created: !existed && rc == SQLITE_OK)
        return rc
    }

    // MARK: Method table

    private static func makeMethods() -> sqlite3_io_methods {
        var methods = sqlite3_io_methods()
        methods.iVersion = 3
        methods.xClose = { file in
            let (real, methods) = Installation.forward(file)
            let rc = methods.xClose(real)
            let raw = UnsafeMutableRawPointer(file!).load(fromByteOffset: MemoryLayout<sqlite3_file>.stride, as: UnsafeMutableRawPointer.self)
            let info = Unmanaged<OpenFile>.fromOpaque(raw)
            info.takeUnretainedValue().disk?.didClose()
            info.release()
            return rc
        }
        methods.xRead = { file, buffer, amount, offset in
            let (real, methods) = Installation.forward(file)
            return methods.xRead(real, buffer, amount, offset)
        }
        methods.xWrite = { file, buffer, amount, offset in
            let (real, methods) = Installation.forward(file)
            let info = Installation.info(file!)
            guard let disk = info.disk else { return methods.xWrite(real, buffer, amount, offset) }
            return disk.write(info, real: real, buffer: buffer, amount: amount, offset: offset)
        }
        methods.xTruncate = { file, size in
            let (real, methods) = Installation.forward(file)
            let info = Installation.info(file!)
            guard let disk = info.disk else { return methods.xTruncate(real, size) }
            return disk.truncate(info, real: real, size: size)
        }
        methods.xSync = { file, flags in
            let (real, methods) = Installation.forward(file)
            let info = Installation.info(file!)
            guard let disk = info.disk else { return methods.xSync(real, flags) }
            return disk.sync(info, real: real, flags: flags)
        }
        methods.xFileSize = { file, size in
            let (real, methods) = Installation.forward(file)
            return methods.xFileSize(real, size)
        }
        methods.xLock = { file, level in
            let (real, methods) = Installation.forward(file)
            return methods.xLock(real, level)
        }
        methods.xUnlock = { file, level in
            let (real, methods) = Installation.forward(file)
            return methods.xUnlock(real, level)
        }
        methods.xCheckReservedLock = { file, result in
            let (real, methods) = Installation.forward(file)
            return methods.xCheckReservedLock(real, result)
        }
        methods.xFileControl = { file, op, argument in
            let (real, methods) = Installation.forward(file)
            let info = Installation.info(file!)
            if let disk = info.disk, op == SQLITE_FCNTL_SIZE_HINT {
                // May grow the file without xWrite: note its size first, and not at all once dead.
                return disk.sizeHint(info, real: real) { methods.xFileControl(real, op, argument) }
            }
            return methods.xFileControl(real, op, argument)
        }
        methods.xSectorSize = { file in
            let (real, methods) = Installation.forward(file)
            return methods.xSectorSize(real)
        }
        methods.xDeviceCharacteristics = { file in
            let (real, methods) = Installation.forward(file)
            return methods.xDeviceCharacteristics(real)
        }
        methods.xShmMap = { file, page, pageSize, extend, address in
            let (real, methods) = Installation.forward(file)
            guard let map = methods.xShmMap else { return SQLITE_IOERR_SHMMAP }
            return map(real, page, pageSize, extend, address)
        }
        methods.xShmLock = { file, offset, count, flags in
            let (real, methods) = Installation.forward(file)
            guard let lock = methods.xShmLock else { return SQLITE_IOERR_SHMLOCK }
            return lock(real, offset, count, flags)
        }
        methods.xShmBarrier = { file in
            let (real, methods) = Installation.forward(file)
            methods.xShmBarrier?(real)
        }
        methods.xShmUnmap = { file, deleteFlag in
            let (real, methods) = Installation.forward(file)
            guard let unmap = methods.xShmUnmap else { return SQLITE_OK }
            // A dead process deletes nothing.
            let dead = Installation.info(file!).disk?.isDead ?? false
            return unmap(real, dead ? 0 : deleteFlag)
        }
        methods.xFetch = { file, offset, amount, pointer in
            let (real, methods) = Installation.forward(file)
            guard let fetch = methods.xFetch else {
                pointer?.pointee = nil
                return SQLITE_OK
            }
            return fetch(real, offset, amount, pointer)
        }
        methods.xUnfetch = { file, offset, pointer in
            let (real, methods) = Installation.forward(file)
            guard let unfetch = methods.xUnfetch else { return SQLITE_OK }
            return unfetch(real, offset, pointer)
        }
        return methods
    }
}

// Extended result codes are function-like macros in sqlite3.h, which Swift does not import.
let SQLITE_IOERR_WRITE = SQLITE_IOERR | (3 << 8)
let SQLITE_IOERR_FSYNC = SQLITE_IOERR | (4 << 8)
let SQLITE_IOERR_TRUNCATE = SQLITE_IOERR | (6 << 8)
let SQLITE_IOERR_DELETE = SQLITE_IOERR | (10 << 8)
let SQLITE_IOERR_SHMLOCK = SQLITE_IOERR | (20 << 8)
let SQLITE_IOERR_SHMMAP = SQLITE_IOERR | (21 << 8)

/// Registered on first use; lives for the whole process.
let installation = Installation()

// MARK: Disk operations

extension FaultyDisk {
    func didOpen(_ path: String, created: Bool) {
        state.withLock { state in
            state.openFiles += 1
            if created, state.histories[path] == nil {
                state.histories[path] = FileHistory(syncedSize: nil)
            }
        }
    }

    func didClose() {
        state.withLock { $0.openFiles -= 1 }
    }

    func write(
        _ file: OpenFile, real: UnsafeMutablePointer<sqlite3_file>, buffer: UnsafeRawPointer?, amount: Int32, offset: sqlite3_int64
    ) -> Int32 {
        let methods = real.pointee.pMethods.pointee
        return state.withLock { state -> Int32 in
            guard state.dead == nil else { return SQLITE_IOERR_WRITE }
            state.writes += 1
            let operation = Operation(kind: .write, number: state.writes, file: file.role, offset: offset, amount: Int(amount))
            state.log.append(operation)
            if case .failWrite(let n, let failure) = state.fault, n == state.writes {
                state.injected = InjectedFault(fault: .failWrite(n, failure), operation: operation)
                if state.afterFailure == .crash { state.dead = .crash }
                return failure == .diskFull ? SQLITE_FULL : SQLITE_IOERR_WRITE
            }
            var size: sqlite3_int64 = 0
            let sized = methods.xFileSize(real, &size)
            guard sized == SQLITE_OK else { return sized }
            var history = state.histories[file.path] ?? FileHistory(syncedSize: size)
            let existing = Int(max(0, min(sqlite3_int64(amount), size - offset)))
            var old = [UInt8](repeating: 0, count: existing)
            if existing > 0 {
                let read = old.withUnsafeMutableBytes { methods.xRead(real, $0.baseAddress, Int32(existing), offset) }
                guard read == SQLITE_OK else { return read }
            }
            history.undo.append((offset, old))
            state.histories[file.path] = history
            let rc = methods.xWrite(real, buffer, amount, offset)
            if rc == SQLITE_OK, case .powerCutAfterWrite(let n) = state.fault, n == state.writes {
                state.injected = InjectedFault(fault: .powerCutAfterWrite(n), operation: operation)
                state.dead = .powerCut
            }
            return rc
        }
    }

    func sync(_ file: OpenFile, real: UnsafeMutablePointer<sqlite3_file>, flags: Int32) -> Int32 {
        let methods = real.pointee.pMethods.pointee
        return state.withLock { state -> Int32 in
            guard state.dead == nil else { return SQLITE_IOERR_FSYNC }
            state.syncs += 1
            let operation = Operation(kind: .sync, number: state.syncs, file: file.role, offset: 0, amount: 0)
            state.log.append(operation)
            if case .failSync(let n) = state.fault, n == state.syncs {
                state.injected = InjectedFault(fault: .failSync(n), operation: operation)
                if state.afterFailure == .crash { state.dead = .crash }
                return SQLITE_IOERR_FSYNC
            }
            let rc = syncsReachTheDisk ? methods.xSync(real, flags) : SQLITE_OK
            guard rc == SQLITE_OK else { return rc }
            var size: sqlite3_int64 = 0
            let sized = methods.xFileSize(real, &size)
            guard sized == SQLITE_OK else { return sized }
            // Everything written to this file is durable now, and so is the file itself (the unix
            // VFS syncs the directory at a new journal's or WAL's first sync).
            state.histories[file.path] = FileHistory(syncedSize: size)
            if case .powerCutAfterSync(let n) = state.fault, n == state.syncs {
                state.injected = InjectedFault(fault: .powerCutAfterSync(n), operation: operation)
                state.dead = .powerCut
            }
            return SQLITE_OK
        }
    }

    func truncate(_ file: OpenFile, real: UnsafeMutablePointer<sqlite3_file>, size newSize: sqlite3_int64) -> Int32 {
        let methods = real.pointee.pMethods.pointee
        return state.withLock { state -> Int32 in
            guard state.dead == nil else { return SQLITE_IOERR_TRUNCATE }
            var size: sqlite3_int64 = 0
            let sized = methods.xFileSize(real, &size)
            guard sized == SQLITE_OK else { return sized }
            var history = state.histories[file.path] ?? FileHistory(syncedSize: size)
            if newSize < size {
                var old = [UInt8](repeating: 0, count: Int(size - newSize))
                let read = old.withUnsafeMutableBytes { methods.xRead(real, $0.baseAddress, Int32($0.count), newSize) }
                guard read == SQLITE_OK else { return read }
                history.undo.append((newSize, old))
            }
            state.histories[file.path] = history
            return methods.xTruncate(real, newSize)
        }
    }

    func sizeHint(_ file: OpenFile, real: UnsafeMutablePointer<sqlite3_file>, _ forward: () -> Int32) -> Int32 {
        let methods = real.pointee.pMethods.pointee
        return state.withLock { state -> Int32 in
            guard state.dead == nil else { return SQLITE_OK }
            if state.histories[file.path] == nil {
                var size: sqlite3_int64 = 0
                let sized = methods.xFileSize(real, &size)
                guard sized == SQLITE_OK else { return sized }
                state.histories[file.path] = FileHistory(syncedSize: size)
            }
            return forward()
        }
    }

    /// Deletes are taken as durable at once (a simplification: SQLite deletes a WAL only after a
    /// checkpoint has synced its content into the database, so its coming back would be harmless).
    func delete(_ path: String, _ forward: () -> Int32) -> Int32 {
        state.withLock { state -> Int32 in
            guard state.dead == nil else { return SQLITE_IOERR_DELETE }
            let rc = forward()
            if rc == SQLITE_OK { state.histories[path] = nil }
            return rc
        }
    }
}
