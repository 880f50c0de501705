import Testing

@testable import GestionHTTP

/// Depth (a): the same bytes, whole or split anywhere, must parse identically.
@Suite struct ParserSplitTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var expectedRequests: Int
        var expectedError: HTTPParseError?
        var testDescription: String { name }
    }

    static let binaryBody: [UInt8] = (0...255).map(UInt8.init) + Array("\r\n\r\n0\r\n".utf8)

    static let samples: [Sample] = [
        Sample(
            name: "simple GET",
            bytes: [UInt8]("GET /api/items?limit=10&q=a%20b HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\nX-Empty:\r\n\r\n"),
            expectedRequests: 1),
        Sample(
            name: "POST with Content-Length",
            bytes: [UInt8]("POST /sync/push HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"mutations\":[1,2,3],\"a\":1}"),
            expectedRequests: 1),
        Sample(
            name: "binary body containing CRLFs",
            bytes: [UInt8]("PUT /blob HTTP/1.1\r\nHost: h\r\nContent-Length: \(binaryBody.count)\r\n\r\n") + binaryBody,
            expectedRequests: 1),
        Sample(
            name: "three pipelined requests",
            bytes: [UInt8](
                "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
            expectedRequests: 3),
        Sample(
            name: "chunked with extensions and trailers",
            bytes: [UInt8](
                "POST /sync HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;name=value\r\nhello\r\n6 ; x\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Checksum: abc\r\n\r\n"),
            expectedRequests: 1),
        Sample(
            name: "pipelined chunked, Content-Length, empty line and GET",
            bytes: [UInt8](
                "POST /1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                    + "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
                    + "\r\nGET /3?x=1 HTTP/1.0\r\n\r\n"),
            expectedRequests: 3),
        Sample(
            name: "valid request, then a smuggled one",
            bytes: [UInt8](
                "GET /ok HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "POST /evil HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            expectedRequests: 1, expectedError: .contentLengthAndTransferEncoding),
        Sample(
            name: "valid request, then bare LF",
            bytes: [UInt8]("GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\nHost: h\r\n\r\n"),
            expectedRequests: 1, expectedError: .bareLF),
    ]

    @Test(arguments: samples)
    func wholeInputGivesExpectedRequests(_ sample: Sample) {
        let result = parseWhole(sample.bytes)
        #expect(result.requests.count == sample.expectedRequests)
        #expect(result.error == sample.expectedError)
        #expect(result.midRequest == false)
    }

    @Test(arguments: samples)
    func everySplitPointGivesTheSameResult(_ sample: Sample) {
        let reference = parseWhole(sample.bytes)
        for index in 0...sample.bytes.count {
            let split = parseSplit(sample.bytes, at: index)
            #expect(split == reference, "split at \(index)")
            if split != reference { return }
        }
    }

    @Test(arguments: samples)
    func byteByByteGivesTheSameResult(_ sample: Sample) {
        #expect(parseByteByByte(sample.bytes) == parseWhole(sample.bytes))
    }

    // MARK: Content of parsed requests

    @Test func getRequestFields() throws {
        let result = parseWhole(Self.samples[0].bytes)
        let request = try #require(result.requests.first)
        #expect(request.method == "GET")
        #expect(request.target == "/api/items?limit=10&q=a%20b")
        #expect(request.path == "/api/items")
        #expect(request.query == "limit=10&q=a%20b")
        #expect(request.queryItems.map(\.name) == ["limit", "q"])
        #expect(request.queryItems.map(\.value) == ["10", "a b"])
        #expect(request.version == .http1_1)
        #expect(request.headers["host"] == "example.test")
        #expect(request.headers["ACCEPT"] == "*/*")
        #expect(request.headers["X-Empty"] == "")
        #expect(request.body.isEmpty)
        #expect(request.remoteAddress == "192.0.2.1")
        #expect(request.keepAlive)
    }

    @Test func contentLengthBody() throws {
        let request = try #require(parseWhole(Self.samples[1].bytes).requests.first)
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"mutations":[1,2,3],"a":1}"#)
        let binary = try #require(parseWhole(Self.samples[2].bytes).requests.first)
        #expect(binary.body == Self.binaryBody)
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let requests = parseWhole(Self.samples[3].bytes).requests
        #expect(requests.map(\.path) == ["/a", "/b", "/c"])
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["", "hello", ""])
        #expect(requests.map(\.keepAlive) == [true, true, false])
    }

    @Test func chunkedBodyIsDecodedAndTrailersDropped() throws {
        let request = try #require(parseWhole(Self.samples[4].bytes).requests.first)
        #expect(String(decoding: request.body, as: UTF8.self) == "hello world0123456789")
        #expect(request.headers["X-Checksum"] == nil)
        #expect(request.headers["Transfer-Encoding"] == "chunked")
    }

    @Test func mixedPipeline() {
        let requests = parseWhole(Self.samples[5].bytes).requests
        #expect(requests.map(\.path) == ["/1", "/2", "/3"])
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["abc", "xyz", ""])
        #expect(requests[2].version == .http1_0)
        #expect(requests[2].keepAlive == false)
        #expect(requests[2].query == "x=1")
    }

    @Test func lastRequestSizeCountsWireBytes() throws {
        var parser = HTTPRequestParser()
        let bytes = Self.samples[4].bytes
        parser.feed(bytes)
        _ = try parser.next()
        #expect(parser.lastRequestSize == bytes.count)
    }

    @Test func phaseFollowsTheRequest() throws {
        var parser = HTTPRequestParser()
        #expect(parser.phase == .idle)
        parser.feed([UInt8]("POST /x HTTP/1.1\r\nHost: h\r\n"))
        #expect(try parser.next() == nil)
        #expect(parser.phase == .head)
        parser.feed([UInt8]("Content-Length: 4\r\nExpect: 100-continue\r\n\r\nab"))
        #expect(try parser.next() == nil)
        #expect(parser.phase == .body)
        let first = parser.takePendingContinue()
        let second = parser.takePendingContinue()
        #expect(first)
        #expect(second == false)
        parser.feed([UInt8]("cd"))
        #expect(try parser.next()?.body == [UInt8]("abcd"))
        #expect(parser.phase == .idle)
    }

    @Test func expectContinueIsIgnoredForHTTP10AndBodylessRequests() throws {
        var parser = HTTPRequestParser()
        parser.feed([UInt8]("POST /x HTTP/1.0\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"))
        #expect(try parser.next() == nil)
        let pending = parser.takePendingContinue()
        #expect(pending == false)

        var bodyless = HTTPRequestParser()
        bodyless.feed([UInt8]("GET /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n"))
        #expect(try bodyless.next() != nil)
        let bodylessPending = bodyless.takePendingContinue()
        #expect(bodylessPending == false)
    }

    @Test func errorsAreSticky() {
        var parser = HTTPRequestParser()
        parser.feed([UInt8]("GET / HTTP/1.1\r\nHost: h\nX"))
        #expect(throws: HTTPParseError.bareLF) { try parser.next() }
        parser.feed([UInt8]("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(throws: HTTPParseError.bareLF) { try parser.next() }
        #expect(parser.hasFailed)
    }

    @Test func bodyLimitIsChosenPerMethodAndPath() {
        var parser = HTTPRequestParser { method, path in
            method == "POST" && path == "/upload" ? 10 : 2
        }
        parser.feed([UInt8]("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"))
        #expect((try? parser.next())?.body.count == 10)
        parser.feed([UInt8]("POST /other HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"))
        #expect(throws: HTTPParseError.bodyTooLarge) { try parser.next() }
    }

    @Test func largeBodyAcrossManyFeeds() throws {
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var parser = HTTPRequestParser()
        parser.feed([UInt8]("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.count)\r\n\r\n"))
        var received: HTTPRequest?
        for start in stride(from: 0, to: body.count, by: 4096) {
            parser.feed(Array(body[start..<min(start + 4096, body.count)]))
            if let request = try parser.next() { received = request }
        }
        #expect(received?.body == body)
    }
}
