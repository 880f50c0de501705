import TestFixtures
import Testing

@testable import GestionHTTP

/// Depth (b): the catalogue of malformed and smuggling inputs (`HTTPFramingCatalogue`), each with
/// the exact refusal expected, checked on the whole input and byte by byte.
@Suite struct MalformedRequestTests {
    typealias Expected = HTTPFramingCatalogue.Expected
    typealias Case = HTTPFramingCatalogue.Case
    static let cases = HTTPFramingCatalogue.cases


    static func outcome(of result: ParseResult) -> Expected {
        if let error = result.error { return .rejected(error) }
        if result.requests.isEmpty && result.midRequest { return .incomplete }
        return .accepted(result.requests.count)
    }

    @Test(arguments: cases)
    func wholeInput(_ entry: Case) {
        let result = parseWhole(entry.bytes, limits: entry.limits, maxBodySize: entry.maxBodySize)
        #expect(Self.outcome(of: result) == entry.expected)
        #expect(result.midRequest == false || entry.expected == .incomplete)
    }

    @Test(arguments: cases)
    func byteByByte(_ entry: Case) {
        let whole = parseWhole(entry.bytes, limits: entry.limits, maxBodySize: entry.maxBodySize)
        let bytewise = parseByteByByte(entry.bytes, limits: entry.limits, maxBodySize: entry.maxBodySize)
        #expect(bytewise == whole)
    }

    @Test func catalogueIsLargeEnough() {
        #expect(Self.cases.filter { if case .rejected = $0.expected { true } else { false } }.count >= 40)
    }

    @Test func absoluteFormPathAndQuery() throws {
        let result = parseWhole([UInt8]("GET https://Example.test:8443?x=1 HTTP/1.1\r\nHost: example.test\r\n\r\n"))
        let request = try #require(result.requests.first)
        #expect(request.path == "/")
        #expect(request.query == "x=1")
        let options = try #require(parseWhole([UInt8]("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")).requests.first)
        #expect(options.path == "*")
    }
}

extension HTTPFramingCatalogue.Case: CustomTestStringConvertible {
    public var testDescription: String { name }
}
