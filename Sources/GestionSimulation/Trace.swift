import GestionCrypto

/// The run's event trace: one line per event, hashed as it goes. Two runs of the same
/// configuration must produce the same hash; a difference means something in the run depended
/// on more than the seed. Lines name devices, mutations, codes and versions — never file paths,
/// random ids or wall-clock times.
public final class Trace {
    private var hasher = SHA256()
    private(set) var lines: [String] = []
    private let keep: Bool
    /// Events recorded so far.
    public private(set) var count = 0

    init(keep: Bool) {
        self.keep = keep
    }

    /// Records one event of step `step`.
    func record(_ step: Int, _ event: String) {
        let line = "\(step) \(event)"
        hasher.update(Array(line.utf8) + [0x0A])
        count += 1
        if keep { lines.append(line) }
    }

    /// The hash of every line so far, in hex.
    var hash: String { hasher.finalize().hexString }
}
