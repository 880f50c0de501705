import Foundation
import GestionSQLite

/// The replica's connection and the lock that makes its owner the only user at a time.
final class SerializedConnection: @unchecked Sendable {
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
