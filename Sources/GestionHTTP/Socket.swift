#if canImport(Glibc)
import Glibc
#else
#error("GestionHTTP's socket layer is written for Linux (Glibc)")
#endif

/// Thin wrappers over POSIX sockets for the server. Every descriptor made here is
/// non-blocking and close-on-exec; waiting is done with `poll()` against a deadline, so no
/// call can block past it. `EINTR` is retried everywhere; `send` uses `MSG_NOSIGNAL`, so a
/// peer that went away yields `EPIPE` instead of killing the process with SIGPIPE.
enum Socket {
    enum ReceiveResult: Equatable {
        case bytes(Int)
        case endOfStream
        case timedOut
        /// The wake descriptor became readable (the server is stopping).
        case woken
        case failed(Int32)
    }

    enum AcceptResult {
        case accepted(descriptor: Int32, address: String)
        case wouldBlock
        case failed(Int32)
    }

    enum WaitResult {
        case ready
        case woken
        case failed(Int32)
    }

    // MARK: Listening

    /// Resolves `host` (IPv4 or IPv6 literal, or a name such as `localhost`), binds the first
    /// address that works (IPv4 first) with `SO_REUSEADDR`, and listens.
    static func makeListener(host: String, port: Int, backlog: Int32) throws(HTTPServerError) -> (
        descriptor: Int32, port: Int
    ) {
        guard (0...65_535).contains(port) else {
            throw HTTPServerError(operation: "bind", code: EINVAL, message: "port \(port) out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw HTTPServerError(
                operation: "getaddrinfo(\(host))", code: status, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }

        var candidates: [addrinfo] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let node = cursor {
            candidates.append(node.pointee)
            cursor = node.pointee.ai_next
        }
        let ordered = candidates.filter { $0.ai_family == AF_INET } + candidates.filter { $0.ai_family != AF_INET }

        var lastError = HTTPServerError(operation: "bind", code: EADDRNOTAVAIL, message: "no usable address")
        for candidate in ordered {
            let descriptor = socket(
                candidate.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                candidate.ai_protocol)
            guard descriptor >= 0 else {
                lastError = .posix("socket")
                continue
            }
            setOption(descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            guard bind(descriptor, candidate.ai_addr, candidate.ai_addrlen) == 0 else {
                lastError = .posix("bind \(host):\(port)")
                Glibc.close(descriptor)
                continue
            }
            guard Glibc.listen(descriptor, backlog) == 0, setNonBlocking(descriptor) else {
                lastError = .posix("listen")
                Glibc.close(descriptor)
                continue
            }
            return (descriptor, localPort(descriptor))
        }
        throw lastError
    }

    /// Waits until `listener` has a pending connection or `wake` becomes readable.
    static func waitForConnection(_ listener: Int32, wake: Int32) -> WaitResult {
        var descriptors = [
            pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&descriptors, deadline: nil)
        if ready < 0 { return .failed(errno) }
        if descriptors[1].revents != 0 { return .woken }
        return .ready
    }

    /// Accepts one pending connection without blocking; makes it non-blocking and
    /// close-on-exec and sets `TCP_NODELAY`.
    static func accept(_ listener: Int32) -> AcceptResult {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let descriptor = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.accept(listener, $0, &length)
                }
            }
            if descriptor >= 0 {
                _ = setCloseOnExec(descriptor)
                _ = setNonBlocking(descriptor)
                setOption(descriptor, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
                return .accepted(descriptor: descriptor, address: ipAddress(storage))
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(code)
            }
        }
    }

    // MARK: Reading and writing

    /// Reads what is available into `buffer`, waiting until `deadline` at most. With a `wake`
    /// descriptor, returns `.woken` as soon as it becomes readable (pending data first).
    static func receive(
        _ descriptor: Int32, into buffer: inout [UInt8], deadline: ContinuousClock.Instant, wake: Int32?
    ) -> ReceiveResult {
        while true {
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            if let wake { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&descriptors, deadline: deadline)
            if ready < 0 { return .failed(errno) }
            if ready == 0 { return .timedOut }
            if descriptors[0].revents != 0 {
                let count = buffer.withUnsafeMutableBytes {
                    recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
                }
                if count > 0 { return .bytes(count) }
                if count == 0 { return .endOfStream }
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                return .failed(errno)
            }
            return .woken
        }
    }

