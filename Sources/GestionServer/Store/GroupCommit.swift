import Dispatch
import Foundation
import GestionSQLite

/// Group commit: concurrent writes share one transaction and so one fsync.
///
/// Each write runs in its own SAVEPOINT inside the shared transaction, in arrival order, each
/// seeing the effects of those before it; a write that throws rolls back only its savepoint. No
/// caller returns before the transaction that holds its write has committed (`synchronous=FULL`),
/// so an acknowledged push is still on disk when its answer leaves, and a failed commit fails
/// every write of the group (none of them took effect; each caller may retry, as after any
/// failure).
///
/// There is no extra thread: the first caller to find no transaction running leads, takes every
/// write waiting at that moment (up to `maxBatch`), commits them and wakes their callers; a
/// caller that arrived meanwhile waits and then leads the next group. A lone write (no
/// concurrency) runs at once, as a transaction of its own.
final class GroupCommit: @unchecked Sendable {
    /// One caller's write. `work` runs it (inside its savepoint) and returns the error it threw.
    final class Ticket: @unchecked Sendable {
        /// Dropped as soon as it ran (or will not run): callers pass non-escaping closures.
        var work: ((Connection) -> (any Error)?)?
        /// Set when the group's transaction failed: the write did not take effect.
        var failure: (any Error)?
        var done = false
        let wake = DispatchSemaphore(value: 0)

        init(_ work: @escaping (Connection) -> (any Error)?) { self.work = work }
    }

    private let writer: SerializedConnection
    private let lock = NSLock()
    /// Writes waiting for the next group. Empty whenever `leading` is false.
    private var waiting: [Ticket] = []
    private var leading = false
    /// Most writes in one transaction.
    let maxBatch: Int
    /// Told after every group that committed (the one place every commit of the store passes).
    let commits: CommitNotifier

    init(writer: SerializedConnection, maxBatch: Int = 256, commits: CommitNotifier = CommitNotifier()) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.commits = commits
    }

    /// Runs `ticket` in the next group; returns once that group committed, or throws why it did not.
    func submit(_ ticket: Ticket) throws {
        lock.lock()
        waiting.append(ticket)
        let leads = !leading
        leading = true
        lock.unlock()
        if !leads {
            ticket.wake.wait()
            if ticket.done {
                if let failure = ticket.failure { throw failure }
                return
            }
            // Woken to lead the next group (this ticket is first in line).
        }
        lock.lock()
        let count = min(waiting.count, maxBatch)
        let group = Array(waiting.prefix(count))
        waiting.removeFirst(count)
        lock.unlock()

        if commit(group) { commits.committed() }

        lock.lock()
        let next = waiting.first
        if next == nil { leading = false }
        lock.unlock()
        for other in group where other !== ticket {
            other.done = true
            other.wake.signal()
        }
        ticket.done = true
        next?.wake.signal()
        if let failure = ticket.failure { throw failure }
    }

    /// Runs and commits `group`; returns whether the transaction committed.
    private func commit(_ group: [Ticket]) -> Bool {
        writer.withConnection { connection in
            do {
                try connection.transaction(.immediate) {
                    for ticket in group {
                        let error = ticket.work?(connection)
                        ticket.work = nil
                        // SQLite rolls the whole transaction back on some errors (SQLITE_FULL,
                        // IOERR, NOMEM…): then no write of the group took effect.
                        if !connection.isInTransaction { throw error ?? SQLiteError(code: 1, message: "transaction rolled back") }
                    }
                }
                return true
            } catch {
                for ticket in group {
                    ticket.failure = error
                    ticket.work = nil
                }
                return false
            }
        }
    }
}
