import Foundation

/// Tells waiting pulls (long polls) that the store's writer committed: a generation counter,
/// bumped after every commit of this process's writer, that waiters block on.
///
/// Commits by other processes on the same file (admin commands) do not pass here: a waiter
/// wakes at least every `recheckInterval` of its own and looks again.
public final class CommitNotifier: @unchecked Sendable {
    /// Why `wait(after:until:)` returned.
    public enum Wakeup: Sendable, Equatable {
        /// A commit happened after the generation the caller knew; here is the new one.
        case committed(generation: UInt64)
        /// The deadline passed with no commit.
        case timedOut
        /// The server is shutting down: answer now.
        case stopped
    }

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var current: UInt64 = 0
    private var isStopped = false

    public init() {}

    /// The generation now: read it before reading the store, then wait for a later one.
    public var generation: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return current
    }

    /// Called after a commit is durable and visible to readers: wakes every waiter.
    public func committed() {
        condition.lock()
        current &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes every waiter for good (shutdown); later waits return `.stopped` at once.
    public func stop() {
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the generation differs from `known`, `deadline` passes, or `stop()`.
    public func wait(after known: UInt64, until deadline: Date) -> Wakeup {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if isStopped { return .stopped }
            if current != known { return .committed(generation: current) }
            if !condition.wait(until: deadline) {
                if isStopped { return .stopped }
                return current != known ? .committed(generation: current) : .timedOut
            }
        }
    }
}
