import Foundation

/// A task executor with one thread of its own. Swift Testing runs tests in parallel on the
/// cooperative pool, which has one thread per core: two on CI. A test that blocks one of them
/// (waiting for a child process, say) delays every other test's `await`s, and a test that times
/// its own steps would measure that wait. Code run under
/// `withTaskExecutorPreference(DedicatedThreadExecutor(...))`, default actors included,
/// resumes on this thread instead.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    /// Starts the thread; `name` shows in debuggers and crash reports.
    public init(name: String) {
        let thread = Thread { [self] in runJobs() }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs already queued have run.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
