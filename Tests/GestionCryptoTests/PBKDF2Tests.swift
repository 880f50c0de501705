import GestionCrypto
import Testing

/// One PBKDF2-HMAC-SHA256 test vector.
struct PBKDF2Vector: Sendable, CustomTestStringConvertible {
    var password: [UInt8]
    var salt: [UInt8]
    var iterations: Int
    var expected: String

    var testDescription: String {
        "\(String(decoding: password, as: UTF8.self).debugDescription) c=\(iterations) dkLen=\(expected.count / 2)"
    }
}

@Suite struct PBKDF2Tests {
    // RFC 7914 section 11, and the widely published PBKDF2-HMAC-SHA256 analogues of the
    // RFC 6070 vectors. All were also checked on the development machine with python3
    // `hashlib.pbkdf2_hmac('sha256', password, salt, c, dkLen)`.
    static let vectors: [PBKDF2Vector] = [
        PBKDF2Vector(
            password: utf8("passwd"), salt: utf8("salt"), iterations: 1,
            expected: "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        ),
        PBKDF2Vector(
            password: utf8("Password"), salt: utf8("NaCl"), iterations: 80000,
            expected: "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        ),
        PBKDF2Vector(
            password: utf8("password"), salt: utf8("salt"), iterations: 1,
            expected: "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
        ),
        PBKDF2Vector(
            password: utf8("password"), salt: utf8("salt"), iterations: 2,
            expected: "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"
        ),
        PBKDF2Vector(
            password: utf8("password"), salt: utf8("salt"), iterations: 4096,
            expected: "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        ),
        PBKDF2Vector(
            password: utf8("passwordPASSWORDpassword"), salt: utf8("saltSALTsaltSALTsaltSALTsaltSALTsalt"),
            iterations: 4096,
            expected: "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"
        ),
        PBKDF2Vector(
            password: utf8("pass\0word"), salt: utf8("sa\0lt"), iterations: 4096,
            expected: "89b69d0516f829893c696226650a8687"
        ),
    ]

    @Test(arguments: vectors)
    func publishedVectors(_ vector: PBKDF2Vector) {
        let derived = PBKDF2.sha256(
            password: vector.password, salt: vector.salt, iterations: vector.iterations,
            derivedKeyLength: vector.expected.count / 2
        )
        #expect(derived.hexString == vector.expected)
    }

    @Test func firstIterationIsHMACOfSaltAndBlockIndex() {
        // With c = 1, block i is HMAC(P, S || INT_32_BE(i)) (RFC 8018, section 5.2).
        let password = utf8("correct horse"), salt = utf8("battery staple")
        let derived = PBKDF2.sha256(password: password, salt: salt, iterations: 1, derivedKeyLength: 70)
        var expected = [UInt8]()
        for index: UInt8 in 1 ... 3 {
            expected += HMACSHA256.authenticationCode(key: password, message: salt + [0, 0, 0, index])
        }
        #expect(derived == Array(expected.prefix(70)))
    }

    @Test func secondIterationFollowsTheDefinition() {
        // U2 = HMAC(P, U1); T = U1 xor U2, computed here through the generic HMAC path.
        let password = patternMessage(count: 100), salt = utf8("NaCl")
        let u1 = HMACSHA256.authenticationCode(key: password, message: salt + [0, 0, 0, 1])
        let u2 = HMACSHA256.authenticationCode(key: password, message: u1)
        let expected = zip(u1, u2).map { $0 ^ $1 }
        #expect(PBKDF2.sha256(password: password, salt: salt, iterations: 2, derivedKeyLength: 32) == expected)
    }

    @Test func emptyPasswordSaltAndOutput() {
        #expect(PBKDF2.sha256(password: [], salt: [], iterations: 3, derivedKeyLength: 0).isEmpty)
        let empty = PBKDF2.sha256(password: [], salt: [], iterations: 3, derivedKeyLength: 32)
        #expect(empty.count == 32)
        // HMAC zero-pads keys to 64 bytes, so an empty password and a single zero byte agree...
        #expect(empty == PBKDF2.sha256(password: [0], salt: [], iterations: 3, derivedKeyLength: 32))
        // ...but any other byte changes the result.
        #expect(empty != PBKDF2.sha256(password: [1], salt: [], iterations: 3, derivedKeyLength: 32))
    }

    @Test func timeSixHundredThousandIterations() {
        let clock = ContinuousClock()
        var derived: [UInt8] = []
        let elapsed = clock.measure {
            derived = PBKDF2.sha256(
                password: utf8("correct horse battery staple"), salt: SecureRandom.bytes(count: 16),
                iterations: 600_000, derivedKeyLength: 32
            )
        }
        print("PBKDF2-HMAC-SHA256, 600,000 iterations, 32-byte key: \(elapsed)")
        #expect(derived.count == 32)
    }
}
