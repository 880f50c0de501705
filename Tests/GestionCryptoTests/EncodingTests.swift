import GestionCrypto
import Testing

@Suite struct HexTests {
    @Test func encodesLowercase() {
        #expect([UInt8]().hexString == "")
        #expect([0x00, 0x01, 0x7f, 0x80, 0xab, 0xff].hexString == "00017f80abff")
        #expect(Hex.encode([0xde, 0xad, 0xbe, 0xef]) == "deadbeef")
        #expect(Array(0 ... 255).hexString.count == 512)
    }

    @Test func decodes() {
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("00017f80abff") == [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff])
        #expect(Hex.decode("DeadBEEF") == [0xde, 0xad, 0xbe, 0xef])
    }

    @Test func roundTrip() {
        for length in 0 ..< 70 {
            let bytes = patternMessage(count: length)
            #expect(Hex.decode(bytes.hexString) == bytes)
        }
        let all = Array(UInt8.min ... UInt8.max)
        #expect(Hex.decode(all.hexString) == all)
    }

    @Test(arguments: ["0", "abc", "0g", "g0", "zz", " 00", "00 ", "0x00", "-1", "é0", "0\u{7f}"])
    func rejectsInvalid(text: String) {
        #expect(Hex.decode(text) == nil)
    }
}

@Suite struct Base64URLTests {
    // RFC 4648 section 10 test vectors (unpadded; the alphabet difference does not arise here).
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
        ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(utf8(plain)) == encoded)
        #expect(Base64URL.decode(encoded) == utf8(plain))
    }

    @Test func urlSafeAlphabet() {
        // 0xfb 0xef 0xbe is "++++" in standard base64, and 0xfb 0xff 0xbf is "+/+/".
        #expect(Base64URL.encode([0xfb, 0xef, 0xbe, 0xfb, 0xef, 0xbe]) == "--------")
        #expect(Base64URL.encode([0xff, 0xff, 0xff]) == "____")
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
    }

    @Test func roundTrip() {
        for length in 0 ..< 100 {
            let bytes = patternMessage(count: length)
            let encoded = Base64URL.encode(bytes)
            #expect(encoded.count == (length * 4 + 2) / 3)
            #expect(!encoded.contains("="))
            #expect(Base64URL.decode(encoded) == bytes)
        }
        let random = SecureRandom.bytes(count: 1000)
        #expect(Base64URL.decode(Base64URL.encode(random)) == random)
    }

    @Test(arguments: [
        "Z",  // one dangling character
        "Zm9vY",  // 5 characters
        "Zg==",  // padding is not accepted
        "Zm8=",
        "+/+/",  // standard-base64 characters
        "Zm9v Yg",  // whitespace
        "Zm9v\nYg",
        "Zh",  // non-zero unused bits ("f" is "Zg")
        "Zm9",  // non-zero unused bits ("fo" is "Zm8")
        "Zm9v.",
        "ñaaa",
    ])
    func rejectsInvalid(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}

@Suite struct ConstantTimeTests {
    @Test func equality() {
        #expect(ConstantTime.equals([], []))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
        let digest = SHA256.hash(utf8("abc"))
        for index in digest.indices {
            var altered = digest
            altered[index] ^= 0x01
            #expect(!ConstantTime.equals(digest, altered))
        }
    }
}
