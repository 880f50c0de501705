/// An HTTP protocol version as written in the request line (`HTTP/1.1`).
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// A complete, framed HTTP request.
public struct HTTPRequest: Sendable, Equatable {
    /// The method token, case-sensitive as received (`GET`, `POST`, ...).
    public var method: String
    /// The request-target exactly as received (origin-form, absolute-form or `*`).
    public var target: String
    /// The path of the target, without the query; percent-decoding is NOT applied.
    /// For absolute-form targets this is the path after the authority (`/` if empty).
    public var path: String
    /// The raw query after `?` (not decoded), or `nil` if the target has no `?`.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The decoded body (chunked framing removed).
    public var body: [UInt8]
    /// The peer's IP address (no port), or empty when unknown.
    public var remoteAddress: String
    /// The connection the request came on (``HTTPPeer/detached`` when built in memory).
    public var peer: HTTPPeer = .detached

    /// A request as a handler would receive it; `path` and `query` are derived from `target`.
    public init(
        method: String, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = [:], body: [UInt8] = [], remoteAddress: String = ""
    ) {
        self.method = method
        self.target = target
        (self.path, self.query) = Self.splitTarget(target)
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    init(
        method: String, target: String, path: String, query: String?, version: HTTPVersion,
        headers: HTTPHeaders, body: [UInt8], remoteAddress: String
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The query as `(name, value)` pairs, percent-decoded with `+` read as a space.
    /// Pairs that do not decode as UTF-8 keep their raw text.
    public var queryItems: [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.formDecode(parts[0])
            let value = parts.count > 1 ? Self.formDecode(parts[1]) : ""
            return (name: name, value: value)
        }
    }

    /// Whether the client allows the connection to stay open after this request:
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.containsToken("keep-alive", in: "Connection") }
        return true
    }

    /// Splits a request-target into path and raw query.
    static func splitTarget(_ target: String) -> (path: String, query: String?) {
        var rest = Substring(target)
        if !rest.hasPrefix("/") && rest != "*", let schemeEnd = rest.range(of: "://") {
            // absolute-form: drop scheme and authority.
            let afterAuthority = rest[schemeEnd.upperBound...]
            if let pathStart = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                rest = afterAuthority[pathStart...]
            } else {
                rest = ""
            }
            if !rest.hasPrefix("/") { rest = "/" + rest }
        }
        guard let questionMark = rest.firstIndex(of: "?") else { return (String(rest), nil) }
        return (String(rest[..<questionMark]), String(rest[rest.index(after: questionMark)...]))
    }

    private static func formDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next() else { return String(text) }
                guard let low = iterator.next(), let h = hexValue(high), let l = hexValue(low) else {
                    return String(text)
                }
                bytes.append(h << 4 | l)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? String(text)
    }
}

/// The value of an ASCII hex digit, or `nil`.
@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Size limits applied while parsing a request. The body limit is chosen per request by the
/// server's `maxBodySize` closure, not here.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line, CRLF excluded (exceeding it: 414).
    public var maxRequestLineLength: Int
    /// Longest single header line, CRLF excluded (exceeding it: 431).
    public var maxHeaderLineLength: Int
    /// Most header fields in one request (exceeding it: 431). Also bounds trailer fields.
    public var maxHeaderCount: Int
    /// Most bytes in the whole header section, CRLFs included (exceeding it: 431).
    public var maxHeaderSectionSize: Int
    /// Longest chunk-size line (size plus extensions) in a chunked body (exceeding it: 400).
    public var maxChunkLineLength: Int

    public init(
        maxRequestLineLength: Int = 8 * 1024,
        maxHeaderLineLength: Int = 8 * 1024,
        maxHeaderCount: Int = 64,
        maxHeaderSectionSize: Int = 64 * 1024,
        maxChunkLineLength: Int = 4 * 1024
    ) {
        self.maxRequestLineLength = maxRequestLineLength
        self.maxHeaderLineLength = maxHeaderLineLength
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderSectionSize = maxHeaderSectionSize
        self.maxChunkLineLength = maxChunkLineLength
    }

    /// The default per-request body limit: 1 MiB.
    public static let defaultMaxBodySize = 1024 * 1024
}

