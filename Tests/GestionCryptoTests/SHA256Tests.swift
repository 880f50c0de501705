import GestionCrypto
import Testing

@Suite struct SHA256Tests {
    // FIPS 180-4 / NIST CSRC example values, and the digest of the empty string.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func nistVectors(message: String, expected: String) {
        #expect(SHA256.hash(utf8(message)).hexString == expected)
        #expect(SHA256.hash(message.utf8).hexString == expected)
    }

    @Test func oneMillionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(message).hexString == expected)

        // Same message in uneven chunks, exercising the partial-block buffer.
        var hasher = SHA256()
        var offset = 0
        var chunk = 1
        while offset < message.count {
            let end = min(offset + chunk, message.count)
            hasher.update(message[offset ..< end])
            offset = end
            chunk = chunk % 997 + 13
        }
        #expect(hasher.finalize().hexString == expected)
    }

    // Expected values produced on the development machine with
    // `python3 -c "import sys; sys.stdout.buffer.write(bytes((i*7+3)%256 for i in range(N)))" | sha256sum`
    // (see `patternMessage(count:)`).
    @Test(arguments: [
        (55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"),
        (56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"),
        (63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"),
        (64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"),
        (65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"),
        (200, "2c7e18c942ef065b526a2d4e5546283749cd3ddfb51d8fc71f42717363685f46"),
    ])
    func paddingEdges(length: Int, expected: String) {
        #expect(SHA256.hash(patternMessage(count: length)).hexString == expected)
    }

    @Test func streamingSplitAtEveryPosition() {
        let message = patternMessage(count: 200)
        // Same sha256sum-derived value as the 200-byte case above.
        let expected = "2c7e18c942ef065b526a2d4e5546283749cd3ddfb51d8fc71f42717363685f46"
        #expect(SHA256.hash(message).hexString == expected)

        for split in 0 ... message.count {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize().hexString == expected, "split at \(split)")
        }

        // Three pieces, including through the raw-buffer entry point.
        for first in stride(from: 0, through: message.count, by: 7) {
            for second in stride(from: first, through: message.count, by: 11) {
                var hasher = SHA256()
                hasher.update(message[..<first])
                message[first ..< second].withUnsafeBytes { hasher.update(bufferPointer: $0) }
                hasher.update(message[second...])
                #expect(hasher.finalize().hexString == expected, "split at \(first), \(second)")
            }
        }
    }

    @Test func byteAtATimeAndNonContiguousInput() {
        let message = patternMessage(count: 200)
        let expected = SHA256.hash(message)
        var hasher = SHA256()
        for byte in message { hasher.update(CollectionOfOne(byte)) }
        #expect(hasher.finalize() == expected)

        // A collection without contiguous storage takes the copying path.
        var lazyHasher = SHA256()
        lazyHasher.update(message.lazy.map { $0 })
        #expect(lazyHasher.finalize() == expected)
    }

    @Test func finalizeDoesNotConsumeTheHasher() {
        var hasher = SHA256()
        hasher.update(utf8("ab"))
        let partial = hasher.finalize()
        hasher.update(utf8("c"))
        #expect(partial == SHA256.hash(utf8("ab")))
        #expect(hasher.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func rawBufferOneShot() {
        let message = patternMessage(count: 65)
        let digest = message.withUnsafeBytes { SHA256.hash(bufferPointer: $0) }
        #expect(digest.hexString == "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e")
        #expect(digest.count == SHA256.digestByteCount)
    }
}
