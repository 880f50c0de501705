import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP/1.1 over a plain blocking socket with keep-alive: the load generator's client and the
/// byte counter of the wire scenario. Only what this server answers: `Content-Length` bodies.
final class RawHTTP {
    let fd: Int32
    private var buffer: [UInt8] = []
    let port: Int

    struct Reply {
        var status: Int
        var body: [UInt8]
        /// Head and body, as read from the socket.
        var bytes: Int
    }

    init(port: Int) throws {
        self.port = port
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PlainSQLite.Failure(description: "socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            // deinit closes the socket.
            throw PlainSQLite.Failure(description: "cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }

    static func canConnect(port: Int) -> Bool { (try? RawHTTP(port: port)) != nil }

    /// The bytes of one request.
    static func request(_ method: String, _ path: String, body: [UInt8]? = nil, token: String? = nil) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + sent, bytes.count - sent) }
            guard written > 0 else { throw PlainSQLite.Failure(description: "write failed") }
            sent += written
        }
    }

    /// Reads whatever the socket has (blocking until something); false at end of stream.
    func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw PlainSQLite.Failure(description: "read failed") }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// A complete response at the front of the buffer, removed from it; nil if not all there yet.
    func takeReply() -> Reply? {
        guard let headEnd = Self.find(buffer) else { return nil }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var length = 0
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let total = headEnd + 4 + length
        guard buffer.count >= total else { return nil }
        let body = Array(buffer[(headEnd + 4)..<total])
        buffer.removeFirst(total)
        return Reply(status: status, body: body, bytes: total)
    }

    /// Sends one request and waits for its answer.
    func roundTrip(_ bytes: [UInt8]) throws -> Reply {
        try send(bytes)
        while true {
            if let reply = takeReply() { return reply }
            guard try fill() else { throw PlainSQLite.Failure(description: "the server closed the connection") }
        }
    }

    private static func find(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
