import Foundation
import Synchronization

/// Plain threads that run the devices' tasks (a task executor). A device blocked in SQLite (a
/// commit waits for its fsync) then holds one of these, not one of the few threads of Swift's
/// cooperative pool that every other device needs: as each real device has a processor of its
/// own, one device's disk does not stall another device's sync. Without it the devices' own
/// latencies measured the load generator's queue more than the server.
final class DeviceThreads: TaskExecutor, @unchecked Sendable {
    private let queue = Mutex<(jobs: [UnownedJob], head: Int, stopped: Bool)>(([], 0, false))
    private let available = DispatchSemaphore(value: 0)
    private let count: Int

    init(threads: Int) {
        count = max(1, threads)
        for n in 0..<count {
            let thread = Thread { [self] in serve() }
            thread.name = "gestion-load-device-\(n)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        available.signal()
    }

    /// Lets the threads end once the jobs already queued have run.
    func shutdown() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<count { available.signal() }
    }

    private func serve() {
        while true {
            available.wait()
            let next: UnownedJob? = queue.withLock { state in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 1024, state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            guard let next else {
                if queue.withLock({ $0.stopped }) { return }
                continue
            }
            next.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
