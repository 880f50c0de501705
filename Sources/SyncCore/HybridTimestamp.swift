/// A hybrid logical clock reading: wall-clock milliseconds plus a counter that orders events
/// within the same millisecond or after the wall clock went backwards.
///
/// On the wire it is a fixed-width string that sorts like the clock: `"001795000000000-0003"`
/// (15 decimal digits of Unix milliseconds, a dash, 4 hex digits of counter). Ties between
/// devices are broken by client id, outside this type.
public struct HybridTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Unix time in milliseconds.
    public var millis: Int64
    /// Orders readings that share `millis`.
    public var counter: UInt16

    public init(millis: Int64, counter: UInt16 = 0) {
        self.millis = millis
        self.counter = counter
    }

    public static let zero = HybridTimestamp(millis: 0)

    public static func < (a: HybridTimestamp, b: HybridTimestamp) -> Bool {
        (a.millis, a.counter) < (b.millis, b.counter)
    }

    public var description: String {
        let m = String(millis)
        let c = String(counter, radix: 16)
        return String(repeating: "0", count: max(0, 15 - m.count)) + m + "-"
            + String(repeating: "0", count: max(0, 4 - c.count)) + c
    }

    /// Parses the wire form; `nil` if malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 15, parts[1].count == 4,
            parts[0].allSatisfy(\.isASCIIDigit),
            let millis = Int64(parts[0]), let counter = UInt16(parts[1], radix: 16),
            parts[1].allSatisfy(\.isHexDigit)
        else { return nil }
        self.init(millis: millis, counter: counter)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension HybridTimestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = HybridTimestamp(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a hybrid timestamp like 001795000000000-0000")
            )
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The clock state of one node. Feed it the wall clock; it never goes backwards.
public struct HybridClock: Sendable, Equatable {
    public private(set) var last: HybridTimestamp

    public init(last: HybridTimestamp = .zero) {
        self.last = last
    }

    /// A reading for a local event at wall-clock time `physicalMillis`.
    public mutating func tick(physicalMillis: Int64) -> HybridTimestamp {
        if physicalMillis > last.millis {
            last = HybridTimestamp(millis: physicalMillis)
        } else if last.counter == .max {
            last = HybridTimestamp(millis: last.millis + 1)
        } else {
            last.counter += 1
        }
        return last
    }

    /// Advances past a reading received from another node, so later local events order after it.
    public mutating func observe(_ remote: HybridTimestamp, physicalMillis: Int64) {
        let candidate = max(remote, HybridTimestamp(millis: physicalMillis))
        if candidate > last { last = candidate }
    }
}
