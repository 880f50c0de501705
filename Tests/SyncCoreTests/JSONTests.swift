import Foundation
import Testing

@testable import SyncCore

@Suite struct JSONParserTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .int(0)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1.5", .double(1.5)),
        ("-0.25e2", .double(-25)),
        ("1E3", .double(1000)),
        ("\"\"", .string("")),
        ("\"Gestión Móvil\"", .string("Gestión Móvil")),
        ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", .string("a\"b\\c/d\u{8}\u{c}\n\r\t")),
        ("\"\\u00e9\\u00C9\"", .string("éÉ")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("[]", .array([])),
        ("[1, [2, []], {}]", .array([.int(1), .array([.int(2), .array([])]), .object([:])])),
        ("{\"a\": {\"b\": [true, null]}}", .object(["a": .object(["b": .array([.bool(true), .null])])])),
    ])
    func parsesValidJSON(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "[1,]", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "[1 2]", "01", "-", "1.", ".5", "1e",
        "+1", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\u{1}b\"",
        "[1]x", "{\"a\":1}{", "NaN", "Infinity", "1e999", "{\"a\":1,\"a\":2}", "// c\n1", "'a'",
    ])
    func refusesInvalidJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func limitsNestingDepth() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(fine)
    }

    @Test func errorNamesTheOffset() {
        do {
            _ = try JSONParser.parse("[1, 2, x]")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 7)
            #expect(error.description.contains("byte 7"))
        }
    }
}

@Suite struct JSONSerializerTests {
    @Test func sortsKeysAndIsCompact() {
        let value: JSONValue = ["b": 1, "a": ["z": true, "y": nil], "á": "x", "A": [1.5, "q"]]
        #expect(JSONSerializer.string(value) == #"{"A":[1.5,"q"],"a":{"y":null,"z":true},"b":1,"á":"x"}"#)
    }

    @Test func escapesStrings() {
        let value = JSONValue.string("a\"b\\c\n\u{1}\u{1f}é/")
        #expect(JSONSerializer.string(value) == #""a\"b\\c\n\u0001\u001fé/""#)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 1_000_000, Int64.max])
    func writesIntegers(value: Int64) {
        #expect(JSONSerializer.string(.int(value)) == String(value))
    }

    @Test func roundTripsThroughTheParser() throws {
        let value: JSONValue = [
            "s": "Cañón 😀 \u{0} \"q\"", "i": .int(Int64.min), "d": 0.1, "n": nil, "t": true,
            "nested": [["x": [1, 2, 3]], [], [:]],
        ]
        let bytes = JSONSerializer.bytes(value)
        #expect(try JSONParser.parse(bytes) == value)
        #expect(JSONSerializer.bytes(try JSONParser.parse(bytes)) == bytes)
    }

    @Test func numbersCompareByValue() {
        #expect(JSONValue.int(2) == JSONValue.double(2.0))
        #expect(JSONValue.int(2) != JSONValue.double(2.5))
        #expect(Set<JSONValue>([.int(2), .double(2.0)]).count == 1)
    }
}

@Suite struct JSONValueCodingTests {
    enum Color: String, Codable { case red, green }

    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
        var big: Int64
        var ratio: Double
        var flag: Bool
        var when: Date
        var tags: [String]
        var color: Color
        var note: String?
        var extra: JSONValue
        var nested: [String: Int]
    }

    let sample = Sample(
        name: "Mediación", count: 3, big: Int64.max, ratio: 0.5, flag: true,
        when: Date(timeIntervalSince1970: 1_795_000_000.123), tags: ["a", "b"], color: .green, note: nil,
        extra: ["k": [1, "two"]], nested: ["x": 1]
    )

    @Test func roundTrips() throws {
        let encoded = try JSONValueEncoder().encode(sample)
        #expect(encoded["note"] == nil, "nil optionals are omitted")
        #expect(encoded["when"] == .string("2026-11-18T11:06:40.123Z"))
        let decoded = try JSONValueDecoder().decode(Sample.self, from: encoded)
        #expect(decoded == sample)
    }

