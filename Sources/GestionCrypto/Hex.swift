/// Hexadecimal encoding and decoding of bytes.
public enum Hex {
    /// Lowercase hexadecimal digits of `bytes`, two per byte.
    @inlinable public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let digits: StaticString = "0123456789abcdef"
        return digits.withUTF8Buffer { alphabet in
            var text = [UInt8]()
            text.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                text.append(alphabet[Int(byte >> 4)])
                text.append(alphabet[Int(byte & 0x0f)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// Decodes hexadecimal text (upper- or lowercase digits, no separators or prefix).
    ///
    /// Returns `nil` for an odd number of digits or any character that is not a hex digit.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8? = nil
        for character in utf8 {
            guard let nibble = nibbleValue(character) else { return nil }
            if let pending = high {
                bytes.append(pending << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    private static func nibbleValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Collection where Element == UInt8 {
    /// The bytes as lowercase hexadecimal, two digits per byte.
    public var hexString: String { Hex.encode(self) }
}
