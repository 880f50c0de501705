import Foundation
import Synchronization

/// A response produced by a handler. The server adds `Content-Length`, `Date` and `Connection`.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a JSON body and `Content-Type: application/json; charset=utf-8`.
    public init(status: Int, json: [UInt8]) {
        self.init(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: json)
    }

    /// The JSON error envelope `{"error":{"code":"...","message":"..."}}`; `code` defaults to
    /// the name for the status (`bad_request`, `payload_too_large`, ...).
    public static func error(status: Int, code: String? = nil, message: String) -> HTTPResponse {
        let code = code ?? errorCode(for: status)
        let json = #"{"error":{"code":"# + jsonString(code) + #","message":"# + jsonString(message) + "}}"
        return HTTPResponse(status: status, json: Array(json.utf8))
    }

    /// The error response for a refused request.
    public static func error(_ error: HTTPParseError) -> HTTPResponse {
        .error(status: error.status, message: error.reason)
    }

    /// Whether the handler asked for the connection to be closed (`Connection: close`).
    public var requestsClose: Bool { headers.containsToken("close", in: "Connection") }

    // MARK: Serialization

    /// The bytes on the wire: status line, the handler's headers (minus the framing headers
    /// the server owns, and minus any field that could split the response), `Date` unless
    /// given, `Content-Length` (except for 1xx, 204 and 304, which carry no body), `Connection`,
    /// then the body unless `includeBody` is false (HEAD) or the status has none (1xx, 204, 304).
    ///
    /// - Parameters:
    ///   - keepAlive: `false` adds `Connection: close`.
    ///   - requestVersion: for an HTTP/1.0 request kept alive, `Connection: keep-alive` is added.
    public func serialized(
        keepAlive: Bool, requestVersion: HTTPVersion = .http1_1, includeBody: Bool = true, date: Date = Date()
    ) -> [UInt8] {
        // Appended as bytes: every response passes here.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + (includeBody ? body.count : 0))
        func line(_ parts: String...) {
            for part in parts { bytes.append(contentsOf: part.utf8) }
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
        line("HTTP/1.1 ", String(status), " ", Self.reasonPhrase(for: status))
        var hasDate = false
        for (name, value) in headers {
            guard Self.isSafeField(name: name, value: value) else { continue }
            if HTTPHeaders.namesEqual(name, "Content-Length") || HTTPHeaders.namesEqual(name, "Transfer-Encoding")
                || HTTPHeaders.namesEqual(name, "Connection")
            {
                continue
            }
            if HTTPHeaders.namesEqual(name, "Date") { hasDate = true }
            line(name, ": ", value)
        }
        if !hasDate { line("Date: ", Self.cachedHTTPDate(date)) }
        let bodyAllowed = !(100...199).contains(status) && status != 204 && status != 304
        if bodyAllowed { line("Content-Length: ", String(body.count)) }
        if !keepAlive {
            line("Connection: close")
        } else if requestVersion == .http1_0 {
            line("Connection: keep-alive")
        }
        line()
        if includeBody && bodyAllowed { bytes += body }
        return bytes
    }

    /// `httpDate(date)`, computed once per second for all responses.
    private static func cachedHTTPDate(_ date: Date) -> String {
        let second = Int(date.timeIntervalSince1970.rounded(.down))
        return dateCache.withLock { cache in
            if cache.second != second || cache.text.isEmpty { cache = (second, httpDate(date)) }
            return cache.text
        }
    }

    private static let dateCache = Mutex((second: 0, text: ""))

    /// The interim response sent before reading a body announced with `Expect: 100-continue`.
    public static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// A field name must be a token and a value free of CR, LF, NUL and other controls.
    private static func isSafeField(name: String, value: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
            && value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    // MARK: Tables

    /// The standard reason phrase (RFC 9110), or `"Unknown"`.
    public static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 426: "Upgrade Required"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }

    /// The machine-readable error code used in the JSON error envelope.
    public static func errorCode(for status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 414: "uri_too_long"
        case 417: "expectation_failed"
        case 431: "header_too_large"
        case 500: "internal_error"
        case 501: "not_implemented"
        case 503: "service_unavailable"
        case 505: "http_version_not_supported"
        default: status >= 500 ? "server_error" : "client_error"
        }
    }

    /// IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func httpDate(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((days % 7) + 7) % 7]
        return "\(weekday), \(pad(day)) \(months[month - 1]) \(year) "
            + "\(pad(secondOfDay / 3600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60)) GMT"
    }

    /// Proleptic Gregorian date from a day count (H. Hinnant's `civil_from_days`).
    private static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
