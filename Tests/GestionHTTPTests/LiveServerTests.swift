import Foundation
import GestionHTTP
import GestionLogging
import Synchronization
import Testing

/// Depth (c): a real server on 127.0.0.1, driven over raw sockets.
/// Serialized so that the deadline-based tests do not compete for the two CPU cores.
@Suite(.serialized) struct LiveServerTests {
    @Test func keepAliveServesTwoRequestsOnOneConnection() throws {
        let (server, port) = try startServer()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port)

        client.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try #require(client.readResponse())
        #expect(first.status == 200)
        #expect(first.text == "GET /one 0")
        #expect(first.closesConnection == false)
        #expect(first.headers["Date"]?.hasSuffix(" GMT") == true)

        client.send("POST /two HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
        let second = try #require(client.readResponse())
        #expect(second.text == "POST /two 3")
        #expect(server.openConnections == 1)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let (server, port) = try startServer()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port)
        client.send(
            "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
                + "GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let texts = (0..<3).map { _ in client.readResponse()?.text }
        #expect(texts == ["GET /a 0", "POST /b 2", "GET /c 0"])
        #expect(client.isClosedByServer())
    }

    @Test func smugglingAttemptGets400AndTheConnectionIsClosed() throws {
        let (server, port) = try startServer()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port)
        client.send(
            "POST /sync HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 400)
        #expect(response.closesConnection)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(
            response.text
                == #"{"error":{"code":"bad_request","message":"both Content-Length and Transfer-Encoding"}}"#)
        #expect(client.isClosedByServer())
    }

    @Test func slowHeaderGets408WhileOthersAreServed() throws {
        let (server, port) = try startServer { $0.headerDeadline = .milliseconds(300) }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let started = ContinuousClock.now
        let slow = try RawClient(port: port)
        slow.send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Half: ")

        let quick = try RawClient(port: port)
        quick.send("GET /quick HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(quick.readResponse()?.status == 200)

        let timedOut = try #require(slow.readResponse())
        let elapsed = ContinuousClock.now - started
        #expect(timedOut.status == 408)
        #expect(timedOut.text.contains(#""code":"request_timeout""#))
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .seconds(5))
        #expect(slow.isClosedByServer())

        // The quick client's keep-alive connection is unaffected.
        quick.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(quick.readResponse()?.text == "GET /again 0")
    }

    @Test func silentNewConnectionIsClosedAfterTheHeaderDeadline() throws {
        let (server, port) = try startServer { $0.headerDeadline = .milliseconds(200) }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port)
        #expect(client.isClosedByServer(timeout: .seconds(5)))
    }

