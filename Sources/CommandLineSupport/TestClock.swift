import Foundation

/// The clock of the executables: the system clock, unless the test suite moves time through
/// the file named by `GESTION_CLOCK_FILE`, which holds a number of seconds to add to the real
/// time (e.g. `86400` = one day later), or `@` and a Unix time in seconds for a clock stopped at
/// that instant (for tests whose outcome must not depend on how fast the machine is). Read at
/// every call, so a test can move time while the process runs. Never set in production.
public enum ExecutableClock {
    public static let environmentVariable = "GESTION_CLOCK_FILE"

    /// Whether the clock is moved by a test.
    public static var isOverridden: Bool { ProcessInfo.processInfo.environment[environmentVariable] != nil }

    public static func fromEnvironment() -> @Sendable () -> Date {
        guard let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty else {
            return { Date() }
        }
        return {
            let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let text, text.hasPrefix("@"), let stopped = TimeInterval(text.dropFirst()) {
                return Date(timeIntervalSince1970: stopped)
            }
            return Date().addingTimeInterval(text.flatMap(TimeInterval.init) ?? 0)
        }
    }
}
