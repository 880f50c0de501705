/// A salted PBKDF2-HMAC-SHA256 password hash, stored as a self-describing string.
///
/// The encoding is `pbkdf2-sha256$<iterations>$<salt>$<hash>`, with the iteration count in
/// decimal and the salt and hash in unpadded base64url, for example
/// `pbkdf2-sha256$600000$q2Wd...$Xk3f...`. Because the iteration count travels with the hash,
/// it can be raised for new passwords without invalidating old ones.
///
/// Passwords are hashed as the UTF-8 bytes of the `String` exactly as given: no trimming and
/// no Unicode normalisation. Callers that want "é" typed as one or two code points to match
/// should normalise before calling.
public struct PasswordHash: Sendable {
    /// The scheme name at the start of the encoding.
    public static let scheme = "pbkdf2-sha256"
    /// Iteration count used when none is given (OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256).
    public static let defaultIterations = 600_000
    /// Length of the random salt made by `make(password:iterations:)`, in bytes.
    public static let saltByteCount = 16
    /// Length of the derived hash made by `make(password:iterations:)`, in bytes.
    public static let hashByteCount = 32

    /// PBKDF2 iteration count (at least 1).
    public let iterations: Int
    /// Random salt (non-empty).
    public let salt: [UInt8]
    /// Derived key (non-empty); its length is the derived-key length used when verifying.
    public let hash: [UInt8]

    /// Wraps existing parts; returns `nil` if `iterations < 1` or `salt` or `hash` is empty.
    public init?(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        guard iterations >= 1, !salt.isEmpty, !hash.isEmpty else { return nil }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Hashes `password` with a fresh 16-byte random salt into a 32-byte hash.
    ///
    /// - Precondition: `iterations >= 1`.
    public static func make(password: String, iterations: Int = defaultIterations) -> PasswordHash {
        precondition(iterations >= 1, "PasswordHash needs at least one iteration")
        let salt = SecureRandom.bytes(count: saltByteCount)
        let hash = PBKDF2.sha256(
            password: Array(password.utf8), salt: salt, iterations: iterations, derivedKeyLength: hashByteCount
        )
        // Both parts are non-empty and iterations >= 1, so this always succeeds.
        guard let result = PasswordHash(iterations: iterations, salt: salt, hash: hash) else {
            preconditionFailure("unreachable: valid password hash parts rejected")
        }
        return result
    }

    /// Parses `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
    ///
    /// Returns `nil` for another scheme, a wrong number of fields, an iteration count that is
    /// not a positive decimal integer without sign or leading zeros, or a salt or hash that is
    /// empty or not valid unpadded base64url.
    public init?(encoded: String) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == Self.scheme else { return nil }

        let digits = fields[1].utf8
        guard let firstDigit = digits.first, firstDigit != UInt8(ascii: "0"),
              digits.allSatisfy({ UInt8(ascii: "0") ... UInt8(ascii: "9") ~= $0 }),
              let iterations = Int(fields[1])
        else { return nil }

        guard let salt = Base64URL.decode(fields[2]), let hash = Base64URL.decode(fields[3]) else { return nil }
        self.init(iterations: iterations, salt: salt, hash: hash)
    }

    /// The self-describing string form, `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
    public var encoded: String {
        "\(Self.scheme)$\(iterations)$\(Base64URL.encode(salt))$\(Base64URL.encode(hash))"
    }

    /// Whether `password` (as UTF-8 bytes) derives this hash; the comparison is constant-time.
    public func verify(password: String) -> Bool {
        let candidate = PBKDF2.sha256(
            password: Array(password.utf8), salt: salt, iterations: iterations, derivedKeyLength: hash.count
        )
        return ConstantTime.equals(candidate, hash)
    }
}

extension PasswordHash: CustomStringConvertible {
    /// Names the scheme and iteration count but leaves out the salt and hash, so that a stray
    /// log line or debug print does not copy password material around.
    public var description: String {
        "PasswordHash(\(Self.scheme), \(iterations) iterations, \(salt.count)-byte salt, \(hash.count)-byte hash)"
    }
}
