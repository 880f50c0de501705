@testable import GestionHTTP

/// What a parser made of some input: the requests it produced, the error that stopped it
/// (if any), and whether it was left waiting in the middle of a request.
struct ParseResult: Equatable, CustomStringConvertible {
    var requests: [HTTPRequest] = []
    var error: HTTPParseError?
    var midRequest = false

    var description: String {
        "\(requests.count) request(s), error: \(error.map(String.init(describing:)) ?? "none"), "
            + "midRequest: \(midRequest)"
    }
}

/// Feeds `chunks` one after the other, draining complete requests after each.
func parse(
    chunks: [ArraySlice<UInt8>], limits: HTTPLimits = HTTPLimits(),
    maxBodySize: Int = HTTPLimits.defaultMaxBodySize
) -> ParseResult {
    var parser = HTTPRequestParser(limits: limits, remoteAddress: "192.0.2.1") { _, _ in maxBodySize }
    var result = ParseResult()
    for chunk in chunks {
        parser.feed(Array(chunk))
        do {
            while let request = try parser.next() { result.requests.append(request) }
        } catch {
            result.error = error
            return result
        }
    }
    result.midRequest = parser.phase != .idle
    return result
}

func parseWhole(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), maxBodySize: Int = HTTPLimits.defaultMaxBodySize)
    -> ParseResult
{
    parse(chunks: [bytes[...]], limits: limits, maxBodySize: maxBodySize)
}

func parseSplit(
    _ bytes: [UInt8], at index: Int, limits: HTTPLimits = HTTPLimits(),
    maxBodySize: Int = HTTPLimits.defaultMaxBodySize
) -> ParseResult {
    parse(chunks: [bytes[..<index], bytes[index...]], limits: limits, maxBodySize: maxBodySize)
}

func parseByteByByte(
    _ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), maxBodySize: Int = HTTPLimits.defaultMaxBodySize
) -> ParseResult {
    parse(chunks: bytes.indices.map { bytes[$0...$0] }, limits: limits, maxBodySize: maxBodySize)
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}
