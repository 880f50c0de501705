import GestionProtocol
import SyncCore

/// Fuzz target: the strict JSON parser, the canonical serializer and the decoders of every
/// request message of the protocol (what `POST /sync/*` bodies go through).
///
/// Checks, for any bytes: no crash or memory error; a value the parser accepts serializes to
/// canonical JSON that parses back to the same value and serializes to the same bytes; and
/// decoding a message either succeeds or throws a protocol error (never traps).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtocolMessages(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let canonical = JSONSerializer.bytes(value)
    guard let again = try? JSONParser.parse(canonical) else {
        fatalError("the canonical form of an accepted value does not parse: \(String(decoding: canonical, as: UTF8.self))")
    }
    guard again == value, JSONSerializer.bytes(again) == canonical else {
        fatalError("canonical JSON is not stable for \(String(decoding: canonical, as: UTF8.self))")
    }
    _ = try? WireCoding.decode(LoginRequest.self, from: bytes)
    _ = try? WireCoding.decode(PushRequest.self, from: bytes)
    _ = try? WireCoding.decode(PullRequest.self, from: bytes)
    _ = try? WireCoding.decode(RenewRequest.self, from: bytes)
    if let push = try? WireCoding.decode(PushRequest.self, from: bytes) {
        // What the server stores and answers with must encode again without trapping.
        _ = WireCoding.encode(push)
    }
    return 0
}
