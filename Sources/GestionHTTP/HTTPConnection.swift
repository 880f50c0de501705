import GestionLogging

/// Serves one accepted connection on its own thread: read with deadlines, parse, call the
/// handler, write the response; repeat while the connection is kept alive.
struct HTTPConnection: Sendable {
    let id: Int
    let descriptor: Int32
    let remoteAddress: String
    let acceptedAt: ContinuousClock.Instant
    /// Becomes readable when the server starts stopping.
    let wake: Int32
    let core: ServerCore

    private enum Ending {
        /// The peer closed, vanished or went quiet while idle: close at once.
        case abrupt
        /// We answered and decided to close: drain what the client still sends, then close.
        case afterResponse
    }

    func run() {
        if serve() == .afterResponse {
            Socket.drainBeforeClose(descriptor, timeout: core.configuration.lingerTimeout)
        }
        core.closeConnection(id: id)
    }

    private func serve() -> Ending {
        let configuration = core.configuration
        var parser = HTTPRequestParser(
            limits: configuration.limits, remoteAddress: remoteAddress, maxBodySize: configuration.maxBodySize)
        var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        var servedRequests = 0
        var idleSince = acceptedAt
        var lastPhase = HTTPRequestParser.Phase.idle
        var headStart = acceptedAt
        var bodyStart = acceptedAt
        var stopSeen = false

        while true {
            // Answer every complete request already buffered (pipelining), in order.
            do {
                while let request = try parser.next() {
                    guard respond(to: request, bytesIn: parser.lastRequestSize) else { return .afterResponse }
                    servedRequests += 1
                    idleSince = .now
                    lastPhase = .idle
                }
            } catch {
                reject(error)
                return .afterResponse
            }
            if parser.takePendingContinue() {
                let deadline = ContinuousClock.now + configuration.writeTimeout
                guard Socket.sendAll(descriptor, HTTPResponse.continueBytes, deadline: deadline) else { return .abrupt }
            }

            // Pick the deadline of the phase we are in.
            let phase = parser.phase
            if phase != lastPhase {
                if phase == .head { headStart = servedRequests == 0 ? acceptedAt : .now }
                if phase == .body { bodyStart = .now }
                lastPhase = phase
            }
            let deadline: ContinuousClock.Instant
            switch phase {
            case .idle:
                if stopSeen || core.isStopping { return .abrupt }
                deadline =
                    servedRequests == 0
                    ? acceptedAt + configuration.headerDeadline : idleSince + configuration.idleTimeout
            case .head:
                deadline = headStart + configuration.headerDeadline
            case .body:
                deadline = bodyStart + configuration.bodyDeadline
            }

            switch Socket.receive(descriptor, into: &readBuffer, deadline: deadline, wake: stopSeen ? nil : wake) {
            case .bytes(let count):
                readBuffer.withUnsafeBytes { parser.feed(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            case .woken:
                stopSeen = true  // idle: close on the next turn; mid-request: finish it first
            case .endOfStream, .failed:
                return .abrupt
            case .timedOut:
                switch phase {
                case .idle:
                    return .abrupt
                case .head:
                    reject(.headerTimeout)
                    return .afterResponse
                case .body:
                    reject(.bodyTimeout)
                    return .afterResponse
                }
            }
        }
    }

    /// Runs the handler and writes its response. Returns whether the connection stays open.
    private func respond(to request: HTTPRequest, bytesIn: Int) -> Bool {
        core.requestStarted()
        defer { core.requestFinished() }
        let start = ContinuousClock.now
        var request = request
        request.peer = HTTPPeer(descriptor: descriptor)
        let response = core.handler(request)
        let keepAlive = request.keepAlive && !response.requestsClose && !core.isStopping
        let bytes = response.serialized(
            keepAlive: keepAlive, requestVersion: request.version, includeBody: request.method != "HEAD")
        let written = Socket.sendAll(descriptor, bytes, deadline: .now + core.configuration.writeTimeout)
        core.logger.info(
            "http.request",
            [
                "method": request.method,
                "path": request.path,
                "status": String(response.status),
                "duration_ms": (ContinuousClock.now - start).millisecondsText,
                "bytes_in": String(bytesIn),
                "bytes_out": String(written ? bytes.count : 0),
            ])
        return written && keepAlive
    }

    /// Answers a refused or timed-out request; the caller then closes the connection.
    private func reject(_ error: HTTPParseError) {
        let bytes = HTTPResponse.error(error).serialized(keepAlive: false)
        let written = Socket.sendAll(descriptor, bytes, deadline: .now + core.configuration.writeTimeout)
        core.logger.notice(
            "http.rejected",
            [
                "status": String(error.status),
                "reason": error.reason,
                "bytes_out": String(written ? bytes.count : 0),
            ])
    }
}