    @Test func connectionsBeyondTheLimitGet503() throws {
        let (server, port) = try startServer { $0.maxConnections = 2 }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let first = try RawClient(port: port)
        let second = try RawClient(port: port)
        for client in [first, second] {
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
        }
        #expect(server.openConnections == 2)

        let third = try RawClient(port: port)
        let refused = try #require(third.readResponse())
        #expect(refused.status == 503)
        #expect(refused.closesConnection)
        #expect(refused.text.contains("service_unavailable"))
        #expect(third.isClosedByServer())

        // Once a slot frees up, new connections are served again.
        first.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(first.readResponse()?.status == 200)
        #expect(eventually { server.openConnections == 1 })
        let fourth = try RawClient(port: port)
        fourth.send("GET /later HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(fourth.readResponse()?.text == "GET /later 0")
    }

    @Test func oneAddressCannotTakeEverySlot() throws {
        let (server, port) = try startServer { $0.maxConnectionsPerAddress = 2 }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let held = try (0..<2).map { _ in try RawClient(port: port, source: "127.0.0.2") }
        #expect(eventually { server.openConnections == 2 })
        let third = try RawClient(port: port, source: "127.0.0.2")
        let refused = try #require(third.readResponse())
        #expect(refused.status == 503 && refused.text.contains("too many connections from this address"))

        // Another address is served; and the first one again once it lets a connection go.
        let other = try RawClient(port: port, source: "127.0.0.3")
        other.send("GET /otro HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(other.readResponse()?.text == "GET /otro 0")
        held[0].send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(held[0].readResponse()?.status == 200)
        #expect(eventually { server.openConnections == 2 })
        let again = try RawClient(port: port, source: "127.0.0.2")
        again.send("GET /de-nuevo HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(again.readResponse()?.text == "GET /de-nuevo 0")
    }

    @Test func gracefulShutdownFinishesInFlightRequestsAndRefusesNewConnections() throws {
        let slowStarted = Mutex(false)
        let (server, port) = try startServer { _ in } handler: { request in
            if request.path == "/slow" {
                slowStarted.withLock { $0 = true }
                Thread.sleep(forTimeInterval: 0.4)
            }
            return HTTPResponse(status: 200, body: Array("done \(request.path)".utf8))
        }
        let client = try RawClient(port: port)
        let idle = try RawClient(port: port)
        idle.send("GET /warmup HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(idle.readResponse()?.status == 200)

        client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        try #require(eventually { slowStarted.withLock { $0 } })
        #expect(server.inFlightRequests == 1)

        let shutdownDone = Mutex<ContinuousClock.Instant?>(nil)
        let shutdownStarted = ContinuousClock.now
        Thread.detachNewThread {
            server.shutdown(gracePeriod: .seconds(5))
            shutdownDone.withLock { $0 = .now }
        }

        // New connections are refused once shutdown has begun...
        #expect(eventually { (try? RawClient(port: port)) == nil })
        // ...the idle keep-alive connection is closed...
        #expect(idle.isClosedByServer())
        // ...and the in-flight request still gets its full response.
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "done /slow")
        #expect(response.closesConnection)

        #expect(eventually(timeout: .seconds(5)) { shutdownDone.withLock { $0 } != nil })
        let finished = try #require(shutdownDone.withLock { $0 })
        #expect(finished - shutdownStarted >= .milliseconds(200))
        #expect(finished - shutdownStarted < .seconds(5))
        #expect(server.openConnections == 0)
        #expect(server.inFlightRequests == 0)
        server.waitUntilStopped()
    }

    @Test func shutdownOfAnIdleServerIsQuick() throws {
        let (server, port) = try startServer()
        let client = try RawClient(port: port)
        client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
        let started = ContinuousClock.now
        server.shutdown(gracePeriod: .seconds(5))
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(client.isClosedByServer())
        server.waitUntilStopped()
        server.shutdown(gracePeriod: .seconds(1))  // a second call is harmless
    }

    @Test func oversizedBodyIsRefusedWith413() throws {
        let (server, port) = try startServer { $0.maxBodySize = { _, _ in 1024 * 1024 } }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 5 * 1024 * 1024)

        let client = try RawClient(port: port)
        client.send("POST /sync/push HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n")
        client.send(body)  // may fail part-way once the server has closed: that is fine
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(response.text.contains(#""code":"payload_too_large""#))
        #expect(response.closesConnection)

        // Chunked: the limit is enforced across chunks.
        let chunked = try RawClient(port: port)
        chunked.send("POST /sync/push HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<5 {
            chunked.send("100000\r\n")
            chunked.send(Array(body[..<0x100000]))
            chunked.send("\r\n")
        }
        #expect(chunked.readResponse()?.status == 413)

        // A body within the limit is fine.
        let fine = try RawClient(port: port)
        fine.send("POST /sync/push HTTP/1.1\r\nHost: t\r\nContent-Length: \(1024 * 1024)\r\n\r\n")
        fine.send(Array(body[..<(1024 * 1024)]))
        #expect(fine.readResponse()?.text == "POST /sync/push 1048576")
    }

    @Test func expectContinueGetsAnInterimResponse() throws {
        let (server, port) = try startServer()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port)
        client.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try #require(client.readResponse())
        #expect(interim.status == 100)
        client.send("data")
        #expect(client.readResponse()?.text == "PUT /x 4")

        // Refused before the body is sent: no 100 Continue, straight to 413.
        let big = try RawClient(port: port)
        big.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 9999999\r\nExpect: 100-continue\r\n\r\n")
        #expect(big.readResponse()?.status == 413)
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let (server, port) = try startServer()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let plain = try RawClient(port: port)
        plain.send("GET /old HTTP/1.0\r\n\r\n")
        let response = try #require(plain.readResponse())
        #expect(response.closesConnection)
        #expect(plain.isClosedByServer())

        let keepAlive = try RawClient(port: port)
        keepAlive.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(keepAlive.readResponse()?.headers["Connection"] == "keep-alive")
        keepAlive.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(keepAlive.readResponse()?.text == "GET /b 0")
    }

    @Test func headResponseHasLengthButNoBody() throws {
        let (server, port) = try startServer()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port)
        client.send("HEAD /thing HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try #require(client.readResponse(toHead: true))
        #expect(head.headers["Content-Length"] == String("HEAD /thing 0".utf8.count))
        #expect(head.body.isEmpty)
        // The next response on the connection starts right after the head.
        client.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.text == "GET /next 0")
    }

    @Test func handlerAskingToCloseIsHonoured() throws {
        let (server, port) = try startServer { _ in } handler: { _ in
            HTTPResponse(status: 200, headers: ["Connection": "close"], body: [])
        }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port)
        client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.closesConnection == true)
        #expect(client.isClosedByServer())
    }

