import GestionHTTP

/// Fuzz target: the HTTP/1.1 request parser (the first code a hostile client reaches).
///
/// Checks, for any bytes: no crash, no hang, no memory error (AddressSanitizer); and that the
/// parser's verdict does not depend on how TCP split the bytes — fed whole, or in two pieces
/// split where the input's first byte says, it produces the same requests and the same error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = parse([bytes[...]])
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    let pieces = parse([bytes[..<split], bytes[split...]])
    if whole != pieces {
        fatalError("split at \(split) changed the verdict: \(whole) versus \(pieces)")
    }
    return 0
}

struct Verdict: Equatable, CustomStringConvertible {
    var requests: [HTTPRequest] = []
    var error: HTTPParseError?

    var description: String { "\(requests.count) request(s), error \(error.map { "\($0)" } ?? "none")" }
}

func parse(_ chunks: [ArraySlice<UInt8>]) -> Verdict {
    var parser = HTTPRequestParser(limits: HTTPLimits(), remoteAddress: "192.0.2.1") { _, _ in 64 * 1024 }
    var verdict = Verdict()
    for chunk in chunks {
        parser.feed(Array(chunk))
        do {
            while let request = try parser.next() { verdict.requests.append(request) }
        } catch {
            verdict.error = error
            return verdict
        }
    }
    return verdict
}
