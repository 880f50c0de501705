import Foundation
import GestionLogging

/// An HTTP/1.1 server on POSIX sockets: one acceptor thread plus one thread per connection.
///
/// Handlers are synchronous and may block (they do database work); each runs on its
/// connection's thread. Connections are kept alive by default on HTTP/1.1; requests may be
/// pipelined and are answered in order. Any malformed or ambiguous request gets a JSON error
/// response and the connection is closed (see ``HTTPRequestParser`` for what is refused).
///
/// Deadlines: a new connection must deliver a full request head within `headerDeadline` of
/// being accepted (later requests: within `headerDeadline` of their first byte), a body within
/// `bodyDeadline` of its head; otherwise 408 and close. An idle keep-alive connection is closed
/// silently after `idleTimeout`. A client sending `Expect: 100-continue` gets
/// `HTTP/1.1 100 Continue` before its body is read (unless the head is refused first).
public final class HTTPServer: Sendable {
    /// How the server listens and what it tolerates.
    public struct Configuration: Sendable {
        /// An IPv4 or IPv6 literal or a host name such as `localhost`; empty means all interfaces.
        public var host: String
        /// The TCP port; 0 picks a free one (read it from ``HTTPServer/start()``).
        public var port: Int
        /// Connections served at once; more are answered 503 and closed.
        public var maxConnections: Int
        /// Connections served at once from one client address (slowloris defence: one address
        /// cannot hold every slot); more are answered 503 and closed. 0 means no limit — for a
        /// server behind a reverse proxy, where every connection comes from the proxy.
        public var maxConnectionsPerAddress: Int
        /// Time allowed to receive a full request head (slowloris defence).
        public var headerDeadline: Duration
        /// Time an idle keep-alive connection is kept open between requests.
        public var idleTimeout: Duration
        /// Time allowed to receive a request body once its head arrived.
        public var bodyDeadline: Duration
        /// Time allowed to write a response (a client that does not read is dropped).
        public var writeTimeout: Duration
        /// After answering and before closing, time spent discarding unread client bytes.
        public var lingerTimeout: Duration
        /// Request line and header limits.
        public var limits: HTTPLimits
        /// The body limit in bytes for a request, given its method and path.
        public var maxBodySize: @Sendable (_ method: String, _ path: String) -> Int

        public init(
            host: String = "127.0.0.1",
            port: Int = 8080,
            maxConnections: Int = 512,
            maxConnectionsPerAddress: Int = 64,
            headerDeadline: Duration = .seconds(10),
            idleTimeout: Duration = .seconds(60),
            bodyDeadline: Duration = .seconds(60),
            writeTimeout: Duration = .seconds(30),
            lingerTimeout: Duration = .seconds(2),
            limits: HTTPLimits = HTTPLimits(),
            maxBodySize: @escaping @Sendable (_ method: String, _ path: String) -> Int = { _, _ in
                HTTPLimits.defaultMaxBodySize
            }
        ) {
            self.host = host
            self.port = port
            self.maxConnections = maxConnections
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.headerDeadline = headerDeadline
            self.idleTimeout = idleTimeout
            self.bodyDeadline = bodyDeadline
            self.writeTimeout = writeTimeout
            self.lingerTimeout = lingerTimeout
            self.limits = limits
            self.maxBodySize = maxBodySize
        }
    }

    public let configuration: Configuration
    private let core: ServerCore

    /// - Parameters:
    ///   - logger: receives one `http.request` line per request (method, path, status,
    ///     duration_ms, bytes_in, bytes_out; never bodies or query values).
    ///   - handler: answers a request; runs on the connection's thread and may block.
    public init(
        configuration: Configuration = Configuration(), logger: Logger,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.configuration = configuration
        self.core = ServerCore(configuration: configuration, logger: logger, handler: handler)
    }

    /// Binds, listens and starts accepting. Returns the port actually bound.
    /// Throws ``HTTPServerError`` if binding fails or the server was already started.
    @discardableResult
    public func start() throws -> Int {
        try core.start()
    }

