/// An incremental HTTP/1.1 request parser (RFC 9112). Pure: no I/O, no clocks.
///
/// Feed it bytes as they arrive and call ``next()`` until it returns `nil` (more bytes needed).
/// Several pipelined requests in one buffer come out one per call. The parser is strict: every
/// framing ambiguity that could let a front end and this server disagree on where a request
/// ends (request smuggling) is refused with an ``HTTPParseError``; after an error the parser
/// stays failed and the connection must be closed.
///
/// Choices worth knowing:
/// - Lines must end in CRLF; a bare CR or bare LF anywhere in the head is a 400.
/// - Up to two empty lines before a request line are ignored (RFC 9112 §2.2), more is a 400.
/// - Only `HTTP/1.0` and `HTTP/1.1` are accepted; any other well-formed `HTTP/d.d` is a 505
///   (including `HTTP/1.2`), anything else (`http/1.1`, `HTTP/2`) a 400.
/// - `Transfer-Encoding` must be exactly `chunked`: chunked not last is a 400 (RFC 9112 §6.3),
///   chunked twice or an empty list element is a 400, other codings before chunked
///   (`gzip, chunked`) are a 501, and any Transfer-Encoding in an HTTP/1.0 request is a 400.
/// - `Expect: 100-continue` is reported through ``takePendingContinue()``; any other
///   expectation is a 417.
/// - Origin-form, absolute-form (`http://` / `https://` only) and asterisk-form (OPTIONS only)
///   targets are accepted; authority-form (CONNECT) is refused as an invalid target.
public struct HTTPRequestParser: Sendable {
    /// Where the parser is within a request, for choosing which deadline applies.
    public enum Phase: Sendable, Equatable {
        /// Between requests, nothing buffered.
        case idle
        /// Receiving the request line and header fields.
        case head
        /// Receiving the body (including chunked trailers).
        case body
    }

    private enum State: Sendable {
        case requestLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(HTTPParseError)
    }

    /// The limits this parser enforces.
    public let limits: HTTPLimits
    /// Copied into every request.
    public let remoteAddress: String
    private let maxBodySize: @Sendable (_ method: String, _ path: String) -> Int

    private var buffer: [UInt8] = []
    /// First unconsumed byte of `buffer`.
    private var readIndex = 0
    /// How far past `readIndex` the current line was already scanned for its CRLF.
    private var scanOffset = 0
    private var state = State.requestLine

    // The request being assembled.
    private var method = ""
    private var target = ""
    private var path = ""
    private var query: String?
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()
    private var headerSectionSize = 0
    private var body: [UInt8] = []
    private var bodyLimit = 0
    private var trailerCount = 0
    private var trailerSectionSize = 0
    private var emptyLinesBeforeRequest = 0
    private var continueExpected = false
    private var currentRequestSize = 0

    /// Wire size (head, framing and body) of the request most recently returned by ``next()``.
    public private(set) var lastRequestSize = 0

    /// - Parameters:
    ///   - limits: line, header and chunk limits.
    ///   - remoteAddress: copied into each request.
    ///   - maxBodySize: the body limit for a request, given its method and path; exceeding it is a 413.
    public init(
        limits: HTTPLimits = HTTPLimits(),
        remoteAddress: String = "",
        maxBodySize: @escaping @Sendable (_ method: String, _ path: String) -> Int = { _, _ in
            HTTPLimits.defaultMaxBodySize
        }
    ) {
        self.limits = limits
        self.remoteAddress = remoteAddress
        self.maxBodySize = maxBodySize
    }

    // MARK: Input

    /// Appends received bytes. Ignored once the parser has failed.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !hasFailed else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes. Ignored once the parser has failed.
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Where the parser is within the current request.
    public var phase: Phase {
        switch state {
        case .requestLine: readIndex == buffer.count ? .idle : .head
        case .headers, .failed: .head
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: .body
        }
    }

