import Foundation
import Testing

@testable import GestionHTTP

@Suite struct ResponseAndHeadersTests {
    static let sampleDate = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    func text(_ response: HTTPResponse, keepAlive: Bool, version: HTTPVersion = .http1_1, includeBody: Bool = true)
        -> String
    {
        String(
            decoding: response.serialized(
                keepAlive: keepAlive, requestVersion: version, includeBody: includeBody, date: Self.sampleDate),
            as: UTF8.self)
    }

    @Test func headersAreOrderedAndCaseInsensitive() {
        var headers: HTTPHeaders = ["Accept": "a", "X-Multi": "1", "x-multi": "2"]
        #expect(headers["accept"] == "a")
        #expect(headers["X-MULTI"] == "1")
        #expect(headers.values(for: "x-Multi") == ["1", "2"])
        #expect(headers["missing"] == nil)
        #expect(headers.map(\.name) == ["Accept", "X-Multi", "x-multi"])
        headers.replaceOrAdd(name: "X-MULTI", value: "3")
        #expect(headers.values(for: "x-multi") == ["3"])
        headers.remove(name: "accept")
        #expect(headers.count == 1)
        #expect(HTTPHeaders([("Connection", "keep-alive, Close")]).containsToken("close", in: "connection"))
    }

    @Test func serializationOfAKeptAliveResponse() {
        let response = HTTPResponse(status: 200, json: Array(#"{"ok":true}"#.utf8))
        #expect(
            text(response, keepAlive: true)
                == "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
    }

    @Test func serializationWhenClosingAndForHTTP10() {
        let response = HTTPResponse(status: 404, body: [])
        #expect(text(response, keepAlive: false).contains("HTTP/1.1 404 Not Found\r\n"))
        #expect(text(response, keepAlive: false).contains("Content-Length: 0\r\nConnection: close\r\n\r\n"))
        #expect(text(response, keepAlive: true, version: .http1_0).contains("Connection: keep-alive\r\n"))
        #expect(!text(response, keepAlive: true).contains("Connection:"))
    }

    @Test func serverOwnsFramingHeadersAndDropsUnsafeOnes() {
        let response = HTTPResponse(
            status: 200,
            headers: [
                "Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "keep-alive",
                "X-Split": "a\r\nSet-Cookie: evil=1", "Bad Name": "v", "X-Fine": "yes",
                "Date": "Mon, 07 Nov 1994 00:00:00 GMT",
            ],
            body: Array("abc".utf8))
        let wire = text(response, keepAlive: true)
        #expect(wire.contains("Content-Length: 3\r\n"))
        #expect(!wire.contains("999"))
        #expect(!wire.contains("Transfer-Encoding"))
        #expect(!wire.contains("Set-Cookie"))
        #expect(!wire.contains("Bad Name"))
        #expect(wire.contains("X-Fine: yes\r\n"))
        #expect(wire.contains("Date: Mon, 07 Nov 1994 00:00:00 GMT\r\n"))
        #expect(!wire.contains("Date: Sun"))
    }

    @Test func bodylessStatusesAndHead() {
        let noContent = text(HTTPResponse(status: 204, body: Array("x".utf8)), keepAlive: true)
        #expect(noContent == "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
        let head = text(HTTPResponse(status: 200, body: Array("hello".utf8)), keepAlive: true, includeBody: false)
        #expect(head.hasSuffix("Content-Length: 5\r\n\r\n"))
    }

    @Test(arguments: [
        (400, "bad_request", "Bad Request"), (408, "request_timeout", "Request Timeout"),
        (413, "payload_too_large", "Content Too Large"), (414, "uri_too_long", "URI Too Long"),
        (431, "header_too_large", "Request Header Fields Too Large"), (501, "not_implemented", "Not Implemented"),
        (505, "http_version_not_supported", "HTTP Version Not Supported"),
        (503, "service_unavailable", "Service Unavailable"),
    ])
    func errorCodesAndReasonPhrases(status: Int, code: String, phrase: String) {
        #expect(HTTPResponse.errorCode(for: status) == code)
        #expect(HTTPResponse.reasonPhrase(for: status) == phrase)
        let error = HTTPResponse.error(status: status, message: "why \"quoted\"\n")
        #expect(
            String(decoding: error.body, as: UTF8.self)
                == #"{"error":{"code":"\#(code)","message":"why \"quoted\"\n"}}"#)
    }

    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777.0, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (951_782_400.0, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_798_761_599.9, "Thu, 31 Dec 2026 23:59:59 GMT"),
        (-1.0, "Wed, 31 Dec 1969 23:59:59 GMT"),
    ])
    func httpDates(seconds: Double, expected: String) {
        #expect(HTTPResponse.httpDate(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func requestInitDerivesPathAndQuery() {
        let request = HTTPRequest(method: "GET", target: "/a/b?x=1+2&y=%C3%B1&z")
        #expect(request.path == "/a/b")
        #expect(request.query == "x=1+2&y=%C3%B1&z")
        #expect(request.queryItems.map(\.name) == ["x", "y", "z"])
        #expect(request.queryItems.map(\.value) == ["1 2", "ñ", ""])
        #expect(HTTPRequest(method: "GET", target: "/plain").query == nil)
        #expect(HTTPRequest(method: "GET", target: "/empty?").query == "")
    }
}
