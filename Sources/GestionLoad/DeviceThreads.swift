import Foundation

/// Plain threads that run the users' actions (reading the replica to choose one, then performing
/// it: a SQLite commit that waits for its fsync). On Swift's cooperative pool — two threads on a
/// two-core machine — a device waiting for its disk would hold one of them and every other
/// device's sync would queue behind it, and the devices' latencies would measure the load
/// generator more than the server; each real device has a processor of its own.
final class DeviceThreads: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var stopped = false

    init(threads: Int) {
        for n in 0..<max(1, threads) {
            let thread = Thread { [self] in serve() }
            thread.name = "gestion-load-device-\(n)"
            thread.start()
        }
    }

    /// Runs `body` on one of the threads and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            condition.lock()
            work.append { continuation.resume(returning: body()) }
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets the threads end once the work already queued has run.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while work.isEmpty, !stopped { condition.wait() }
            if work.isEmpty {
                condition.unlock()
                return
            }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }
}
