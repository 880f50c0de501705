import Foundation
import GestionSQLite

/// A fixed set of read-only connections for pulls; each pull takes one for its snapshot.
final class ReaderPool: @unchecked Sendable {
    private let connections: [SerializedConnection]
    private let available: DispatchSemaphore
    private let lock = NSLock()
    private var free: [Int]

    init(_ connections: [Connection]) {
        self.connections = connections.map(SerializedConnection.init)
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
