import Foundation
import Synchronization

/// Slows down password guessing: after a few failures for one user name or one address, each
/// further attempt must wait, and the wait doubles up to a ceiling. Success clears the user's record.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        /// Failures allowed before waits start.
        public var freeAttempts: Int
        /// The first wait.
        public var baseDelay: TimeInterval
        /// The longest wait.
        public var maxDelay: TimeInterval
        /// Failures older than this are forgotten (counted from the last failure).
        public var memory: TimeInterval

        public init(
            freeAttempts: Int = 5, baseDelay: TimeInterval = 1, maxDelay: TimeInterval = 15 * 60,
            memory: TimeInterval = 30 * 60
        ) {
            self.freeAttempts = freeAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.memory = memory
        }
    }

    private struct Record {
        var failures = 0
        var blockedUntil = Date.distantPast
        var lastFailure = Date.distantPast
    }

    /// Beyond this many remembered names and addresses, forgotten ones are dropped.
    private static let pruneThreshold = 10_000

    private let policy: Policy
    private let records = Mutex<[String: Record]>([:])

    public init(policy: Policy) {
        self.policy = policy
    }

    /// Seconds to wait before `user` may try again from `address`, or `nil` if it may try now.
    public func waitTime(user: String, address: String, now: Date) -> TimeInterval? {
        records.withLock { records in
            let until = [records["user:" + user.lowercased()], records["address:" + address]]
                .compactMap { $0?.blockedUntil }.max() ?? .distantPast
            return until > now ? until.timeIntervalSince(now) : nil
        }
    }

    /// Records a failed attempt.
    public func recordFailure(user: String, address: String, now: Date) {
        records.withLock { records in
            if records.count > Self.pruneThreshold {
                records = records.filter { now.timeIntervalSince($0.value.lastFailure) < policy.memory }
            }
            for key in ["user:" + user.lowercased(), "address:" + address] {
                var record = records[key] ?? Record()
                if now.timeIntervalSince(record.lastFailure) >= policy.memory { record = Record() }
                record.failures += 1
                record.lastFailure = now
                let excess = record.failures - policy.freeAttempts
                if excess > 0 {
                    let delay = min(policy.maxDelay, policy.baseDelay * pow(2, Double(min(excess - 1, 30))))
                    record.blockedUntil = now.addingTimeInterval(delay)
                }
                records[key] = record
            }
        }
    }

    /// Clears the user's failures after a successful login.
    public func recordSuccess(user: String) {
        _ = records.withLock { $0.removeValue(forKey: "user:" + user.lowercased()) }
    }
}
