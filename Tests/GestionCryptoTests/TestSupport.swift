/// Test helpers shared by the GestionCrypto test files.

/// The UTF-8 bytes of `text`.
func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The deterministic test message `(i * 7 + 3) mod 256` for i in 0 ..< count.
///
/// The same bytes are produced in a shell by
/// `python3 -c "import sys; sys.stdout.buffer.write(bytes((i*7+3)%256 for i in range(N)))"`,
/// which is how the expected digests of these messages were obtained (piped into `sha256sum`).
func patternMessage(count: Int) -> [UInt8] {
    (0 ..< count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
}