    /// Whether a parse error was thrown (the parser then refuses everything).
    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Bytes received but not yet consumed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Returns `true` once when a request head carrying `Expect: 100-continue` was parsed and its
    /// body is still awaited: the server should then send `HTTP/1.1 100 Continue`.
    public mutating func takePendingContinue() -> Bool {
        guard continueExpected else { return false }
        continueExpected = false
        return phase == .body
    }

    // MARK: Output

    /// The next complete request, or `nil` when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if case .failed(let error) = state { throw error }
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            switch state {
            case .failed(let error):
                throw error

            case .requestLine:
                guard let line = try readLine(limit: limits.maxRequestLineLength, tooLong: .requestLineTooLong)
                else { return nil }
                if line.isEmpty {
                    emptyLinesBeforeRequest += 1
                    guard emptyLinesBeforeRequest <= 2 else { throw .tooManyEmptyLines }
                    continue
                }
                try parseRequestLine(line)
                state = .headers

            case .headers:
                guard let line = try readLine(limit: limits.maxHeaderLineLength, tooLong: .headerLineTooLong)
                else { return nil }
                if line.isEmpty {
                    if let request = try finishHead() { return request }
                    continue
                }
                headerSectionSize += line.count + 2
                guard headerSectionSize <= limits.maxHeaderSectionSize else { throw .headerSectionTooLarge }
                let field = try parseField(line)
                guard headers.count < limits.maxHeaderCount else { throw .tooManyHeaders }
                headers.add(name: field.name, value: field.value)

            case .fixedBody(let remaining):
                let count = min(remaining, buffer.count - readIndex)
                guard count > 0 else { return nil }
                body.append(contentsOf: buffer[readIndex..<readIndex + count])
                consume(count)
                if count == remaining { return complete() }
                state = .fixedBody(remaining: remaining - count)

            case .chunkSize:
                guard let line = try readLine(limit: limits.maxChunkLineLength, tooLong: .chunkLineTooLong)
                else { return nil }
                let size = try parseChunkSize(line)
                if size == 0 {
                    state = .trailers
                } else {
                    guard size <= bodyLimit - body.count else { throw .bodyTooLarge }
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let count = min(remaining, buffer.count - readIndex)
                guard count > 0 else { return nil }
                body.append(contentsOf: buffer[readIndex..<readIndex + count])
                consume(count)
                state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)

            case .chunkDataEnd:
                let available = buffer.count - readIndex
                if available >= 1 && buffer[readIndex] != cr { throw .missingChunkCRLF }
                if available >= 2 && buffer[readIndex + 1] != lf { throw .missingChunkCRLF }
                guard available >= 2 else { return nil }
                consume(2)
                state = .chunkSize

            case .trailers:
                guard let line = try readLine(limit: limits.maxHeaderLineLength, tooLong: .trailerSectionTooLarge)
                else { return nil }
                if line.isEmpty { return complete() }
                trailerCount += 1
                trailerSectionSize += line.count + 2
                guard trailerCount <= limits.maxHeaderCount,
                    trailerSectionSize <= limits.maxHeaderSectionSize
                else { throw .trailerSectionTooLarge }
                _ = try parseField(line)  // validated, then discarded
            }
        }
    }

    // MARK: Lines

    /// The next CRLF-terminated line (CRLF excluded) as a range of `buffer`, consumed;
    /// `nil` if the line is not complete yet.
    ///
    /// Only the first `limit + 2` bytes of a line are ever examined, so the outcome does not
    /// depend on how the bytes were split across reads.
    private mutating func readLine(limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> Range<Int>? {
        let start = readIndex
        let windowEnd = min(buffer.count, start + limit + 2)
        var index = start + scanOffset
        while index < windowEnd {
            switch buffer[index] {
            case lf:
                throw .bareLF
            case cr:
                guard index + 1 < buffer.count else {
                    scanOffset = index - start
                    return nil
                }
                guard buffer[index + 1] == lf else { throw .bareCR }
                guard index - start <= limit else { throw tooLong }
                consume(index + 2 - start)
                return start..<index
            default:
                index += 1
            }
        }
        if windowEnd == start + limit + 2 { throw tooLong }
        scanOffset = index - start
        return nil
    }

    private mutating func consume(_ count: Int) {
        readIndex += count
        currentRequestSize += count
        scanOffset = 0
    }

    /// Drops consumed bytes before appending more, so the buffer stays about one read in size.
    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= 4096 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    // MARK: Request line

    private mutating func parseRequestLine(_ line: Range<Int>) throws(HTTPParseError) {
        let parts = buffer[line].split(separator: sp, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { throw .malformedRequestLine }
        let (methodBytes, targetBytes, versionBytes) = (parts[0], parts[1], parts[2])

        guard methodBytes.allSatisfy(isTokenByte) else { throw .invalidMethod }
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }) else {
            throw .invalidTarget
        }
        version = try parseVersion(versionBytes)
        method = String(decoding: methodBytes, as: UTF8.self)
        target = String(decoding: targetBytes, as: UTF8.self)

        if target == "*" {
            guard method == "OPTIONS" else { throw .asteriskRequiresOptions }
        } else if !target.hasPrefix("/") {
            guard isAbsoluteForm(target) else { throw .invalidTarget }
        }
        (path, query) = HTTPRequest.splitTarget(target)
    }

    private func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let text = Array(bytes)
        guard text.count == 8, text[0..<5].elementsEqual("HTTP/".utf8), text[6] == UInt8(ascii: "."),
            let major = digitValue(text[5]), let minor = digitValue(text[7])
        else { throw .invalidVersion }
        guard major == 1, minor <= 1 else { throw .versionNotSupported }
        return HTTPVersion(major: major, minor: minor)
    }

    /// `http://authority[/path][?query]` or the `https` equivalent, with a non-empty authority.
    private func isAbsoluteForm(_ target: String) -> Bool {
        let lowered = target.lowercased()
        for scheme in ["http://", "https://"] where lowered.hasPrefix(scheme) {
            let rest = lowered.dropFirst(scheme.count)
            guard let first = rest.first else { return false }
            return first != "/" && first != "?"
        }
        return false
    }

    // MARK: Header fields

    private func parseField(_ line: Range<Int>) throws(HTTPParseError) -> (name: String, value: String) {
        let first = buffer[line.lowerBound]
        if first == sp || first == htab { throw .obsFold }
        guard let colon = buffer[line].firstIndex(of: UInt8(ascii: ":")) else { throw .missingColon }
        let name = buffer[line.lowerBound..<colon]
        guard let last = name.last else { throw .invalidHeaderName }
        if last == sp || last == htab { throw .whitespaceBeforeColon }
        guard name.allSatisfy(isTokenByte) else { throw .invalidHeaderName }

        var valueStart = colon + 1
        var valueEnd = line.upperBound
        while valueStart < valueEnd, buffer[valueStart] == sp || buffer[valueStart] == htab { valueStart += 1 }
        while valueEnd > valueStart, buffer[valueEnd - 1] == sp || buffer[valueEnd - 1] == htab { valueEnd -= 1 }
        let value = buffer[valueStart..<valueEnd]
        guard value.allSatisfy({ $0 == htab || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidHeaderValue }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: Framing

    /// Decides how the body is framed once the header section ended; returns the request when
    /// it has no body.
    private mutating func finishHead() throws(HTTPParseError) -> HTTPRequest? {
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { throw .duplicateHost }
        if hosts.isEmpty && version == .http1_1 { throw .missingHost }

        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let contentLengths = headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty && !contentLengths.isEmpty { throw .contentLengthAndTransferEncoding }

        bodyLimit = max(0, maxBodySize(method, path))
        if !transferEncodings.isEmpty {
            if version == .http1_0 { throw .transferEncodingInHTTP10 }
            try requireChunkedOnly(transferEncodings)
            try checkExpectation()
            state = .chunkSize
            return nil
        }
        if let contentLength = contentLengths.first {
            if contentLengths.count > 1 { throw .duplicateContentLength }
            let length = try parseContentLength(contentLength)
            if length > bodyLimit { throw .bodyTooLarge }
            try checkExpectation()
            if length == 0 {
                continueExpected = false
                return complete()
            }
            // Grow with the bytes actually received: a head alone must not pin `length` bytes.
            body.reserveCapacity(min(length, 64 * 1024))
            state = .fixedBody(remaining: length)
            return nil
        }
        try checkExpectation()
        continueExpected = false
        return complete()
    }

    private func requireChunkedOnly(_ values: [String]) throws(HTTPParseError) {
        let codings = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingOWS().lowercased() }
        if codings.contains(where: \.isEmpty) { throw .invalidTransferEncoding }
        guard codings.last == "chunked" else { throw .chunkedNotFinal }
        if codings.dropLast().contains("chunked") { throw .chunkedTwice }
        if codings.count > 1 { throw .unsupportedTransferCoding }
    }

    /// Digits only: no sign, no inner spaces, no lists; overflow refused.
    private func parseContentLength(_ value: String) throws(HTTPParseError) -> Int {
        guard !value.isEmpty else { throw .invalidContentLength }
        var length = 0
        for byte in value.utf8 {
            guard let digit = digitValue(byte) else { throw .invalidContentLength }
            let (shifted, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { throw .contentLengthOverflow }
            length = sum
        }
        return length
    }

    /// Only `100-continue` is understood (and only acted upon for HTTP/1.1).
    private mutating func checkExpectation() throws(HTTPParseError) {
        let expectations = headers.values(for: "Expect")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingOWS().lowercased() }
            .filter { !$0.isEmpty }
        guard !expectations.isEmpty else { return }
        guard expectations.allSatisfy({ $0 == "100-continue" }) else { throw .unsupportedExpectation }
        continueExpected = version == .http1_1
    }

    /// `1*HEXDIG [ BWS ";" extensions ]`; extensions are ignored.
    private func parseChunkSize(_ line: Range<Int>) throws(HTTPParseError) -> Int {
        var size = 0
        var index = line.lowerBound
        while index < line.upperBound, let digit = hexValue(buffer[index]) {
            let (shifted, overflow1) = size.multipliedReportingOverflow(by: 16)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(digit))
            if overflow1 || overflow2 { throw .chunkSizeOverflow }
            size = sum
            index += 1
        }
        guard index > line.lowerBound else { throw .invalidChunkSize }
        while index < line.upperBound, buffer[index] == sp || buffer[index] == htab { index += 1 }
        guard index == line.upperBound || buffer[index] == UInt8(ascii: ";") else { throw .invalidChunkSize }
        return size
    }

    // MARK: Completion

    private mutating func complete() -> HTTPRequest {
        let request = HTTPRequest(
            method: method, target: target, path: path, query: query, version: version,
            headers: headers, body: body, remoteAddress: remoteAddress)
        lastRequestSize = currentRequestSize
        currentRequestSize = 0
        method = ""
        target = ""
        path = ""
        query = nil
        headers = HTTPHeaders()
        headerSectionSize = 0
        body = []
        bodyLimit = 0
        trailerCount = 0
        trailerSectionSize = 0
        emptyLinesBeforeRequest = 0
        continueExpected = false
        state = .requestLine
        return request
    }
}

// MARK: Byte classes

private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A
private let sp: UInt8 = 0x20
private let htab: UInt8 = 0x09

/// `tchar` of RFC 9110 §5.6.2.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
        UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

private func digitValue(_ byte: UInt8) -> Int? {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
}
