import Foundation
import GestionHTTP
import GestionProtocol

/// A long poll: holds a pull that has nothing new for its device until something for it commits,
/// the wait is over, the server stops, or the client is gone.
///
/// Every commit of this process's writer wakes the hold, which reads the store again; so does
/// every `recheckInterval` of its own, for commits by other processes on the same file (admin
/// commands) and to notice a client that hung up.
struct PullHold {
    let commits: CommitNotifier
    let recheckInterval: TimeInterval
    /// Whether nobody waits for the answer any more (the client closed its connection).
    let clientHasLeft: () -> Bool

    /// Whether a page tells the device something: change-sets, results, more pages, mutations of
    /// its own processed since it last heard, or an instruction. Only a page without any of these
    /// is held.
    static func isNews(_ page: PullResponse, for request: PullRequest) -> Bool {
        !page.changeSets.isEmpty || !page.results.isEmpty || page.hasMore || page.lastMutationId > request.resultsAfter
            || page.device != nil
    }

    /// Reads again with `read` after each commit (or each `recheckInterval`) until the page is
    /// news or `duration` seconds have passed since `start`; returns the last page read.
    /// - Parameter generation: the commit generation read before `first` was.
    func wait(
        for duration: TimeInterval, since start: ContinuousClock.Instant, generation: UInt64, first: PullResponse,
        request: PullRequest, read: () throws(SyncStoreError) -> PullResponse
    ) throws(SyncStoreError) -> PullResponse {
        let deadline = start + .milliseconds(Int64(duration * 1000))
        var page = first
        var known = generation
        while !Self.isNews(page, for: request) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { break }
            let slice = min(remaining.timeInterval, recheckInterval)
            switch commits.wait(after: known, until: Date(timeIntervalSinceNow: slice)) {
            case .stopped:
                return page
            case .committed(let generation):
                known = generation
            case .timedOut:
                known = commits.generation
                if clientHasLeft() { return page }
            }
            page = try read()
        }
        return page
    }
}

extension Duration {
    fileprivate var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
