import Testing
@testable import GestionXLSX

@Suite struct CRC32Tests {
    @Test(arguments: [
        ("", 0x0000_0000 as UInt32),
        ("a", 0xE8B7_BE43),
        ("123456789", 0xCBF4_3926),
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
        ("Número de crédito", 0xC8B8_5FE3),  // zlib.crc32 of the UTF-8 bytes
    ])
    func knownVectors(text: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(text.utf8)) == expected)
    }

    @Test func streamingInAnyPiecesGivesTheSameValue() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        for split in 0...bytes.count {
            var crc = CRC32()
            crc.update(bytes[..<split])
            crc.update(bytes[split...])
            #expect(crc.value == 0x414F_A339, "split at \(split)")
        }
    }

    @Test func nonContiguousSequences() {
        #expect(CRC32.checksum("123456789".utf8.lazy.map { $0 }) == 0xCBF4_3926)
        #expect(CRC32.checksum(stride(from: UInt8(0x31), through: 0x39, by: 1)) == 0xCBF4_3926)
    }

    @Test func allByteValues() {
        // zlib.crc32(bytes(range(256))) in Python.
        #expect(CRC32.checksum((0...255).map(UInt8.init)) == 0x2905_8C73)
    }

    @Test func initialValueIsZero() {
        #expect(CRC32().value == 0)
    }
}
