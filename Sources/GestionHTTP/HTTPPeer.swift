import Foundation

/// The client connection a request came on, for handlers that block for long (a long poll):
/// they can ask now and then whether anyone is still waiting for the answer.
public struct HTTPPeer: Sendable, Equatable {
    private let descriptor: Int32?

    /// The peer of a request read off `descriptor` by ``HTTPServer``.
    init(descriptor: Int32) { self.descriptor = descriptor }

    private init() { descriptor = nil }

    /// No connection: a request built in memory (tests calling a handler directly).
    public static let detached = HTTPPeer()

    /// Whether the client has closed its connection; always `false` when detached.
    public func hasClosed() -> Bool {
        guard let descriptor else { return false }
        return Socket.peerHasClosed(descriptor)
    }
}