    @Test func oneLogLinePerRequestWithoutBodyOrQuery() throws {
        let records = InMemoryLogHandler()
        let logger = Logger(label: "http-test", handler: records)
        let (server, port) = try startServer(logger: logger)
        let client = try RawClient(port: port)
        client.send("POST /items?token=s3cret HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\nprivate!!")
        #expect(client.readResponse()?.status == 200)
        client.send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n")
        #expect(client.readResponse()?.status == 400)
        server.shutdown(gracePeriod: .seconds(2))

        let requests = records.records.filter { $0.event == "http.request" }
        try #require(requests.count == 1)
        let line = requests[0]
        #expect(line.level == .info)
        #expect(line.metadata["method"] == "POST")
        #expect(line.metadata["path"] == "/items")
        #expect(line.metadata["status"] == "200")
        #expect(line.metadata["duration_ms"] != nil)
        let expectedBytesIn = "POST /items?token=s3cret HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\nprivate!!".utf8.count
        #expect(line.metadata["bytes_in"] == String(expectedBytesIn))
        #expect(Int(line.metadata["bytes_out"] ?? "") ?? 0 > 0)
        let everything = records.records.flatMap { $0.metadata.values }.joined(separator: " ")
        #expect(!everything.contains("s3cret"))
        #expect(!everything.contains("private"))
        let rejected = records.records.filter { $0.event == "http.rejected" }
        #expect(rejected.map { $0.metadata["reason"] } == ["invalid Content-Length"])
    }

    @Test func startingTwiceOrOnABusyPortFails() throws {
        let (server, port) = try startServer()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        #expect(throws: HTTPServerError.self) { try server.start() }
        let rival = HTTPServer(
            configuration: .init(host: "127.0.0.1", port: port), logger: .disabled, handler: echoHandler)
        #expect(throws: HTTPServerError.self) { try rival.start() }
        rival.waitUntilStopped()  // never started: returns at once
    }

    @Test func localhostBinds() throws {
        let (server, port) = try startServer { $0.host = "localhost" } handler: { request in
            HTTPResponse(status: 200, body: Array(request.remoteAddress.utf8))
        }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        #expect(port > 0)
        let client = try RawClient(port: port)
        client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(client.readResponse()?.text == "127.0.0.1")
    }

    @Test(.enabled(if: ipv6LoopbackAvailable())) func ipv6LiteralBinds() throws {
        let (server, port) = try startServer { $0.host = "::1" } handler: { request in
            HTTPResponse(status: 200, body: Array(request.remoteAddress.utf8))
        }
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: port, host: "::1")
        client.send("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n")
        #expect(client.readResponse()?.text == "::1")
    }
}

/// Whether this machine can bind `::1` (containers often have IPv6 disabled).
func ipv6LoopbackAvailable() -> Bool {
    let probe = HTTPServer(configuration: .init(host: "::1", port: 0), logger: .disabled, handler: echoHandler)
    guard (try? probe.start()) != nil else { return false }
    probe.shutdown(gracePeriod: .seconds(1))
    return true
}
