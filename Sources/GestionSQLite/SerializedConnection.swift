import Foundation

/// A connection and the lock that makes its holder the only user at a time: the way to share one
/// handle between threads. The connection is only reachable inside `withConnection`.
public final class SerializedConnection: @unchecked Sendable {
    private let lock = NSLock()
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Runs `body` with the connection, holding the lock.
    public func withConnection<T>(_ body: (Connection) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }

    /// Waits for the current user, then closes the connection.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        connection.close()
    }
}
