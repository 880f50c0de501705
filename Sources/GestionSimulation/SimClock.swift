import Foundation
import Synchronization

/// Simulated time: the server's clock, moved only by the simulation. Devices read it through a
/// `DeviceClock` with their own skew. Nothing in a run reads the wall clock.
public final class SimClock: Sendable {
    private let current: Mutex<Date>

    public init(start: Date) {
        current = Mutex(start)
    }

    /// The server's time now.
    public var now: Date { current.withLock { $0 } }

    /// Moves time forward by `seconds` (never backwards).
    public func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(max(0, seconds)) }
    }

    /// The server's clock as the service takes it.
    public var reading: @Sendable () -> Date { { [self] in now } }
}

/// A device's clock: the simulated time plus a skew (positive: the device is ahead), which the
/// simulation may change, as a user who fixes (or breaks) the phone's clock does.
public final class DeviceClock: Sendable {
    private let base: SimClock
    private let offset: Mutex<TimeInterval>

    public init(base: SimClock, skew: TimeInterval) {
        self.base = base
        offset = Mutex(skew)
    }

    /// How far the device's clock is from the server's, in seconds.
    public var skew: TimeInterval {
        get { offset.withLock { $0 } }
        set { offset.withLock { $0 = newValue } }
    }

    /// The device's time now.
    public var now: Date { base.now.addingTimeInterval(skew) }

    /// The clock as the replica takes it.
    public var reading: @Sendable () -> Date { { [self] in now } }
}
