import SyncCore

/// Encodes and decodes protocol messages as canonical JSON bytes.
public enum WireCoding {
    /// Canonical JSON bytes of `message`.
    public static func encode(_ message: some Encodable) -> [UInt8] {
        do {
            return try JSONValueEncoder().encodeBytes(message)
        } catch {
            preconditionFailure("protocol messages always encode: \(error)")
        }
    }

    /// Decodes `type` from `bytes`, refusing malformed JSON and wrong shapes with an
    /// `ErrorResponse` that says where the problem is.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(ErrorResponse) -> T {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw ErrorResponse(code: .malformedJSON, message: "The request body is not valid JSON (\(error.description)).")
        }
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch {
            throw ErrorResponse(code: .invalidMessage, message: "The request is not a valid \(T.self): \(error.description).")
        }
    }
}