    /// Stops accepting (the listening socket is closed at once, so new connections are
    /// refused), closes idle keep-alive connections, lets requests in progress finish and
    /// write their responses (with `Connection: close`), and returns when every connection
    /// is done or `gracePeriod` has passed; connections still open then are shut down.
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        core.shutdown(gracePeriod: gracePeriod)
    }

    /// Blocks until ``shutdown(gracePeriod:)`` has completed. Returns at once if never started.
    public func waitUntilStopped() {
        core.waitUntilStopped()
    }

    /// Connections currently open (each has a thread).
    public var openConnections: Int { core.openConnections }

    /// Requests currently being handled or having their response written.
    public var inFlightRequests: Int { core.inFlightRequests }
}

/// Why the server could not start.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was attempted, e.g. `bind 127.0.0.1:8080`.
    public var operation: String
    /// `errno` or the `getaddrinfo` status.
    public var code: Int32
    public var message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String { "\(operation): \(message) (\(code))" }
}

// MARK: - Shared state

/// State shared by the public API, the acceptor thread and the connection threads.
/// Every mutable field is guarded by `condition`.
final class ServerCore: @unchecked Sendable {
    private enum Lifecycle { case idle, running, stopping, stopped }

    let configuration: HTTPServer.Configuration
    let logger: Logger
    let handler: @Sendable (HTTPRequest) -> HTTPResponse

    private let condition = NSCondition()
    private var lifecycle = Lifecycle.idle
    private var acceptorRunning = false
    private var wakePipe: (read: Int32, write: Int32) = (-1, -1)
    private var connections: [Int: (descriptor: Int32, address: String)] = [:]
    private var connectionsPerAddress: [String: Int] = [:]
    private var nextConnectionID = 0
    private var inFlight = 0

    init(
        configuration: HTTPServer.Configuration, logger: Logger,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
    }

