import Testing
@testable import GestionXLSX

/// A reader for the archives ``ZipWriter`` writes (stored entries only), so that tests can look
/// inside without other tools. It walks the central directory and checks each CRC-32.
enum StoredZip {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func entries(_ bytes: [UInt8]) throws -> [String: [UInt8]] {
        func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
        func u32(_ offset: Int) -> Int { u16(offset) | u16(offset + 2) << 16 }
        let end = bytes.count - 22
        guard end >= 0, u32(end) == 0x0605_4B50 else { throw Malformed(description: "no end record") }
        var entries: [String: [UInt8]] = [:]
        var record = u32(end + 16)
        for _ in 0..<u16(end + 10) {
            guard u32(record) == 0x0201_4B50 else { throw Malformed(description: "bad central record") }
            let crc = UInt32(u32(record + 16))
            let size = u32(record + 24)
            let nameLength = u16(record + 28)
            let name = String(decoding: bytes[record + 46..<record + 46 + nameLength], as: UTF8.self)
            let local = u32(record + 42)
            guard u32(local) == 0x0403_4B50, u16(local + 8) == 0 else { throw Malformed(description: "bad local header") }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            let data = Array(bytes[dataStart..<dataStart + size])
            guard CRC32.checksum(data) == crc else { throw Malformed(description: "bad CRC for \(name)") }
            entries[name] = data
            record += 46 + nameLength + u16(record + 30) + u16(record + 32)
        }
        return entries
    }
}
