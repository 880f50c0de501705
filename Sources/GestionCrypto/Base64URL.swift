/// Base64url (RFC 4648, section 5) without padding, as used in tokens and password hashes.
public enum Base64URL {
    /// Encodes `bytes` with the URL-safe alphabet (`A-Z a-z 0-9 - _`) and no `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return alphabet.withUTF8Buffer { symbols in
            var text = [UInt8]()
            text.reserveCapacity((bytes.count * 4 + 2) / 3)
            var iterator = bytes.makeIterator()
            while let first = iterator.next() {
                let second = iterator.next()
                let third = second == nil ? nil : iterator.next()
                let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
                text.append(symbols[Int(group >> 18 & 0x3f)])
                text.append(symbols[Int(group >> 12 & 0x3f)])
                if second != nil { text.append(symbols[Int(group >> 6 & 0x3f)]) }
                if third != nil { text.append(symbols[Int(group & 0x3f)]) }
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// Decodes unpadded base64url text.
    ///
    /// Strict: returns `nil` for characters outside the base64url alphabet (including `=`, `+`, `/`
    /// and whitespace), for a length that leaves a single dangling character, and for non-zero
    /// unused bits in the last character, so every byte string has exactly one accepted encoding.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 4 != 1 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bitCount = 0
        for character in utf8 {
            guard let value = sextetValue(character) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
                accumulator &= (1 << UInt32(bitCount)) - 1
            }
        }
        // Leftover bits (2 or 4) must be zero in a canonical encoding.
        guard accumulator == 0 else { return nil }
        return bytes
    }

    private static func sextetValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A") ... UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a") ... UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
