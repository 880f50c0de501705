/// SHA-256 (FIPS 180-4), streaming or one-shot.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(header)
/// hasher.update(body)
/// let digest = hasher.finalize()   // 32 bytes
/// ```
public struct SHA256: Sendable {
    /// Size of a digest in bytes (32).
    public static let digestByteCount = 32
    /// Size of the blocks the compression function consumes, in bytes (64).
    public static let blockByteCount = 64

    /// Sixty-four bytes of storage, kept inline (no heap allocation).
    typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// Chaining value after the last complete block.
    private(set) var state: SHA256State
    /// Bytes of an incomplete block, waiting for more input.
    private var buffer: Block = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many bytes of `buffer` are in use (0 ..< 64).
    private var bufferedCount = 0
    /// Total number of bytes hashed so far.
    private var totalByteCount: UInt64

    /// Starts a new, empty hash.
    public init() {
        self.state = .initial
        self.totalByteCount = 0
    }

    /// Resumes hashing from a chaining value reached after `byteCount` bytes (a multiple of 64).
    init(state: SHA256State, byteCount: UInt64) {
        self.state = state
        self.totalByteCount = byteCount
    }

    /// Hashes `bytes` in one go.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes the bytes of a raw buffer in one go.
    public static func hash(bufferPointer: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bufferPointer: bufferPointer)
        return hasher.finalize()
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.update(bufferPointer: UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            Array(bytes).withUnsafeBytes { self.update(bufferPointer: $0) }
        }
    }

    /// Appends the bytes of a raw buffer to the message.
    public mutating func update(bufferPointer input: UnsafeRawBufferPointer) {
        guard var pointer = input.baseAddress, !input.isEmpty else { return }
        var remaining = input.count
        totalByteCount &+= UInt64(remaining)

        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scheduleBuffer in
            guard let schedule = scheduleBuffer.baseAddress else { return }

            // Top up a partially filled block first.
            if bufferedCount > 0 {
                let taken = min(Self.blockByteCount - bufferedCount, remaining)
                let offset = bufferedCount
                withUnsafeMutableBytes(of: &buffer) { block in
                    guard let blockBase = block.baseAddress else { return }
                    (blockBase + offset).copyMemory(from: pointer, byteCount: taken)
                }
                bufferedCount += taken
                pointer += taken
                remaining -= taken
                guard bufferedCount == Self.blockByteCount else { return }
                let full = buffer
                withUnsafeBytes(of: full) { block in
                    guard let blockBase = block.baseAddress else { return }
                    state.compress(block: blockBase, schedule: schedule)
                }
                bufferedCount = 0
            }

            // Whole blocks straight from the input.
            while remaining >= Self.blockByteCount {
                state.compress(block: pointer, schedule: schedule)
                pointer += Self.blockByteCount
                remaining -= Self.blockByteCount
            }

            // Keep the tail for later.
            if remaining > 0 {
                let tail = remaining
                withUnsafeMutableBytes(of: &buffer) { block in
                    guard let blockBase = block.baseAddress else { return }
                    blockBase.copyMemory(from: pointer, byteCount: tail)
                }
                bufferedCount = tail
            }
        }
    }

    /// Returns the 32-byte digest of everything passed to `update` so far.
    ///
    /// The hasher itself is not modified: more bytes may be appended afterwards and
    /// `finalize()` called again for the digest of the longer message.
    public func finalize() -> [UInt8] {
        finalizeState().bytes
    }

    /// The final chaining value (the digest as eight words).
    func finalizeState() -> SHA256State {
        var state = self.state
        var block = buffer
        let used = bufferedCount
        let bitLength = totalByteCount &* 8
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scheduleBuffer in
            guard let schedule = scheduleBuffer.baseAddress else { return }
            withUnsafeMutableBytes(of: &block) { bytes in
                guard let base = bytes.baseAddress else { return }
                bytes[used] = 0x80
                for index in (used + 1) ..< Self.blockByteCount { bytes[index] = 0 }
                if used >= Self.blockByteCount - 8 {
                    // No room for the length: it goes in an extra block.
                    state.compress(block: base, schedule: schedule)
                    for index in 0 ..< Self.blockByteCount { bytes[index] = 0 }
                }
                bytes.storeBytes(of: bitLength.bigEndian, toByteOffset: Self.blockByteCount - 8, as: UInt64.self)
                state.compress(block: base, schedule: schedule)
            }
        }
        return state
    }
}
