import GestionHTTP

/// The catalogue of malformed and smuggling HTTP/1.1 inputs (RFC 9112 §2.2, §3, §5, §6, §7), each
/// with the exact refusal expected: checked against the parser byte by byte
/// (`MalformedRequestTests`) and against the real server over a socket (`BadInputCatalogueTests`).
public enum HTTPFramingCatalogue {
    public enum Expected: Equatable, Sendable, CustomStringConvertible {
        /// Refused with this status and reason.
        case rejected(HTTPParseError)
        /// Not an error: the parser waits for more bytes.
        case incomplete
        /// Accepted as this many complete requests.
        case accepted(Int)

        public var description: String {
            switch self {
            case .rejected(let error): "rejected \(error)"
            case .incomplete: "incomplete"
            case .accepted(let count): "accepted \(count)"
            }
        }
    }

    public struct Case: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public var expected: Expected
        public var limits = HTTPLimits()
        public var maxBodySize = HTTPLimits.defaultMaxBodySize

        public init(_ name: String, _ text: String, _ expected: Expected, maxBodySize: Int = HTTPLimits.defaultMaxBodySize) {
            self.name = name
            self.bytes = Array(text.utf8)
            self.expected = expected
            self.maxBodySize = maxBodySize
        }

        public init(_ name: String, bytes: [UInt8], _ expected: Expected) {
            self.name = name
            self.bytes = bytes
            self.expected = expected
        }
    }

    /// A POST with `Host` and the given extra header lines (each ending in CRLF) and body.
    public static func post(_ headerLines: String, body: String = "") -> String {
        "POST /sync HTTP/1.1\r\nHost: h\r\n" + headerLines + "\r\n" + body
    }

    static let chunkedHead = "Transfer-Encoding: chunked\r\n"

    static let longTarget = "/" + String(repeating: "a", count: 8192 - "GET / HTTP/1.1".count)
    static let tooManyHeaders = (1...64).map { "X-H\($0): v\r\n" }.joined()
    static let maxHeaders = (1...63).map { "X-H\($0): v\r\n" }.joined()
    static let bigHeaders = (1...10).map { "X-Big\($0): " + String(repeating: "b", count: 7000) + "\r\n" }.joined()

    public static let cases: [Case] = [
        // MARK: Content-Length and Transfer-Encoding together (CL.TE / TE.CL smuggling)
        Case("CL then TE", post("Content-Length: 5\r\n" + chunkedHead, body: "0\r\n\r\n"),
             .rejected(.contentLengthAndTransferEncoding)),
        Case("TE then CL", post(chunkedHead + "Content-Length: 5\r\n", body: "0\r\n\r\n"),
             .rejected(.contentLengthAndTransferEncoding)),
        Case("CL 0 and TE", post("Content-Length: 0\r\n" + chunkedHead, body: "0\r\n\r\n"),
             .rejected(.contentLengthAndTransferEncoding)),

        // MARK: Content-Length syntax
        Case("duplicate CL, equal", post("Content-Length: 5\r\nContent-Length: 5\r\n", body: "hello"),
             .rejected(.duplicateContentLength)),
        Case("duplicate CL, different", post("Content-Length: 5\r\ncontent-length: 6\r\n", body: "hello!"),
             .rejected(.duplicateContentLength)),
        Case("CL with plus sign", post("Content-Length: +5\r\n", body: "hello"), .rejected(.invalidContentLength)),
        Case("CL negative", post("Content-Length: -1\r\n"), .rejected(.invalidContentLength)),
        Case("CL with inner space", post("Content-Length: 1 0\r\n", body: "0123456789"),
             .rejected(.invalidContentLength)),
        Case("CL comma list", post("Content-Length: 5, 5\r\n", body: "hello"), .rejected(.invalidContentLength)),
        Case("CL hex", post("Content-Length: 0x5\r\n", body: "hello"), .rejected(.invalidContentLength)),
        Case("CL empty", post("Content-Length:\r\n"), .rejected(.invalidContentLength)),
        Case("CL decimal point", post("Content-Length: 5.0\r\n", body: "hello"), .rejected(.invalidContentLength)),
        Case("CL overflow", post("Content-Length: 99999999999999999999999\r\n"), .rejected(.contentLengthOverflow)),
        Case("CL with surrounding OWS is fine", post("Content-Length: \t5  \r\n", body: "hello"), .accepted(1)),
        Case("CL with leading zeros is fine", post("Content-Length: 005\r\n", body: "hello"), .accepted(1)),

        // MARK: Transfer-Encoding
        Case("TE gzip only", post("Transfer-Encoding: gzip\r\n"), .rejected(.chunkedNotFinal)),
        Case("TE chunked, gzip", post("Transfer-Encoding: chunked, gzip\r\n"), .rejected(.chunkedNotFinal)),
        Case("TE identity", post("Transfer-Encoding: identity\r\n"), .rejected(.chunkedNotFinal)),
        Case("TE xchunked", post("Transfer-Encoding: xchunked\r\n"), .rejected(.chunkedNotFinal)),
        Case("TE chunked with parameter", post("Transfer-Encoding: chunked;q=1\r\n"), .rejected(.chunkedNotFinal)),
        Case("TE gzip, chunked", post("Transfer-Encoding: gzip, chunked\r\n", body: "0\r\n\r\n"),
             .rejected(.unsupportedTransferCoding)),
        Case("TE gzip and chunked in two fields", post("Transfer-Encoding: gzip\r\n" + chunkedHead, body: "0\r\n\r\n"),
             .rejected(.unsupportedTransferCoding)),
        Case("TE chunked twice in two fields", post(chunkedHead + chunkedHead, body: "0\r\n\r\n"),
             .rejected(.chunkedTwice)),
        Case("TE chunked, chunked", post("Transfer-Encoding: chunked, chunked\r\n", body: "0\r\n\r\n"),
             .rejected(.chunkedTwice)),
        Case("TE empty list element", post("Transfer-Encoding: chunked,\r\n", body: "0\r\n\r\n"),
             .rejected(.invalidTransferEncoding)),
        Case("TE empty", post("Transfer-Encoding:\r\n"), .rejected(.invalidTransferEncoding)),
        Case("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             .rejected(.transferEncodingInHTTP10)),
        Case("TE uppercase CHUNKED is fine", post("Transfer-Encoding: CHUNKED\r\n", body: "0\r\n\r\n"), .accepted(1)),
        Case("TE after tab OWS is fine", post("Transfer-Encoding:\tchunked\r\n", body: "0\r\n\r\n"), .accepted(1)),

        // MARK: Header field syntax
        Case("space before colon", post("Transfer-Encoding : chunked\r\n", body: "0\r\n\r\n"),
             .rejected(.whitespaceBeforeColon)),
        Case("tab before colon", post("Content-Length\t: 0\r\n"), .rejected(.whitespaceBeforeColon)),
        Case("obs-fold with space", post("X-A: 1\r\n  continued\r\n"), .rejected(.obsFold)),
        Case("obs-fold with tab", post("X-A: 1\r\n\tcontinued\r\n"), .rejected(.obsFold)),
        Case("whitespace before first header", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", .rejected(.obsFold)),
        Case("header without colon", post("X-A 1\r\n"), .rejected(.missingColon)),
        Case("empty header name", post(": value\r\n"), .rejected(.invalidHeaderName)),
        Case("invalid char in header name", post("X-A@b: 1\r\n"), .rejected(.invalidHeaderName)),
        Case("space inside header name", post("X A: 1\r\n"), .rejected(.invalidHeaderName)),
        Case("NUL in header name", post("X-\u{0}A: 1\r\n"), .rejected(.invalidHeaderName)),
        Case("NUL in header value", post("X-A: a\u{0}b\r\n"), .rejected(.invalidHeaderValue)),
        Case("control char in header value", post("X-A: a\u{1}b\r\n"), .rejected(.invalidHeaderValue)),
        Case("DEL in header value", post("X-A: a\u{7F}b\r\n"), .rejected(.invalidHeaderValue)),
        Case("tab and obs-text in header value are fine", post("X-A: a\tb ñ\r\n"), .accepted(1)),

        // MARK: Line endings
        Case("bare LF after request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", .rejected(.bareLF)),
        Case("bare LF after header", "GET / HTTP/1.1\r\nHost: h\n\r\n", .rejected(.bareLF)),
        Case("bare LF ending the head", "GET / HTTP/1.1\r\nHost: h\r\n\n", .rejected(.bareLF)),
        Case("bare CR in header value", post("X-A: a\rb\r\n"), .rejected(.bareCR)),
        Case("bare CR as line terminator", "GET / HTTP/1.1\rHost: h\r\r", .rejected(.bareCR)),
        Case("bare CR in request target", "GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.bareCR)),

        // MARK: Chunked body
        Case("chunk size not hex", post(chunkedHead, body: "zz\r\nhello\r\n0\r\n\r\n"), .rejected(.invalidChunkSize)),
        Case("chunk size negative", post(chunkedHead, body: "-5\r\nhello\r\n0\r\n\r\n"), .rejected(.invalidChunkSize)),
        Case("chunk size with 0x prefix", post(chunkedHead, body: "0x5\r\nhello\r\n0\r\n\r\n"),
             .rejected(.invalidChunkSize)),
        Case("chunk size empty", post(chunkedHead, body: "\r\nhello\r\n0\r\n\r\n"), .rejected(.invalidChunkSize)),
        Case("chunk size with leading space", post(chunkedHead, body: " 5\r\nhello\r\n0\r\n\r\n"),
             .rejected(.invalidChunkSize)),
        Case("chunk size followed by junk", post(chunkedHead, body: "5 x\r\nhello\r\n0\r\n\r\n"),
             .rejected(.invalidChunkSize)),
        Case("chunk size overflow", post(chunkedHead, body: "10000000000000000\r\nhello\r\n"),
             .rejected(.chunkSizeOverflow)),
        Case("chunk size overflow with many digits",
             post(chunkedHead, body: String(repeating: "f", count: 40) + "\r\n"), .rejected(.chunkSizeOverflow)),
        Case("chunk data longer than its size", post(chunkedHead, body: "5\r\nhelloX\r\n0\r\n\r\n"),
             .rejected(.missingChunkCRLF)),
        Case("chunk data ended by bare LF", post(chunkedHead, body: "5\r\nhello\n0\r\n\r\n"),
             .rejected(.missingChunkCRLF)),
        Case("chunk size line too long", post(chunkedHead, body: "5;" + String(repeating: "e", count: 5000) + "\r\n"),
             .rejected(.chunkLineTooLong)),
        Case("one chunk over the body limit", post(chunkedHead, body: "200000\r\n"), .rejected(.bodyTooLarge)),
        Case("chunks summing over the body limit", post(chunkedHead, body: "6\r\nabcdef\r\n6\r\nghijkl\r\n"),
             .rejected(.bodyTooLarge), maxBodySize: 10),
        Case("chunks summing to the body limit are fine", post(chunkedHead, body: "5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n"),
             .accepted(1), maxBodySize: 10),
        Case("too many trailers",
             post(chunkedHead, body: "0\r\n" + (1...65).map { "T\($0): v\r\n" }.joined() + "\r\n"),
             .rejected(.trailerSectionTooLarge)),
        Case("invalid trailer field", post(chunkedHead, body: "0\r\nBad Trailer: v\r\n\r\n"),
             .rejected(.invalidHeaderName)),
        Case("chunk extensions and trailer are fine", post(chunkedHead, body: "1;a=b;c\r\nx\r\n0;z\r\nT: v\r\n\r\n"),
             .accepted(1)),

        // MARK: Incomplete input is not an error
        Case("head without final CRLF", "GET / HTTP/1.1\r\nHost: h\r\n", .incomplete),
        Case("head ending in CR", "GET / HTTP/1.1\r\nHost: h\r\n\r", .incomplete),
        Case("body shorter than Content-Length", post("Content-Length: 10\r\n", body: "hello"), .incomplete),
        Case("chunked body without last chunk", post(chunkedHead, body: "5\r\nhello\r\n"), .incomplete),
        Case("chunked body without final CRLF", post(chunkedHead, body: "5\r\nhello\r\n0\r\n"), .incomplete),

        // MARK: Size limits
        Case("request line too long", "GET \(longTarget)a HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.requestLineTooLong)),
        Case("request line exactly at the limit", "GET \(longTarget) HTTP/1.1\r\nHost: h\r\n\r\n", .accepted(1)),
        Case("request line too long, no CRLF yet", "GET /" + String(repeating: "a", count: 9000), .rejected(.requestLineTooLong)),
        Case("header line too long", post("X-Long: " + String(repeating: "x", count: 8200) + "\r\n"),
             .rejected(.headerLineTooLong)),
        Case("too many headers", post(tooManyHeaders), .rejected(.tooManyHeaders)),
        Case("64 headers are fine", post(maxHeaders), .accepted(1)),
        Case("header section too large", post(bigHeaders), .rejected(.headerSectionTooLarge)),
        Case("body over the limit", post("Content-Length: 2000000\r\n"), .rejected(.bodyTooLarge)),
        Case("body at the limit is fine", post("Content-Length: 10\r\n", body: "0123456789"), .accepted(1), maxBodySize: 10),
        Case("body one byte over the limit", post("Content-Length: 11\r\n"), .rejected(.bodyTooLarge), maxBodySize: 10),

        // MARK: Host
        Case("missing Host in HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .rejected(.missingHost)),
        Case("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .rejected(.duplicateHost)),
        Case("two Host headers in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", .rejected(.duplicateHost)),
        Case("HTTP/1.0 without Host is fine", "GET / HTTP/1.0\r\n\r\n", .accepted(1)),

        // MARK: Request line
        Case("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", .rejected(.versionNotSupported)),
        Case("HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", .rejected(.versionNotSupported)),
        Case("HTTP/0.9 version", "GET / HTTP/0.9\r\n\r\n", .rejected(.versionNotSupported)),
        Case("lowercase http/1.1", "GET / http/1.1\r\nHost: h\r\n\r\n", .rejected(.invalidVersion)),
        Case("version without minor", "GET / HTTP/2\r\nHost: h\r\n\r\n", .rejected(.invalidVersion)),
        Case("two-digit minor", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", .rejected(.invalidVersion)),
        Case("HTTP/0.9 request line", "GET /\r\n\r\n", .rejected(.malformedRequestLine)),
        Case("double space after method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.malformedRequestLine)),
        Case("trailing space after version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", .rejected(.malformedRequestLine)),
        Case("tab as separator", "GET\t/\tHTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.malformedRequestLine)),
        Case("space inside target", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.malformedRequestLine)),
        Case("invalid char in method", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.invalidMethod)),
        Case("fragment in target", "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.invalidTarget)),
        Case("non-ASCII in target", "GET /ñ HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.invalidTarget)),
        Case("NUL in target", "GET /a\u{0} HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.invalidTarget)),
        Case("relative target", "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.invalidTarget)),
        Case("authority-form (CONNECT)", "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n",
             .rejected(.invalidTarget)),
        Case("absolute-form is fine", "GET http://example.test/a?b=1 HTTP/1.1\r\nHost: example.test\r\n\r\n",
             .accepted(1)),
        Case("absolute-form without authority", "GET http:///a HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.invalidTarget)),
        Case("asterisk for OPTIONS is fine", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", .accepted(1)),
        Case("asterisk for GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", .rejected(.asteriskRequiresOptions)),
        Case("two empty lines before request are fine", "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", .accepted(1)),
        Case("three empty lines before request", "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
             .rejected(.tooManyEmptyLines)),

        // MARK: Expect
        Case("unknown expectation", post("Expect: 200-ok\r\nContent-Length: 0\r\n"), .rejected(.unsupportedExpectation)),
        Case("100-continue any case is fine", post("Expect: 100-Continue\r\nContent-Length: 2\r\n", body: "ok"),
             .accepted(1)),
    ]
}
