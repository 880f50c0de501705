/// HMAC with SHA-256 (RFC 2104, FIPS 198-1), streaming or one-shot.
///
/// Keys longer than 64 bytes are hashed first, as the standard requires.
public struct HMACSHA256: Sendable {
    /// Size of an authentication code in bytes (32).
    public static let byteCount = 32

    /// Hasher already fed with the 64-byte block `key ⊕ ipad`; message bytes go here.
    private(set) var inner: SHA256
    /// Chaining value after compressing the 64-byte block `key ⊕ opad`.
    let outerState: SHA256State

    /// Starts an authentication code under `key` (any length, including empty).
    public init(key: some Collection<UInt8>) {
        var keyBlock = [UInt8](repeating: 0, count: SHA256.blockByteCount)
        if key.count > SHA256.blockByteCount {
            let digest = SHA256.hash(key)
            keyBlock.replaceSubrange(0 ..< digest.count, with: digest)
        } else {
            keyBlock.replaceSubrange(0 ..< key.count, with: key)
        }

        var innerState = SHA256State.initial
        var outerState = SHA256State.initial
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scheduleBuffer in
            guard let schedule = scheduleBuffer.baseAddress else { return }
            var padded = keyBlock.map { $0 ^ 0x36 }
            padded.withUnsafeBytes { block in
                guard let base = block.baseAddress else { return }
                innerState.compress(block: base, schedule: schedule)
            }
            padded = keyBlock.map { $0 ^ 0x5c }
            padded.withUnsafeBytes { block in
                guard let base = block.baseAddress else { return }
                outerState.compress(block: base, schedule: schedule)
            }
        }
        self.inner = SHA256(state: innerState, byteCount: UInt64(SHA256.blockByteCount))
        self.outerState = outerState
    }

    /// Computes the 32-byte authentication code of `message` under `key` in one go.
    public static func authenticationCode(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        inner.update(bytes)
    }

    /// Appends the bytes of a raw buffer to the message.
    public mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        inner.update(bufferPointer: bufferPointer)
    }

    /// Returns the 32-byte authentication code of everything passed to `update` so far.
    ///
    /// Like `SHA256.finalize()`, this does not modify the value.
    public func finalize() -> [UInt8] {
        finalizeState().bytes
    }

    /// The authentication code as eight words.
    func finalizeState() -> SHA256State {
        let innerDigest = inner.finalizeState()
        var outer = SHA256(state: outerState, byteCount: UInt64(SHA256.blockByteCount))
        outer.update(innerDigest.bytes)
        return outer.finalizeState()
    }
}
