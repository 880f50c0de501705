import GestionCrypto
import Testing

@Suite struct PasswordHashTests {
    // Small iteration counts keep these tests fast; the format does not depend on the count.
    static let iterations = 1000

    @Test func roundTripAndVerify() throws {
        let made = PasswordHash.make(password: "hunter2", iterations: Self.iterations)
        #expect(made.iterations == Self.iterations)
        #expect(made.salt.count == 16)
        #expect(made.hash.count == 32)
        #expect(made.verify(password: "hunter2"))

        let encoded = made.encoded
        #expect(encoded.hasPrefix("pbkdf2-sha256$1000$"))
        let parsed = try #require(PasswordHash(encoded: encoded))
        #expect(parsed.iterations == made.iterations)
        #expect(parsed.salt == made.salt)
        #expect(parsed.hash == made.hash)
        #expect(parsed.encoded == encoded)
        #expect(parsed.verify(password: "hunter2"))
    }

    @Test func hashIsPBKDF2OfTheUTF8Password() {
        let password = "contraseña ñandú"
        let made = PasswordHash.make(password: password, iterations: 3)
        let expected = PBKDF2.sha256(password: Array(password.utf8), salt: made.salt, iterations: 3, derivedKeyLength: 32)
        #expect(made.hash == expected)
        let fields = made.encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        #expect(fields == ["pbkdf2-sha256", "3", Base64URL.encode(made.salt), Base64URL.encode(expected)])
    }

    @Test func wrongPasswordRefused() {
        let made = PasswordHash.make(password: "hunter2", iterations: Self.iterations)
        #expect(!made.verify(password: "hunter3"))
        #expect(!made.verify(password: "Hunter2"))
        #expect(!made.verify(password: "hunter2 "))
        #expect(!made.verify(password: ""))
    }

    @Test func unicodeIsNotNormalised() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different UTF-8 bytes.
        let made = PasswordHash.make(password: "caf\u{E9}", iterations: 10)
        #expect(made.verify(password: "caf\u{E9}"))
        #expect(!made.verify(password: "cafe\u{301}"))
    }

    @Test func sameParametersDifferentSalt() {
        let first = PasswordHash.make(password: "same", iterations: 10)
        let second = PasswordHash.make(password: "same", iterations: 10)
        #expect(first.salt != second.salt)
        #expect(first.hash != second.hash)
        #expect(first.encoded != second.encoded)
    }

    @Test func knownEncodingVerifies() throws {
        // Built from the published PBKDF2 vector password/salt, c=4096, dkLen=32
        // (c5e478d5...aa98134a); "c2FsdA" is base64url of "salt".
        let hash = try #require(Hex.decode("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"))
        let encoded = "pbkdf2-sha256$4096$c2FsdA$" + Base64URL.encode(hash)
        let parsed = try #require(PasswordHash(encoded: encoded))
        #expect(parsed.salt == utf8("salt"))
        #expect(parsed.verify(password: "password"))
        #expect(!parsed.verify(password: "passw0rd"))
    }

    @Test(arguments: [
        "",
        "pbkdf2-sha256",
        "pbkdf2-sha1$1000$c2FsdA$aGFzaA",  // another scheme
        "PBKDF2-SHA256$1000$c2FsdA$aGFzaA",  // scheme is case-sensitive
        "bcrypt$1000$c2FsdA$aGFzaA",
        "pbkdf2-sha256$1000$c2FsdA",  // missing field
        "pbkdf2-sha256$1000$c2FsdA$aGFzaA$",  // extra field
        "pbkdf2-sha256$abc$c2FsdA$aGFzaA",  // non-numeric iterations
        "pbkdf2-sha256$10a0$c2FsdA$aGFzaA",
        "pbkdf2-sha256$$c2FsdA$aGFzaA",  // empty iterations
        "pbkdf2-sha256$0$c2FsdA$aGFzaA",  // zero iterations
        "pbkdf2-sha256$-5$c2FsdA$aGFzaA",  // negative
        "pbkdf2-sha256$+5$c2FsdA$aGFzaA",  // signed
        "pbkdf2-sha256$0100$c2FsdA$aGFzaA",  // leading zero
        "pbkdf2-sha256$ 100$c2FsdA$aGFzaA",  // whitespace
        "pbkdf2-sha256$99999999999999999999999$c2FsdA$aGFzaA",  // overflows Int
        "pbkdf2-sha256$1000$$aGFzaA",  // empty salt
        "pbkdf2-sha256$1000$c2FsdA$",  // empty hash
        "pbkdf2-sha256$1000$c2Fs+A$aGFzaA",  // standard-base64 character in salt
        "pbkdf2-sha256$1000$c2FsdA==$aGFzaA",  // padding
        "pbkdf2-sha256$1000$c2FsdA$aGFza",  // impossible base64 length
        "pbkdf2-sha256$1000$c2FsdB$aGFzaA",  // non-zero unused bits
        "pbkdf2-sha256$1000$c2Fs dA$aGFzaA",
    ])
    func malformedEncodingsRejected(encoded: String) {
        #expect(PasswordHash(encoded: encoded) == nil)
    }

    @Test func wellFormedMinimalEncodingAccepted() throws {
        let parsed = try #require(PasswordHash(encoded: "pbkdf2-sha256$1$c2FsdA$aGFzaA"))
        #expect(parsed.iterations == 1)
        #expect(parsed.salt == utf8("salt"))
        #expect(parsed.hash == utf8("hash"))
    }

    @Test func memberwiseInitValidates() {
        #expect(PasswordHash(iterations: 0, salt: [1], hash: [2]) == nil)
        #expect(PasswordHash(iterations: 1, salt: [], hash: [2]) == nil)
        #expect(PasswordHash(iterations: 1, salt: [1], hash: []) == nil)
        #expect(PasswordHash(iterations: 1, salt: [1], hash: [2])?.encoded == "pbkdf2-sha256$1$AQ$Ag")
    }
}

@Suite struct PasswordHashDescriptionTests {
    @Test func descriptionOmitsSaltAndHash() {
        let made = PasswordHash.make(password: "secret", iterations: 5)
        let text = "\(made)"
        #expect(text.contains("5 iterations"))
        #expect(!text.contains(Base64URL.encode(made.hash)))
        #expect(!text.contains(Base64URL.encode(made.salt)))
        #expect(!text.contains(made.hash.map(String.init).joined(separator: ", ")))
    }
}
