/// PBKDF2 key derivation (RFC 8018, section 5.2).
public enum PBKDF2 {
    /// Derives `derivedKeyLength` bytes from `password` and `salt` with PBKDF2-HMAC-SHA256.
    ///
    /// Each iteration after the first costs exactly two SHA-256 compressions and allocates nothing:
    /// the HMAC states after the padded key blocks are computed once, and the 32-byte
    /// intermediate values stay in registers and a stack buffer as 32-bit words.
    ///
    /// - Precondition: `iterations >= 1` and `0 <= derivedKeyLength <= (2^32 - 1) * 32`.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, derivedKeyLength: Int) -> [UInt8] {
        precondition(iterations >= 1, "PBKDF2 needs at least one iteration")
        precondition(derivedKeyLength >= 0, "PBKDF2 derived key length must not be negative")
        precondition(
            UInt64(derivedKeyLength) <= UInt64(UInt32.max) * UInt64(SHA256.digestByteCount),
            "PBKDF2 derived key too long"
        )

        let prf = HMACSHA256(key: password)
        let innerStart = prf.inner.state
        let outerStart = prf.outerState

        var output = [UInt8]()
        output.reserveCapacity(derivedKeyLength)

        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scheduleBuffer in
            guard let schedule = scheduleBuffer.baseAddress else { return }
            // Words 8 ..< 16 of both per-iteration blocks are the same SHA-256 padding: a 32-byte
            // message after the 64-byte key block, so 0x80, zeros, then the length 96 * 8 bits.
            // `compress(schedule:)` never touches words 0 ..< 16, so these are written once.
            let paddingWords: [UInt32] = [0x8000_0000, 0, 0, 0, 0, 0, 0, UInt32(96 * 8)]

            var blockIndex: UInt32 = 1
            while output.count < derivedKeyLength {
                // U1 = HMAC(password, salt || INT_32_BE(blockIndex))
                var mac = prf
                mac.update(salt)
                mac.update([
                    UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                    UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex),
                ])
                var u = mac.finalizeState()
                var t = u

                for (offset, word) in paddingWords.enumerated() { schedule[8 + offset] = word }
                var remainingIterations = iterations - 1
                while remainingIterations > 0 {
                    // Inner hash: H((key ⊕ ipad) || U)
                    storeWords(u, into: schedule)
                    var state = innerStart
                    state.compress(schedule: schedule)
                    // Outer hash: H((key ⊕ opad) || inner)
                    storeWords(state, into: schedule)
                    u = outerStart
                    u.compress(schedule: schedule)
                    xorWords(u, into: &t)
                    remainingIterations -= 1
                }

                let block = t.bytes
                output.append(contentsOf: block.prefix(derivedKeyLength - output.count))
                blockIndex &+= 1
            }
        }
        return output
    }
}

// Word helpers for the hot loop. They live in this file on purpose: debug builds compile each
// file separately, and calls to functions in other files are never inlined.

@inline(__always)
private func storeWords(_ state: SHA256State, into words: UnsafeMutablePointer<UInt32>) {
    words[0] = state.h0; words[1] = state.h1; words[2] = state.h2; words[3] = state.h3
    words[4] = state.h4; words[5] = state.h5; words[6] = state.h6; words[7] = state.h7
}

@inline(__always)
private func xorWords(_ other: SHA256State, into state: inout SHA256State) {
    state.h0 ^= other.h0; state.h1 ^= other.h1; state.h2 ^= other.h2; state.h3 ^= other.h3
    state.h4 ^= other.h4; state.h5 ^= other.h5; state.h6 ^= other.h6; state.h7 ^= other.h7
}