    deinit {
        // Only reached once the acceptor and every connection thread have let go of us,
        // so nobody can still be polling the pipe.
        if wakePipe.read >= 0 {
            Socket.close(wakePipe.read)
            Socket.close(wakePipe.write)
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    var openConnections: Int { locked { connections.count } }
    var inFlightRequests: Int { locked { inFlight } }
    var isStopping: Bool { locked { lifecycle != .running } }

    // MARK: Lifecycle

    func start() throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        guard lifecycle == .idle else {
            throw HTTPServerError(operation: "start", code: EALREADY, message: "server already started")
        }
        // The kernel's queue of connections not yet accepted: as deep as it allows (it caps this at
        // somaxconn), not the connection limit, so that a burst of connects while the accept loop is
        // busy waits in the queue instead of sending phones into SYN retransmission (1 s, 3 s, 7 s…).
        // Connections beyond the limit are accepted and answered 503 at once.
        let backlog: Int32 = 4096
        let listener = try Socket.makeListener(host: configuration.host, port: configuration.port, backlog: backlog)
        do {
            wakePipe = try Socket.makeWakePipe()
        } catch {
            Socket.close(listener.descriptor)
            throw error
        }
        lifecycle = .running
        acceptorRunning = true
        let wake = wakePipe.read
        let thread = Thread { [self] in runAcceptor(listener: listener.descriptor, wake: wake) }
        thread.name = "http-acceptor"
        thread.start()
        logger.info("http.listening", ["host": configuration.host, "port": String(listener.port)])
        return listener.port
    }

    func shutdown(gracePeriod: Duration) {
        condition.lock()
        switch lifecycle {
        case .idle:
            lifecycle = .stopped
            condition.broadcast()
            condition.unlock()
            return
        case .stopping, .stopped:
            while lifecycle != .stopped { condition.wait() }
            condition.unlock()
            return
        case .running:
            lifecycle = .stopping
        }
        let (open, busy) = (connections.count, inFlight)
        Socket.signal(wakePipe.write)
        condition.unlock()
        logger.info("http.stopping", ["open_connections": String(open), "in_flight": String(busy)])

        let deadline = Date(timeIntervalSinceNow: gracePeriod.seconds)
        condition.lock()
        while acceptorRunning || !connections.isEmpty {
            if !condition.wait(until: deadline) { break }
        }
        let abandoned = connections.count
        for connection in connections.values { Socket.shutdownBoth(connection.descriptor) }
        lifecycle = .stopped
        condition.broadcast()
        condition.unlock()
        if abandoned > 0 {
            logger.warning("http.stop_forced", ["abandoned_connections": String(abandoned)])
        }
        logger.info("http.stopped")
    }

    func waitUntilStopped() {
        condition.lock()
        while lifecycle == .running || lifecycle == .stopping { condition.wait() }
        condition.unlock()
    }

    // MARK: Acceptor

    private func runAcceptor(listener: Int32, wake: Int32) {
        accepting: while true {
            switch Socket.waitForConnection(listener, wake: wake) {
            case .woken:
                break accepting
            case .failed(let code):
                logger.error("http.accept_failed", ["errno": String(code)])
                Thread.sleep(forTimeInterval: 0.05)
            case .ready:
                acceptPending(listener: listener, wake: wake)
            }
        }
        Socket.close(listener)
        locked {
            acceptorRunning = false
            condition.broadcast()
        }
    }

    private func acceptPending(listener: Int32, wake: Int32) {
        while true {
            switch Socket.accept(listener) {
            case .wouldBlock:
                return
            case .failed(let code) where code == ECONNABORTED || code == EPROTO || code == EPERM:
                continue
            case .failed(let code):
                // Typically out of descriptors (EMFILE/ENFILE): back off instead of spinning.
                logger.error("http.accept_failed", ["errno": String(code)])
                Thread.sleep(forTimeInterval: 0.05)
                return
            case .accepted(let descriptor, let address):
                serve(descriptor: descriptor, address: address, wake: wake)
            }
        }
    }

    private func serve(descriptor: Int32, address: String, wake: Int32) {
        enum Admission { case admitted(Int), serverFull, addressFull }
        let admission: Admission = locked {
            guard lifecycle == .running, connections.count < configuration.maxConnections else { return .serverFull }
            let fromAddress = connectionsPerAddress[address, default: 0]
            if configuration.maxConnectionsPerAddress > 0, fromAddress >= configuration.maxConnectionsPerAddress {
                return .addressFull
            }
            nextConnectionID += 1
            connections[nextConnectionID] = (descriptor, address)
            connectionsPerAddress[address] = fromAddress + 1
            return .admitted(nextConnectionID)
        }
        let id: Int
        switch admission {
        case .admitted(let admitted):
            id = admitted
        case .serverFull, .addressFull:
            let reason = if case .addressFull = admission { "too many connections from this address" } else { "too many connections" }
            let response = HTTPResponse.error(status: 503, message: reason)
            Socket.refuse(descriptor, with: response.serialized(keepAlive: false))
            logger.warning("http.connection_refused", ["reason": reason])
            return
        }
        let connection = HTTPConnection(
            id: id, descriptor: descriptor, remoteAddress: address, acceptedAt: .now, wake: wake, core: self)
        let thread = Thread { connection.run() }
        thread.name = "http-connection-\(id)"
        thread.start()
    }

    // MARK: Connections

    func requestStarted() { locked { inFlight += 1 } }

    func requestFinished() {
        locked {
            inFlight -= 1
            condition.broadcast()
        }
    }

    /// Closes a connection's descriptor and forgets it, atomically, so that a forced shutdown
    /// never touches a descriptor number that was already reused.
    func closeConnection(id: Int) {
        locked {
            if let connection = connections.removeValue(forKey: id) {
                Socket.close(connection.descriptor)
                let remaining = connectionsPerAddress[connection.address, default: 1] - 1
                connectionsPerAddress[connection.address] = remaining > 0 ? remaining : nil
            }
            condition.broadcast()
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in milliseconds with two decimals, for logs.
    var millisecondsText: String {
        let hundredths = Int((seconds * 100_000).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
