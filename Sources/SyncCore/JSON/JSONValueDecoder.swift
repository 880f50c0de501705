import Foundation

/// Why a JSON value could not become the expected Swift type, with the path to the problem
/// ("mutations[2].id: expected an integer, found a string").
public struct JSONDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path to the offending member, `""` for the root.
    public var path: String
    public var reason: String

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Decodes `Decodable` types from `JSONValue` (and from bytes, through the strict `JSONParser`).
///
/// Dates are RFC 3339 strings; `JSONValue` members are passed through untouched; unknown
/// members are ignored unless the type checks for them.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONDecodingError) -> T {
        do {
            return try _JSONDecoder(value: value, codingPath: []).decodeValue(T.self)
        } catch let error as JSONDecodingError {
            throw error
        } catch let error as DecodingError {
            throw JSONDecodingError(decodingError: error)
        } catch {
            throw JSONDecodingError(path: "", reason: "\(error)")
        }
    }

    /// Parses `bytes` strictly, then decodes. Syntax errors come back as a `JSONDecodingError`
    /// whose reason names the byte offset.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(JSONDecodingError) -> T {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw JSONDecodingError(path: "", reason: error.description)
        }
        return try decode(type, from: value)
    }
}

extension JSONDecodingError {
    init(decodingError: DecodingError) {
        func render(_ path: [any CodingKey]) -> String { CodingPath.render(path) }
        switch decodingError {
        case .typeMismatch(_, let context):
            self.init(path: render(context.codingPath), reason: context.debugDescription)
        case .valueNotFound(_, let context):
            self.init(path: render(context.codingPath), reason: "is required")
        case .keyNotFound(let key, let context):
            self.init(path: render(context.codingPath + [key]), reason: "is required")
        case .dataCorrupted(let context):
            self.init(path: render(context.codingPath), reason: context.debugDescription)
        @unknown default:
            self.init(path: "", reason: "\(decodingError)")
        }
    }
}

enum CodingPath {
    static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }
}

struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct _JSONDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func fail(_ reason: String) -> JSONDecodingError {
        JSONDecodingError(path: CodingPath.render(codingPath), reason: reason)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw fail("expected an object, found \(value.kindName)")
        }
        return KeyedDecodingContainer(KeyedContainer(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw fail("expected an array, found \(value.kindName)")
        }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == Date.self {
            guard case .string(let text) = value else { throw fail("expected a date, found \(value.kindName)") }
            guard let date = RFC3339.date(from: text) else {
                throw fail("expected a date like 2026-11-27T10:30:00Z or 2026-11-27T10:30:00-06:00")
            }
            return date as! T
        }
        if T.self == JSONObject.self {
            guard case .object(let members) = value else { throw fail("expected an object, found \(value.kindName)") }
            return members as! T
        }
        return try T(from: self)
    }

    func int64() throws -> Int64 {
        guard let i = value.int64Value else {
            throw fail(value.doubleValue != nil ? "expected an integer" : "expected an integer, found \(value.kindName)")
        }
        return i
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let i = try int64()
        guard let v = I(exactly: i) else { throw fail("integer \(i) out of range") }
        return v
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func decoder(for key: Key) throws -> _JSONDecoder {
        guard let value = members[key.stringValue] else {
            throw JSONDecodingError(path: CodingPath.render(codingPath + [key]), reason: "is required")
        }
        return _JSONDecoder(value: value, codingPath: codingPath + [key])
    }

    /// The decoder of a member that must be present and not null.
    func requiredDecoder(for key: Key) throws -> _JSONDecoder {
        let decoder = try decoder(for: key)
        if decoder.value.isNull {
            throw JSONDecodingError(path: CodingPath.render(decoder.codingPath), reason: "is required")
        }
        return decoder
    }

    func decodeNil(forKey key: Key) throws -> Bool { members[key.stringValue]?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if T.self == JSONValue.self { return try decoder(for: key).decodeValue(T.self) }
        return try requiredDecoder(for: key).decodeValue(T.self)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try requiredDecoder(for: key).singleBool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try requiredDecoder(for: key).singleString() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try requiredDecoder(for: key).singleDouble() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try requiredDecoder(for: key).integer(Int.self) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try requiredDecoder(for: key).int64() }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try requiredDecoder(for: key).integer(Int32.self) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try requiredDecoder(for: key).integer(UInt64.self) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { _JSONDecoder(value: .object(members), codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(for: key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func next() throws -> _JSONDecoder {
        guard !isAtEnd else {
            throw JSONDecodingError(path: CodingPath.render(codingPath), reason: "has too few elements")
        }
        defer { currentIndex += 1 }
        return _JSONDecoder(value: elements[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if elements[currentIndex].isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: _JSONDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.singleBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.singleString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.singleDouble() }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.singleDouble()) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.int64() }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(T.self) }
}

extension _JSONDecoder {
    func singleBool() throws -> Bool {
        guard case .bool(let b) = value else { throw fail("expected true or false, found \(value.kindName)") }
        return b
    }

    func singleString() throws -> String {
        guard case .string(let s) = value else { throw fail("expected a string, found \(value.kindName)") }
        return s
    }

    func singleDouble() throws -> Double {
        guard let d = value.doubleValue else { throw fail("expected a number, found \(value.kindName)") }
        return d
    }
}