    @Test func reportsThePathOfAWrongType() throws {
        var encoded = try JSONValueEncoder().encode(sample).objectValue!
        encoded["tags"] = ["a", 5]
        do {
            _ = try JSONValueDecoder().decode(Sample.self, from: .object(encoded))
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "tags[1]: expected a string, found number")
        }
    }

    @Test func reportsAMissingMember() throws {
        var encoded = try JSONValueEncoder().encode(sample).objectValue!
        encoded["count"] = nil
        #expect(throws: JSONDecodingError(path: "count", reason: "is required")) {
            try JSONValueDecoder().decode(Sample.self, from: .object(encoded))
        }
        encoded["count"] = .null
        #expect(throws: JSONDecodingError(path: "count", reason: "is required")) {
            try JSONValueDecoder().decode(Sample.self, from: .object(encoded))
        }
    }

    @Test func refusesFractionalIntegersAndBadDates() throws {
        var encoded = try JSONValueEncoder().encode(sample).objectValue!
        encoded["count"] = 1.5
        #expect(throws: JSONDecodingError.self) { try JSONValueDecoder().decode(Sample.self, from: .object(encoded)) }
        encoded["count"] = 2
        encoded["when"] = "yesterday"
        #expect(throws: JSONDecodingError.self) { try JSONValueDecoder().decode(Sample.self, from: .object(encoded)) }
    }
}

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2026-11-27T21:45:24.123Z", 1_795_815_924.123),
        ("2026-11-27T15:45:24.123-06:00", 1_795_815_924.123),
        ("2026-11-27T21:45:24Z", 1_795_815_924.0),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.5Z", -0.5),
        ("2024-02-29T00:00:00+00:00", 1_709_164_800),
    ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test(arguments: [
        "2026-11-27", "2026-11-27T21:45:24", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-11-27T24:00:00Z", "2026-11-27T21:45:24.Z", "2026-11-27T21:45:24+0600", "2026-11-27 21:45:24Z",
        "2026-11-27T21:45:24Zjunk",
    ])
    func refuses(text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }

    @Test func formatsInUTCWithMilliseconds() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_795_815_924.123)) == "2026-11-27T21:45:24.123Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }

    @Test func agreesWithFoundationOverManyDays() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds = -2_000_000_000.0
        while seconds < 4_000_000_000 {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(RFC3339.string(from: date) == formatter.string(from: date))
            seconds += 86_400 * 37.3 + 0.007
        }
    }
}

@Suite struct HybridClockTests {
    @Test func followsTheWallClockAndNeverGoesBack() {
        var clock = HybridClock()
        let a = clock.tick(physicalMillis: 1000)
        let b = clock.tick(physicalMillis: 1000)
        let c = clock.tick(physicalMillis: 900)
        let d = clock.tick(physicalMillis: 2000)
        #expect(a == HybridTimestamp(millis: 1000, counter: 0))
        #expect(a < b && b < c && c < d)
        #expect(d == HybridTimestamp(millis: 2000))
    }

    @Test func ordersAfterObservedRemoteReadings() {
        var clock = HybridClock()
        clock.observe(HybridTimestamp(millis: 5000, counter: 3), physicalMillis: 1000)
        let next = clock.tick(physicalMillis: 1000)
        #expect(next == HybridTimestamp(millis: 5000, counter: 4))
    }

    @Test func wireFormSortsLikeTheClock() throws {
        let readings = [
            HybridTimestamp(millis: 9, counter: 0xFFFF), HybridTimestamp(millis: 10), HybridTimestamp(millis: 10, counter: 2),
            HybridTimestamp(millis: 1_795_815_924_123, counter: 1),
        ]
        let strings = readings.map(\.description)
        #expect(strings == strings.sorted())
        #expect(strings[0] == "000000000000009-ffff")
        for reading in readings { #expect(HybridTimestamp(reading.description) == reading) }
        #expect(HybridTimestamp("1-0") == nil)
        #expect(HybridTimestamp("00000000000000x-0000") == nil)
    }
}
