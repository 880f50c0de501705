import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock on `server.lock` in the data directory. `serve` holds it (shared) for as long
/// as the process lives, and the kernel releases it when the process ends, even killed; `admin
/// restore`, which replaces the database files, refuses while anyone holds it: a running server
/// would go on writing into the replaced files, and what it acknowledged would be lost.
enum DataDirectoryLock {
    static let fileName = "server.lock"

    static func path(_ directory: URL) -> String { directory.appendingPathComponent(fileName).path }

    /// Takes the lock for this process; it is never released before the process exits. Returns
    /// false when the lock file cannot be opened or locked (the server serves all the same).
    @discardableResult
    static func holdWhileServing(_ directory: URL) -> Bool {
        let descriptor = open(path(directory), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else {
            close(descriptor)
            return false
        }
        return true  // the descriptor stays open: the lock lives as long as the process
    }

    /// Whether a server holds the lock now.
    static func isServing(_ directory: URL) -> Bool {
        let descriptor = open(path(directory), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }  // no server ever ran on this directory
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
