import Synchronization

/// Counts per key, shared by test tasks.
final class SharedCounts: Sendable {
    private let counts = Mutex<[String: Int64]>([:])

    /// Keeps the highest `count` seen for `key`.
    func record(_ key: String, _ count: Int64) {
        counts.withLock { $0[key] = max($0[key] ?? 0, count) }
    }

    func add(_ key: String, _ amount: Int64) {
        counts.withLock { $0[key, default: 0] += amount }
    }

    func value(_ key: String) -> Int64 { counts.withLock { $0[key] ?? 0 } }
}

/// A flag shared by test tasks.
final class SharedFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { value in value = true } }
}
