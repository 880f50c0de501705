import Foundation
import GestionHTTP
import GestionLogging

#if canImport(Glibc)
import Glibc
#endif

/// A response as read off the wire by ``RawClient``.
struct RawResponse: CustomStringConvertible {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var closesConnection: Bool { headers.containsToken("close", in: "Connection") }
    var description: String { "\(status) \(headers) \(text)" }
}

/// A blocking TCP client on a raw socket, for talking to the server byte by byte.
final class RawClient {
    enum ConnectError: Error, Equatable { case refused, failed(Int32) }

    let descriptor: Int32
    private var pending: [UInt8] = []
    private var closed = false

    /// Connects to `host` (an IPv4 or IPv6 literal) on `port`.
    init(port: Int, host: String = "127.0.0.1") throws(ConnectError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let address = list?.pointee else {
            throw .failed(EINVAL)
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(address.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .failed(errno) }
        guard connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 else {
            let code = errno
            close(descriptor)
            throw code == ECONNREFUSED ? .refused : .failed(code)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Sends every byte; returns `false` if the server closed or reset the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads one response (interim 1xx responses included). `nil` on timeout or if the
    /// connection ended before a complete response. A response to HEAD has no body whatever
    /// its `Content-Length` says.
    func readResponse(timeout: Duration = .seconds(5), toHead: Bool = false) -> RawResponse? {
        let deadline = ContinuousClock.now + timeout
        var headEnd: Int?
        while headEnd == nil {
            headEnd = pending.firstRange(of: [13, 10, 13, 10])?.upperBound
            if headEnd == nil && !fill(until: deadline) { return nil }
        }
        let head = String(decoding: pending[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.add(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = toHead ? 0 : Int(headers["Content-Length"] ?? "0") ?? 0
        while pending.count < headEnd! + length {
            if !fill(until: deadline) { return nil }
        }
        let body = Array(pending[headEnd!..<headEnd! + length])
        pending.removeFirst(headEnd! + length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server closes the connection (end of stream or reset) within `timeout`,
    /// with no further bytes before that.
    func isClosedByServer(timeout: Duration = .seconds(5)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while pending.isEmpty && !closed {
            if !fill(until: deadline) { break }
        }
        return closed && pending.isEmpty
    }

    /// Whether any byte arrives within `timeout` (the connection staying open and silent: `false`).
    func receivesSomething(within timeout: Duration) -> Bool {
        if !pending.isEmpty { return true }
        return fill(until: .now + timeout) || closed
    }

    /// Reads more bytes into `pending`. Returns `false` on timeout, end of stream or error.
    private func fill(until deadline: ContinuousClock.Instant) -> Bool {
        guard !closed else { return false }
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return false }
            let (seconds, attoseconds) = remaining.components
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, 1, Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                closed = true
                return false
            }
            pending += buffer[..<count]
            return true
        }
    }
}

/// Starts a server on 127.0.0.1, port 0, with test-friendly defaults.
func startServer(
    _ configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    logger: Logger = .disabled,
    handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse = echoHandler
) throws -> (server: HTTPServer, port: Int) {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
    configuration.headerDeadline = .seconds(5)
    configuration.lingerTimeout = .milliseconds(500)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, logger: logger, handler: handler)
    let port = try server.start()
    return (server, port)
}

/// Answers `METHOD path body-size` plus the body, as plain text.
@Sendable func echoHandler(_ request: HTTPRequest) -> HTTPResponse {
    HTTPResponse(
        status: 200, headers: ["Content-Type": "text/plain"],
        body: Array("\(request.method) \(request.path) \(request.body.count)".utf8))
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(3), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return condition()
}