/// Why a request was refused: the status to answer with and a stable short reason.
///
/// After any parse error the connection must be closed: the byte stream can no longer be
/// trusted to be framed the way the client meant it.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status) \(reason)" }

    // Request line
    public static let malformedRequestLine = Self(status: 400, reason: "malformed request line")
    public static let invalidMethod = Self(status: 400, reason: "invalid method")
    public static let invalidTarget = Self(status: 400, reason: "invalid request target")
    public static let asteriskRequiresOptions = Self(status: 400, reason: "asterisk-form target requires OPTIONS")
    public static let invalidVersion = Self(status: 400, reason: "invalid HTTP version")
    public static let versionNotSupported = Self(status: 505, reason: "HTTP version not supported")
    public static let requestLineTooLong = Self(status: 414, reason: "request line too long")
    public static let tooManyEmptyLines = Self(status: 400, reason: "too many empty lines before request")

    // Line endings
    public static let bareCR = Self(status: 400, reason: "bare CR")
    public static let bareLF = Self(status: 400, reason: "bare LF")

    // Header fields
    public static let obsFold = Self(status: 400, reason: "obsolete line folding")
    public static let missingColon = Self(status: 400, reason: "missing colon in header")
    public static let whitespaceBeforeColon = Self(status: 400, reason: "whitespace before colon")
    public static let invalidHeaderName = Self(status: 400, reason: "invalid header name")
    public static let invalidHeaderValue = Self(status: 400, reason: "invalid header value")
    public static let headerLineTooLong = Self(status: 431, reason: "header line too long")
    public static let tooManyHeaders = Self(status: 431, reason: "too many headers")
    public static let headerSectionTooLarge = Self(status: 431, reason: "header section too large")
    public static let missingHost = Self(status: 400, reason: "missing Host header")
    public static let duplicateHost = Self(status: 400, reason: "duplicate Host header")
    public static let unsupportedExpectation = Self(status: 417, reason: "unsupported expectation")

    // Framing
    public static let contentLengthAndTransferEncoding = Self(
        status: 400, reason: "both Content-Length and Transfer-Encoding")
    public static let duplicateContentLength = Self(status: 400, reason: "duplicate Content-Length")
    public static let invalidContentLength = Self(status: 400, reason: "invalid Content-Length")
    public static let contentLengthOverflow = Self(status: 400, reason: "Content-Length overflow")
    public static let transferEncodingInHTTP10 = Self(status: 400, reason: "Transfer-Encoding in HTTP/1.0")
    public static let invalidTransferEncoding = Self(status: 400, reason: "invalid Transfer-Encoding")
    public static let chunkedNotFinal = Self(status: 400, reason: "chunked is not the final transfer coding")
    public static let chunkedTwice = Self(status: 400, reason: "chunked applied more than once")
    public static let unsupportedTransferCoding = Self(status: 501, reason: "unsupported transfer coding")
    public static let bodyTooLarge = Self(status: 413, reason: "body too large")

    // Chunked body
    public static let invalidChunkSize = Self(status: 400, reason: "invalid chunk size")
    public static let chunkSizeOverflow = Self(status: 400, reason: "chunk size overflow")
    public static let chunkLineTooLong = Self(status: 400, reason: "chunk size line too long")
    public static let missingChunkCRLF = Self(status: 400, reason: "missing CRLF after chunk data")
    public static let trailerSectionTooLarge = Self(status: 431, reason: "trailer section too large")

    // Produced by the server, not the parser
    public static let headerTimeout = Self(status: 408, reason: "header deadline exceeded")
    public static let bodyTimeout = Self(status: 408, reason: "body deadline exceeded")
}
