/// Orders concurrent writes of one field for last-writer-wins: the later hybrid clock reading
/// wins, and the client id breaks ties. Written as `"<hlc>@<clientID>"`.
public struct WriteStamp: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var hlc: HybridTimestamp
    public var clientID: String

    public init(hlc: HybridTimestamp, clientID: String) {
        self.hlc = hlc
        self.clientID = clientID
    }

    public static func < (a: WriteStamp, b: WriteStamp) -> Bool {
        (a.hlc, a.clientID) < (b.hlc, b.clientID)
    }

    public var description: String { "\(hlc)@\(clientID)" }

    public init?(_ text: String) {
        guard let at = text.firstIndex(of: "@"), let hlc = HybridTimestamp(String(text[..<at])) else { return nil }
        self.init(hlc: hlc, clientID: String(text[text.index(after: at)...]))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let stamp = WriteStamp(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected <hlc>@<client>"))
        }
        self = stamp
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Field-level last-writer-wins on a record body. The stamps of the fields live in the reserved
/// member `_stamps` of the body: `{"correoElectronico": "001795…-0000@client"}`.
public enum FieldStamps {
    public static let member = "_stamps"

    /// The stamp of `field` in `body`, if any.
    public static func stamp(of field: String, in body: JSONObject) -> WriteStamp? {
        body[member]?[field]?.stringValue.flatMap(WriteStamp.init)
    }

    /// What a last-writer-wins write did.
    public enum Outcome: Sendable, Equatable {
        /// The value was written; `previous` was there before.
        case won(previous: JSONValue?)
        /// A later write already set the field; the value stays `kept` and the new one lost.
        case lost(kept: JSONValue?)
    }

    /// Writes `value` into `field` of `body` unless the field carries a later stamp.
    @discardableResult
    public static func set(_ field: String, to value: JSONValue, stamp: WriteStamp, in body: inout JSONObject) -> Outcome {
        if let current = self.stamp(of: field, in: body), current > stamp {
            return .lost(kept: body[field])
        }
        let previous = body[field]
        body[field] = value
        var stamps = body[member]?.objectValue ?? [:]
        stamps[field] = .string(stamp.description)
        body[member] = .object(stamps)
        return .won(previous: previous)
    }
}
