import GestionCrypto
import Testing

@Suite struct SecureRandomTests {
    @Test(arguments: [0, 1, 7, 8, 9, 16, 32, 33, 1000])
    func requestedLength(count: Int) {
        #expect(SecureRandom.bytes(count: count).count == count)
    }

    @Test func bytesDiffer() {
        // Two 32-byte draws collide with probability 2^-256.
        #expect(SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
    }

    @Test func bytesAreNotObviouslyBiased() {
        // Every byte value should appear in 64 KiB (each is missing with probability ~e^-256).
        var seen = Set<UInt8>()
        for byte in SecureRandom.bytes(count: 65536) { seen.insert(byte) }
        #expect(seen.count == 256)
    }

    @Test func tokenShape() throws {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0 ..< 20 {
            let token = SecureRandom.token()
            #expect(token.count == 43)
            #expect(token.allSatisfy { alphabet.contains($0) })
            let decoded = try #require(Base64URL.decode(token))
            #expect(decoded.count == 32)
        }
        #expect(SecureRandom.token() != SecureRandom.token())
    }
}
