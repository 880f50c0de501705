import Foundation

/// The client of the request a handler is answering, for handlers that block for long (a long
/// poll): they can ask now and then whether anyone is still waiting for the answer.
public enum HTTPPeer {
    /// Whether the client of the request being handled on the calling thread has closed its
    /// connection. `false` outside a handler of ``HTTPServer`` (a handler called directly, as
    /// tests do), and while the client is still connected.
    public static func hasClosed() -> Bool {
        guard let connection = Thread.current.threadDictionary[key] as? Connection else { return false }
        return Socket.peerHasClosed(connection.descriptor)
    }

    /// Runs `body` (the handler) with `descriptor` as the calling thread's peer.
    static func handling<T>(descriptor: Int32, _ body: () -> T) -> T {
        let dictionary = Thread.current.threadDictionary
        dictionary[key] = Connection(descriptor: descriptor)
        defer { dictionary.removeObject(forKey: key) }
        return body()
    }

    private static let key = "GestionHTTP.peer"

    private final class Connection {
        let descriptor: Int32
        init(descriptor: Int32) { self.descriptor = descriptor }
    }
}
