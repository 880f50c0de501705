import Foundation
import GestionHTTP

#if canImport(Glibc)
import Glibc
#endif

/// A response as read off the wire by ``SocketClient``.
public struct SocketResponse: CustomStringConvertible {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var closesConnection: Bool { headers.containsToken("close", in: "Connection") }
    public var description: String { "\(status) \(headers) \(text)" }
}

/// A blocking TCP client on a raw socket, for talking to a server byte by byte (hostile input,
/// slow clients). `source` binds the local end to another loopback address, e.g. `127.0.0.2`.
public final class SocketClient {
    public enum ConnectError: Error, Equatable { case refused, failed(Int32) }

    public let descriptor: Int32
    private var pending: [UInt8] = []
    private var closed = false

    /// Connects to `host` (an IPv4 or IPv6 literal) on `port`.
    public init(port: Int, host: String = "127.0.0.1", source: String? = nil) throws(ConnectError) {
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
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else {
                close(descriptor)
                throw .failed(EINVAL)
            }
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let code = errno
                close(descriptor)
                throw .failed(code)
            }
        }
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
    public func send(_ bytes: [UInt8]) -> Bool {
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
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads one response (interim 1xx responses included). `nil` on timeout or if the
    /// connection ended before a complete response. A response to HEAD has no body whatever
    /// its `Content-Length` says.
    public func readResponse(timeout: Duration = .seconds(5), toHead: Bool = false) -> SocketResponse? {
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
        return SocketResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server closes the connection (end of stream or reset) within `timeout`,
    /// with no further bytes before that.
    public func isClosedByServer(timeout: Duration = .seconds(5)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while pending.isEmpty && !closed {
            if !fill(until: deadline) { break }
        }
        return closed && pending.isEmpty
    }

    /// Whether any byte arrives within `timeout` (the connection staying open and silent: `false`).
    public func receivesSomething(within timeout: Duration) -> Bool {
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

