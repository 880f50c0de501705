/// Cryptographically secure random bytes and tokens.
///
/// Backed by `SystemRandomNumberGenerator`, which reads the operating system's CSPRNG
/// (`getrandom(2)` on Linux, `arc4random_buf` on Apple platforms).
public enum SecureRandom {
    /// Returns `count` random bytes.
    ///
    /// - Precondition: `count >= 0`.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes(count:) needs a non-negative count")
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count < count {
            let word: UInt64 = generator.next()
            withUnsafeBytes(of: word) { wordBytes in
                bytes.append(contentsOf: wordBytes.prefix(count - bytes.count))
            }
        }
        return bytes
    }

    /// Returns a fresh 256-bit random value as 43 characters of unpadded base64url.
    ///
    /// Suitable for session tokens, API keys and other bearer secrets.
    public static func token() -> String {
        Base64URL.encode(bytes(count: 32))
    }
}
