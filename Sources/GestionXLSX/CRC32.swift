/// The CRC-32 checksum of ZIP, PNG and Ethernet (IEEE 802.3, reflected polynomial `0xEDB88320`).
///
/// Feed bytes in any number of `update` calls, then read `value`:
///
///     var crc = CRC32()
///     crc.update(Array("1234".utf8))
///     crc.update(Array("56789".utf8))
///     crc.value  // 0xCBF43926
public struct CRC32: Sendable, Hashable {
    /// The running register, kept inverted as the algorithm specifies.
    private var register: UInt32 = 0xFFFF_FFFF

    /// A checksum of no bytes yet (its `value` is 0).
    public init() {}

    /// The checksum of everything passed to `update` so far.
    public var value: UInt32 { register ^ 0xFFFF_FFFF }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = register
        Self.tables.withUnsafeBufferPointer { tables in
            // "Slicing by 8": eight bytes per step, through eight tables of 256 entries.
            func table(_ number: Int, _ index: UInt32) -> UInt32 {
                tables[number << 8 | Int(index & 0xFF)]
            }
            var index = 0
            let count = bytes.count
            while count - index >= 8 {
                let low = crc ^ (UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
                    | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
                let high = UInt32(bytes[index + 4]) | UInt32(bytes[index + 5]) << 8
                    | UInt32(bytes[index + 6]) << 16 | UInt32(bytes[index + 7]) << 24
                crc = table(7, low) ^ table(6, low >> 8) ^ table(5, low >> 16) ^ table(4, low >> 24)
                    ^ table(3, high) ^ table(2, high >> 8) ^ table(1, high >> 16) ^ table(0, high >> 24)
                index += 8
            }
            while index < count {
                crc = table(0, crc ^ UInt32(bytes[index])) ^ (crc >> 8)
                index += 1
            }
        }
        register = crc
    }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The checksum of `bytes` in one call.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// Table 0 holds the remainder of every byte value, so that each input byte costs one
    /// lookup; table k (entries 256k..<256(k+1)) is the same byte followed by k zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var entry = UInt32(index)
            for _ in 0..<8 {
                entry = entry & 1 == 1 ? (entry >> 1) ^ 0xEDB8_8320 : entry >> 1
            }
            tables[index] = entry
        }
        for number in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(number - 1) << 8 | index]
                tables[number << 8 | index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()
}
