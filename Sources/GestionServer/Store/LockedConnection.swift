import Foundation
import GestionSQLite

/// One SQLite connection and the lock that makes its owner the only user at a time.
/// The connection is never handed out beyond the closure.
final class LockedConnection: @unchecked Sendable {
    private let lock = NSLock()
    private let connection: Connection

    init(_ connection: Connection) {
        self.connection = connection
    }

    func withConnection<T>(_ body: (Connection) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        connection.close()
    }
}

/// A fixed set of read-only connections for pulls; each pull takes one for its snapshot.
final class ReaderPool: @unchecked Sendable {
    private let connections: [LockedConnection]
    private let available: DispatchSemaphore
    private let lock = NSLock()
    private var free: [Int]

    init(_ connections: [Connection]) {
        self.connections = connections.map(LockedConnection.init)
        self.available = DispatchSemaphore(value: connections.count)
        self.free = Array(connections.indices)
    }

    func withReader<T>(_ body: (Connection) throws -> T) rethrows -> T {
        available.wait()
        lock.lock()
        let index = free.removeLast()
        lock.unlock()
        defer {
            lock.lock()
            free.append(index)
            lock.unlock()
            available.signal()
        }
        return try connections[index].withConnection(body)
    }

    func close() {
        for connection in connections { connection.close() }
    }
}
