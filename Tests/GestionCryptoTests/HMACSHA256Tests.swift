import GestionCrypto
import Testing

/// One test case of RFC 4231, section 4.
struct RFC4231Case: Sendable, CustomTestStringConvertible {
    var number: Int
    var key: [UInt8]
    var data: [UInt8]
    /// HMAC-SHA-256 from the RFC; case 5 publishes only the first 128 bits.
    var expected: String

    var testDescription: String { "RFC 4231 test case \(number)" }
}

@Suite struct HMACSHA256Tests {
    static let rfc4231: [RFC4231Case] = [
        RFC4231Case(
            number: 1, key: [UInt8](repeating: 0x0b, count: 20), data: utf8("Hi There"),
            expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        RFC4231Case(
            number: 2, key: utf8("Jefe"), data: utf8("what do ya want for nothing?"),
            expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        RFC4231Case(
            number: 3, key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
            expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        RFC4231Case(
            number: 4, key: Array(1 ... 25), data: [UInt8](repeating: 0xcd, count: 50),
            expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        RFC4231Case(
            number: 5, key: [UInt8](repeating: 0x0c, count: 20), data: utf8("Test With Truncation"),
            expected: "a3b6167473100ee06e0c796c2955552b"
        ),
        RFC4231Case(
            number: 6, key: [UInt8](repeating: 0xaa, count: 131),
            data: utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
            expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        RFC4231Case(
            number: 7, key: [UInt8](repeating: 0xaa, count: 131),
            data: utf8(
                "This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm."
            ),
            expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]

    @Test(arguments: rfc4231)
    func rfc4231Vectors(_ vector: RFC4231Case) {
        let mac = HMACSHA256.authenticationCode(key: vector.key, message: vector.data)
        #expect(mac.count == HMACSHA256.byteCount)
        // Case 5 is truncated to 128 bits in the RFC: compare that prefix only.
        let published = Hex.decode(vector.expected)
        #expect(published != nil)
        #expect(Array(mac.prefix(vector.expected.count / 2)) == published)
        if vector.number == 5 {
            #expect(vector.expected.count == 32)
        } else {
            #expect(mac.hexString == vector.expected)
        }
    }

    @Test(arguments: rfc4231)
    func streamingMatchesOneShot(_ vector: RFC4231Case) {
        let expected = HMACSHA256.authenticationCode(key: vector.key, message: vector.data)
        for split in 0 ... vector.data.count {
            var mac = HMACSHA256(key: vector.key)
            mac.update(vector.data[..<split])
            vector.data[split...].withUnsafeBytes { mac.update(bufferPointer: $0) }
            #expect(mac.finalize() == expected, "split at \(split)")
        }
    }

    @Test func keyOfExactlyOneBlockIsNotHashed() {
        // A 64-byte key is used as is; a 65-byte key is replaced by its SHA-256 digest.
        let key64 = patternMessage(count: 64)
        let key65 = patternMessage(count: 65)
        let message = utf8("message")
        #expect(
            HMACSHA256.authenticationCode(key: key65, message: message)
                == HMACSHA256.authenticationCode(key: SHA256.hash(key65), message: message)
        )
        #expect(
            HMACSHA256.authenticationCode(key: key64, message: message)
                != HMACSHA256.authenticationCode(key: SHA256.hash(key64), message: message)
        )
    }
}