    /// Writes every byte (handling partial writes), waiting for buffer space until `deadline`.
    /// Returns `false` if the peer went away or the deadline passed.
    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8], deadline: ContinuousClock.Instant) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(
                    descriptor, raw.baseAddress! + offset, raw.count - offset,
                    Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                if sent > 0 {
                    offset += sent
                    continue
                }
                guard sent < 0 else { return false }
                switch errno {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    var descriptors = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
                    guard poll(&descriptors, deadline: deadline) > 0 else { return false }
                default:
                    return false
                }
            }
            return true
        }
    }

    /// Whether the peer has closed (or reset) the connection, without consuming or waiting for
    /// anything: a peek at one byte. Pending bytes (a pipelined request) mean it is still open.
    static func peerHasClosed(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        while true {
            let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            if count > 0 { return false }
            if count == 0 { return true }
            if errno == EINTR { continue }
            return !(errno == EAGAIN || errno == EWOULDBLOCK)
        }
    }

    // MARK: Closing

    /// Closes after the response was written: half-closes our side, then discards whatever the
    /// client still sends (until it closes or `timeout`), so that unread request bytes do not
    /// make the kernel reset the connection and destroy the response before the client reads it.
    static func drainBeforeClose(_ descriptor: Int32, timeout: Duration) {
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + timeout
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while case .bytes = receive(descriptor, into: &scratch, deadline: deadline, wake: nil) {}
    }

    /// Writes `bytes` without waiting, then closes; for refusing a connection from the acceptor.
    static func refuse(_ descriptor: Int32, with bytes: [UInt8]) {
        _ = sendAll(descriptor, bytes, deadline: .now)
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 4096)
        while case .bytes = receive(descriptor, into: &scratch, deadline: .now, wake: nil) {}
        Glibc.close(descriptor)
    }

    /// Wakes every thread blocked on this socket (reads see end of stream, writes fail),
    /// without closing the descriptor, which its owner thread still holds.
    static func shutdownBoth(_ descriptor: Int32) {
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    static func close(_ descriptor: Int32) {
        Glibc.close(descriptor)
    }

    // MARK: Wake pipe

    /// A pipe whose read end becomes readable, for everyone polling it, once signalled.
    static func makeWakePipe() throws(HTTPServerError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .posix("pipe") }
        for end in ends {
            _ = setCloseOnExec(end)
            _ = setNonBlocking(end)
        }
        return (ends[0], ends[1])
    }

    static func signal(_ writeEnd: Int32) {
        var byte: UInt8 = 1
        while write(writeEnd, &byte, 1) < 0 && errno == EINTR {}
    }

    // MARK: Helpers

    /// `poll()` until `deadline` (`nil`: forever), retrying on EINTR. Returns poll's result.
    private static func poll(_ descriptors: inout [pollfd], deadline: ContinuousClock.Instant?) -> Int32 {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let remaining = deadline - .now
                timeout = remaining <= .zero ? 0 : milliseconds(remaining)
            }
            let ready = Glibc.poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 && errno == EINTR { continue }
            return ready
        }
    }

    /// Milliseconds, rounded up so that a poll never wakes before the deadline.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis)
    }

    private static func setOption(_ descriptor: Int32, level: Int32, name: Int32, value: Int32) {
        var value = value
        setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func setNonBlocking(_ descriptor: Int32) -> Bool {
        let flags = fcntl(descriptor, F_GETFL)
        return flags >= 0 && fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0
    }

    private static func setCloseOnExec(_ descriptor: Int32) -> Bool {
        let flags = fcntl(descriptor, F_GETFD)
        return flags >= 0 && fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) == 0
    }

    private static func localPort(_ descriptor: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port)) }
        case AF_INET6:
            return withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port)) }
        default:
            return 0
        }
    }

    /// The numeric IP address of a peer (no port).
    private static func ipAddress(_ storage: sockaddr_storage) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var storage = storage
        let family = Int32(storage.ss_family)
        let converted: UnsafePointer<CChar>? = withUnsafeMutableBytes(of: &storage) { raw in
            switch family {
            case AF_INET:
                let address = raw.baseAddress!.advanced(by: MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!)
                return inet_ntop(AF_INET, address, &text, socklen_t(text.count))
            case AF_INET6:
                let address = raw.baseAddress!.advanced(by: MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!)
                return inet_ntop(AF_INET6, address, &text, socklen_t(text.count))
            default:
                return nil
            }
        }
        guard converted != nil else { return "" }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

extension HTTPServerError {
    /// The error for a failed system call, from `errno`.
    static func posix(_ operation: String) -> HTTPServerError {
        let code = errno
        return HTTPServerError(operation: operation, code: code, message: String(cString: strerror(code)))
    }
}
