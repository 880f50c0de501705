/// The character encoding a text file was read in.
public enum TextEncoding: String, Sendable, Equatable, CaseIterable {
    /// UTF-8 without a byte order mark.
    case utf8 = "UTF-8"
    /// UTF-8 starting with the byte order mark EF BB BF (what Excel's "CSV UTF-8" writes).
    case utf8WithBOM = "UTF-8 (with BOM)"
    /// UTF-16 with a byte order mark (Excel's "Unicode text").
    case utf16 = "UTF-16"
    /// Windows-1252, the superset of Latin-1 that Excel in Mexico writes as plain "CSV".
    case windows1252 = "Windows-1252 (Latin-1)"
}

/// Why the bytes of a file cannot be read as text.
public struct TextDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the first bad byte.
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }

    /// A failure at `line` (1-based), with the reason in words for people.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// A file's text, as UTF-8 bytes, and the encoding it was read in.
public struct DecodedText: Sendable, Equatable {
    /// The text in UTF-8, without a byte order mark.
    public var utf8: [UInt8]
    public var encoding: TextEncoding
}

/// Reads the bytes of a text file whatever spreadsheet wrote it: UTF-8 with or without a byte
/// order mark, UTF-16 with one, and otherwise Windows-1252 (Latin-1 with the printable characters
/// Windows puts in 0x80–0x9F: `€`, `‘ ’ “ ”`, `–`, `…`).
///
/// Bytes that are not valid UTF-8 cannot be UTF-8 text, so a file that is not valid UTF-8 is read
/// as Windows-1252, which gives every byte a meaning.
///
/// ```swift
/// let text = try TextDecoding.decode([0x4E, 0xFA, 0x6D])   // "Núm" in Windows-1252
/// text.encoding == .windows1252
/// ```
public enum TextDecoding {
    /// Decodes `bytes`.
    /// - Throws: `TextDecodingError` when the file says it is UTF-8 or UTF-16 (by its byte order
    ///   mark) but is not.
    public static func decode(_ bytes: [UInt8]) throws(TextDecodingError) -> DecodedText {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            let body = Array(bytes.dropFirst(3))
            if let bad = firstInvalidUTF8(body) {
                throw TextDecodingError(
                    line: line(at: bad, in: body), reason: "the file says it is UTF-8 but holds bytes that are not UTF-8"
                )
            }
            return DecodedText(utf8: body, encoding: .utf8WithBOM)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return DecodedText(utf8: try utf16(bytes), encoding: .utf16)
        }
        if firstInvalidUTF8(bytes) == nil { return DecodedText(utf8: bytes, encoding: .utf8) }
        return DecodedText(utf8: windows1252(bytes), encoding: .windows1252)
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence
    /// (overlong forms, surrogates and code points above U+10FFFF are not well formed).
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            // The second byte has the narrowed range; the others are plain continuation bytes.
            guard bytes[i + 1] >= low, bytes[i + 1] <= high else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// Windows-1252 bytes as UTF-8. The five bytes Windows-1252 leaves undefined (0x81, 0x8D,
    /// 0x8F, 0x90, 0x9D) become the control characters of the same number, as Windows reads them.
    public static func windows1252(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for b in bytes {
            if b < 0x80 {
                out.append(b)
                continue
            }
            let scalar = b <= 0x9F ? cp1252High[Int(b - 0x80)] : UInt32(b)
            appendUTF8(scalar, to: &out)
        }
        return out
    }

    /// The code points of 0x80–0x9F in Windows-1252.
    static let cp1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D,
        0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// UTF-16 with its byte order mark, as UTF-8.
    static func utf16(_ bytes: [UInt8]) throws(TextDecodingError) -> [UInt8] {
        let bigEndian = bytes[0] == 0xFE
        guard bytes.count % 2 == 0 else {
            throw TextDecodingError(line: 1, reason: "the file says it is UTF-16 but has an odd number of bytes")
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2 - 1)
        var i = 2
        while i < bytes.count {
            let (a, b) = (UInt16(bytes[i]), UInt16(bytes[i + 1]))
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            i += 2
        }
        var out: [UInt8] = []
        out.reserveCapacity(units.count)
        var line = 1
        for result in transcodeUTF16(units) {
            guard let scalar = result else {
                throw TextDecodingError(line: line, reason: "the file says it is UTF-16 but holds an unpaired surrogate")
            }
            if scalar == 0x0A { line += 1 }
            appendUTF8(scalar, to: &out)
        }
        return out
    }

    /// The code points of `units`; `nil` for an unpaired surrogate.
    static func transcodeUTF16(_ units: [UInt16]) -> [UInt32?] {
        var scalars: [UInt32?] = []
        scalars.reserveCapacity(units.count)
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar.value)
            case .emptyInput: break loop
            case .error: scalars.append(nil)
            }
        }
        return scalars
    }

    /// The 1-based line of byte `offset`.
    static func line(at offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        for b in bytes[..<offset] where b == 0x0A { line += 1 }
        return line
    }
}
