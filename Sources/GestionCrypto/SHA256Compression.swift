// The SHA-256 compression function (FIPS 180-4, section 6.2.2), shared by `SHA256`,
// `HMACSHA256` and `PBKDF2`.

/// The eight 32-bit working words of SHA-256 (H0 ... H7).
struct SHA256State: Sendable {
    var h0: UInt32, h1: UInt32, h2: UInt32, h3: UInt32
    var h4: UInt32, h5: UInt32, h6: UInt32, h7: UInt32

    /// The initial hash value of FIPS 180-4, section 5.3.3.
    static let initial = SHA256State(
        h0: 0x6a09_e667, h1: 0xbb67_ae85, h2: 0x3c6e_f372, h3: 0xa54f_f53a,
        h4: 0x510e_527f, h5: 0x9b05_688c, h6: 0x1f83_d9ab, h7: 0x5be0_cd19
    )

    /// The 32-byte big-endian serialisation of the state (the digest).
    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: h0.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: h1.bigEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: h2.bigEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: h3.bigEndian, toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: h4.bigEndian, toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: h5.bigEndian, toByteOffset: 20, as: UInt32.self)
            raw.storeBytes(of: h6.bigEndian, toByteOffset: 24, as: UInt32.self)
            raw.storeBytes(of: h7.bigEndian, toByteOffset: 28, as: UInt32.self)
            initialized = 32
        }
    }

    /// Compresses one 64-byte block read from `block` (any alignment).
    ///
    /// `schedule` is scratch space for 64 words supplied by the caller.
    @inline(__always)
    mutating func compress(block: UnsafeRawPointer, schedule: UnsafeMutablePointer<UInt32>) {
        for t in 0 ..< 16 {
            schedule[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
        }
        compress(schedule: schedule)
    }

    /// Compresses one block whose sixteen message words are already in `schedule[0 ..< 16]`.
    ///
    /// Words 16 ..< 64 of `schedule` are overwritten with the expanded message schedule;
    /// words 0 ..< 16 are left untouched, so a caller can keep constant padding words there.
    mutating func compress(schedule w: UnsafeMutablePointer<UInt32>) {
        var t = 16
        while t < 64 {
            let w15 = w[t &- 15], w2 = w[t &- 2]
            let s0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 &>> 3)
            let s1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 &>> 10)
            w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
            t &+= 1
        }

        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
        sha256RoundConstants.withUnsafeBufferPointer { k in
            guard let k = k.baseAddress else { return }
            var i = 0
            while i < 64 {
                sha256Round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                sha256Round(h, a, b, &c, d, e, f, &g, k[i &+ 1] &+ w[i &+ 1])
                sha256Round(g, h, a, &b, c, d, e, &f, k[i &+ 2] &+ w[i &+ 2])
                sha256Round(f, g, h, &a, b, c, d, &e, k[i &+ 3] &+ w[i &+ 3])
                sha256Round(e, f, g, &h, a, b, c, &d, k[i &+ 4] &+ w[i &+ 4])
                sha256Round(d, e, f, &g, h, a, b, &c, k[i &+ 5] &+ w[i &+ 5])
                sha256Round(c, d, e, &f, g, h, a, &b, k[i &+ 6] &+ w[i &+ 6])
                sha256Round(b, c, d, &e, f, g, h, &a, k[i &+ 7] &+ w[i &+ 7])
                i &+= 8
            }
        }
        h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
        h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
    }
}

@inline(__always)
private func rotateRight(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}

/// One SHA-256 round. The caller rotates the roles of the eight working variables instead of
/// shifting their values: the new `a` lands in `h` and the new `e` in `d`.
@inline(__always)
private func sha256Round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
    _ kw: UInt32
) {
    let sigma1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
    let choose = g ^ (e & (f ^ g))
    let t1 = h &+ sigma1 &+ choose &+ kw
    let sigma0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
    let majority = (a & b) | (c & (a | b))
    d &+= t1
    h = t1 &+ sigma0 &+ majority
}

/// The round constants K0 ... K63 of FIPS 180-4, section 4.2.2.
private let sha256RoundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
]
