import Foundation
import GestionProtocol
import Synchronization
import SyncCore

/// Why a sync or a login did not complete. Nothing of the outbox is lost in any case.
public enum SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No user has signed in on this replica.
    case notSignedIn
    /// The session is missing, expired or revoked: sign in again.
    case sessionExpired(String)
    /// The server and this app do not speak a common protocol version, or the server's database changed.
    case incompatibleServer(String)
    /// The server refused the request.
    case server(code: ErrorCode, message: String)
    /// The server answered with an error code this app does not know (a newer server).
    case unknownServerError(status: Int, message: String)
    /// The server could not be reached.
    case unreachable(String)
    /// The server answered something this app cannot read.
    case invalidResponse(String)
    /// The replica file could not be read or written.
    case replica(ReplicaError)
    /// An operator retired or revoked this device: its replica was erased.
    case deviceErased(String)

    public var description: String {
        switch self {
        case .notSignedIn: ReplicaError.notSignedIn.description
        case .sessionExpired(let message): message
        case .incompatibleServer(let message): message
        case .server(_, let message): message
        case .unknownServerError(let status, let message): "\(message) (HTTP \(status))"
        case .unreachable(let message): "No connection to the server (\(message)). Your work is kept and will be sent later."
        case .invalidResponse(let message): "The server's answer could not be read (\(message))."
        case .replica(let error): error.description
        case .deviceErased(let message): message
        }
    }

    /// Whether trying again later, unchanged, can succeed.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .invalidResponse: true
        case .server(let code, _): code.isRetryable
        case .unknownServerError(let status, _): status >= 500 || status == 429
        case .replica(.diskFull): true
        default: false
        }
    }
}

/// Progress of one sync, for a progress bar.
public enum SyncProgress: Sendable, Equatable {
    /// Sending `count` mutations.
    case pushing(count: Int)
    /// The server processed a push.
    case pushed(applied: Int, rejected: Int)
    /// One page of changes applied; `more` when others follow.
    case pulled(changeSets: Int, changes: Int, more: Bool)
}

/// What one sync did.
public struct SyncSummary: Sendable, Equatable {
    public var pushed = 0
    public var rejected = 0
    public var changeSetsReceived = 0
    public var pages = 0
}

/// How long to wait between failed attempts: exponential backoff with full jitter.
public struct RetryPolicy: Sendable, Equatable {
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var maxAttempts: Int

    public init(baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(300), maxAttempts: Int = .max) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 0): uniformly random between
    /// zero and `min(maxDelay, baseDelay * 2^attempt)`.
    public func delay<G: RandomNumberGenerator>(afterAttempt attempt: Int, using generator: inout G) -> Duration {
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        let ceiling = min(cap, base * pow(2, Double(min(attempt, 40))))
        return .milliseconds(Int64(Double.random(in: 0...ceiling, using: &generator) * 1000))
    }
}

/// Signs in and syncs one replica with its server: push the outbox, then pull pages until the
/// replica is current. Safe to call again after any failure: nothing is applied twice.
public actor SyncClient {
    public let replica: LocalReplica
    private let appVersion: String
    private let makeTransport: @Sendable (URL) -> any SyncTransport
    private var transports: [URL: any SyncTransport] = [:]

    /// Whether a pull requests the next page while it applies the current one. A deterministic
    /// harness (the simulation) turns it off: two requests in flight would let the scheduler
    /// decide the order the network sees them in.
    public let pipelinesPulls: Bool

    public init(
        replica: LocalReplica, appVersion: String = "gestionsync/1", pipelinesPulls: Bool = true,
        transport: @escaping @Sendable (URL) -> any SyncTransport = { URLSessionTransport(baseURL: $0) }
    ) {
        self.replica = replica
        self.appVersion = appVersion
        self.pipelinesPulls = pipelinesPulls
        self.makeTransport = transport
    }

    private func transport(for url: URL) -> any SyncTransport {
        if let existing = transports[url] { return existing }
        let created = makeTransport(url)
        transports[url] = created
        return created
    }

    // MARK: Login

    /// Signs `user` in on this replica. Needs a connection; afterwards the device works offline.
    @discardableResult
    public func login(server: URL, user: String, password: String, deviceName: String) async throws(SyncError) -> ReplicaSession {
        let request = LoginRequest(
            user: user, password: password, clientId: replica.clientID, deviceName: deviceName, appVersion: appVersion
        )
        let response: LoginResponse = try await call(.login, request, token: nil, server: server)
        let session = ReplicaSession(
            serverURL: server.absoluteString, userID: response.userId, role: response.role, token: response.token,
            tokenExpiresAt: response.expiresAt, serverID: response.serverId, maxOfflineDays: response.maxOfflineDays
        )
        do {
            try replica.saveSession(session)
        } catch {
            throw .replica(error)
        }
        return session
    }

    // MARK: Sync

    /// Pushes every unsent mutation, then pulls until current. Records the outcome in the
    /// replica's status.
    @discardableResult
    public func sync(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws(SyncError) -> SyncSummary {
        do {
            let summary = try await syncOnce(progress: progress)
            try? replica.recordSyncSuccess()
            return summary
        } catch {
            try? replica.recordSyncFailure(error.description)
            throw error
        }
    }

    /// `sync()`, retried on failures that can pass (no connection, server busy) with exponential
    /// backoff and jitter. Stops at once on failures that need a person (expired session).
    @discardableResult
    public func sync(
        retrying policy: RetryPolicy, progress: @Sendable (SyncProgress) -> Void = { _ in }
    ) async throws(SyncError) -> SyncSummary {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            do {
                return try await sync(progress: progress)
            } catch {
                attempt += 1
                guard error.isRetryable, attempt < policy.maxAttempts, !Task.isCancelled else { throw error }
                // The server may say how long to wait (Retry-After in its error details).
                let asked = lastRetryAfter.map { Duration.seconds($0) } ?? .zero
                lastRetryAfter = nil
                try? await Task.sleep(for: max(asked, policy.delay(afterAttempt: attempt - 1, using: &generator)))
            }
        }
    }

    /// Syncs now, then follows the server until the task is cancelled: between rounds it keeps
    /// a long-poll pull open (`pullWait`), which the server answers as soon as something for this
    /// device commits, and it syncs at once after each local change (which cancels the pull).
    /// Against a server that answers pulls at once, it pulls every `interval`. Failures are
    /// retried with backoff; a failure that needs a person ends the loop and is returned.
    ///
    /// `pullWait` must stay below the transport's request timeout (30 s for `URLSessionTransport`).
    public func syncContinuously(
        every interval: Duration, policy: RetryPolicy = .init(), pullWait: Duration = .seconds(20)
    ) async -> SyncError? {
        let localChanges = LocalChangeSignal()
        return await withTaskGroup(of: Void.self) { group in
            // One consumer for the whole loop: cancelling a consumer ends an AsyncStream for good.
            let changes = replica.changes()
            group.addTask {
                for await change in changes where change.cause == .localMutation { localChanges.fire() }
            }
            defer { group.cancelAll() }
            while !Task.isCancelled {
                do throws(SyncError) {
                    try await sync(retrying: policy)
                } catch {
                    if !error.isRetryable { return error }
                }
                // Follow the server until a local mutation (which cancels the wait) or a failure.
                // Child tasks, not unstructured ones: they keep the caller's executor preference.
                await withTaskGroup(of: Void.self) { waiting in
                    waiting.addTask { await self.followServer(every: interval, pullWait: pullWait) }
                    waiting.addTask { await localChanges.next() }
                    await waiting.next()
                    waiting.cancelAll()
                }
            }
            return nil
        }
    }

    /// Long-poll rounds (push what is unsent, then a pull that may wait `pullWait`) one after the
    /// other, until one fails or the task is cancelled. A round that ends early with nothing (a
    /// server that does not hold pulls, or one shutting down) or with a failure takes at least
    /// `interval`, so that such a server is polled, not hammered.
    private func followServer(every interval: Duration, pullWait: Duration) async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let started = clock.now
            var received = 0
            var failed = false
            do {
                received = try await syncOnce(progress: { _ in }, pullWait: pullWait).changeSetsReceived
                try? replica.recordSyncSuccess()
            } catch {
                failed = true
            }
            // A cancelled wait (a local mutation) is no failure: the caller syncs at once.
            if Task.isCancelled { return }
            if failed || received == 0, clock.now - started < pullWait / 2 {
                try? await Task.sleep(until: started + interval, clock: clock)
            }
            // The caller syncs again with its retry policy.
            if failed { return }
        }
    }

    /// One round: push, then pull. With `pullWait`, the first pull request may be held by the
    /// server that long when there is nothing new (a long poll).
    private func syncOnce(
        progress: (SyncProgress) -> Void, pullWait: Duration? = nil
    ) async throws(SyncError) -> SyncSummary {
        guard let stored = try replicaCall({ () throws(ReplicaError) in try replica.session() }) else {
            throw .notSignedIn
        }
        guard let server = URL(string: stored.serverURL) else { throw .notSignedIn }
        try replicaCall { () throws(ReplicaError) in try replica.checkNotLocked() }
        let session = try await renewIfDue(stored, server: server)
        var summary = SyncSummary()
        var gap = false
        do {
            try await push(session: session, server: server, summary: &summary, progress: progress)
        } catch .server(.mutationGap, _) {
            // The server knows fewer of our mutations than we can resend: its history may have
            // been replaced. The pull finds out and renumbers the outbox; then push again.
            gap = true
        }
        let acknowledged = try replicaCall { () throws(ReplicaError) in try replica.syncPosition() }.serverLastMutationID
        try await pull(session: session, server: server, summary: &summary, progress: progress, wait: pullWait)
        // A pull with a lower number than the server acknowledged: it forgot those mutations and
        // the device sends them again now.
        let forgotten = try replicaCall { () throws(ReplicaError) in try replica.syncPosition() }.serverLastMutationID < acknowledged
        if gap || forgotten {
            let current = try replicaCall { () throws(ReplicaError) in try replica.session() } ?? session
            try await push(session: current, server: server, summary: &summary, progress: progress)
            try await pull(session: current, server: server, summary: &summary, progress: progress)
        }
        return summary
    }

    private func push(
        session: ReplicaSession, server: URL, summary: inout SyncSummary, progress: (SyncProgress) -> Void
    ) async throws(SyncError) {
        var rewinds = 0
        while true {
            let batch = try replicaCall { () throws(ReplicaError) in
                try replica.unsentMutations(limit: ProtocolLimits.maxMutationsPerPush)
            }
            guard let last = batch.last else { return }
            progress(.pushing(count: batch.count))
            let response: PushResponse
            do {
                response = try await call(
                    .push, PushRequest(clientId: replica.clientID, mutations: batch), token: session.token, server: server
                )
            } catch .server(.mutationGap, let message) {
                // The server has fewer of our mutations than we thought: resend from where it is.
                rewinds += 1
                guard rewinds <= 3, let lastProcessed = lastGapDetail,
                    try replicaCall({ () throws(ReplicaError) in try replica.rewindToServer(lastMutationID: lastProcessed) })
                else { throw .server(code: .mutationGap, message: message) }
                continue
            }
            try replicaCall { () throws(ReplicaError) in try replica.recordPushResponse(response) }
            let rejected = response.results.count { $0.status == .rejected }
            summary.pushed += response.results.count - rejected
            summary.rejected += rejected
            progress(.pushed(applied: response.results.count - rejected, rejected: rejected))
            guard response.lastMutationId >= last.id else {
                throw .invalidResponse("the server did not process the whole push")
            }
        }
    }

    /// Pulls pages until current. With `wait`, the first request asks the server to hold it that
    /// long when it has nothing new (`waitMs`); the following pages never wait.
    private func pull(
        session: ReplicaSession, server: URL, summary: inout SyncSummary, progress: (SyncProgress) -> Void,
        wait: Duration? = nil
    ) async throws(SyncError) {
        var waitMs = wait.map { $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000 }
        var session = session
        var resynced = false
        var newHistory = false
        // The next page, requested while the current one is applied (pipelining: the server
        // encodes and the network carries page n + 1 while the replica writes page n).
        var prefetched: (cursor: Int64, task: Task<Fetched<PullResponse>, Never>)?
        defer { prefetched?.task.cancel() }
        while true {
            let position = try replicaCall { () throws(ReplicaError) in try replica.syncPosition() }
            let report = try replicaCall { () throws(ReplicaError) in try replica.deviceReport(appVersion: appVersion) }
            let request = PullRequest(
                clientId: replica.clientID, cursor: position.cursor, resultsAfter: position.resultsThrough, device: report,
                waitMs: waitMs
            )
            waitMs = nil
            let page: PullResponse
            do {
                if let next = prefetched, next.cursor == position.cursor {
                    prefetched = nil
                    page = try interpret(await next.task.value)
                } else {
                    prefetched?.task.cancel()
                    prefetched = nil
                    page = try await call(.pull, request, token: session.token, server: server)
                }
            } catch .server(.invalidCursor, let message) {
                guard !resynced else { throw .server(code: .invalidCursor, message: message) }
                resynced = true
                try replicaCall { () throws(ReplicaError) in try replica.resetForFullResync() }
                continue
            }
            guard page.serverId == session.serverID else {
                // The server's history was replaced (a restore): download everything again and
                // keep the outbox, which the next push sends from its first mutation.
                guard !newHistory else { throw .incompatibleServer("The server's history keeps changing; try again later.") }
                newHistory = true
                try replicaCall { () throws(ReplicaError) in try replica.startNewHistory(serverID: page.serverId) }
                session.serverID = page.serverId
                continue
            }
            if pipelinesPulls, page.hasMore, page.device != .retire {
                // Applying a page that is not the last changes neither the device report nor
                // `resultsAfter`: the next request is known now.
                let next = PullRequest(
                    clientId: replica.clientID, cursor: page.cursor, resultsAfter: position.resultsThrough, device: report
                )
                let transport = transport(for: server)
                let body = WireCoding.encode(next)
                let token = session.token
                prefetched = (
                    page.cursor,
                    Task.detached { await Self.fetch(transport, .pull, body: body, token: token, as: PullResponse.self) }
                )
            }
            try replicaCall { () throws(ReplicaError) in _ = try replica.applyPullPage(page) }
            summary.pages += 1
            summary.changeSetsReceived += page.changeSets.count
            progress(
                .pulled(
                    changeSets: page.changeSets.count, changes: page.changeSets.reduce(0) { $0 + $1.changes.count },
                    more: page.hasMore
                )
            )
            if page.device == .retire {
                throw .deviceErased(Self.retired(keeping: try erase(keepingUnsent: true)))
            }
            if !page.hasMore { return }
        }
    }

    /// Renews the token when less than a third of a 14-day session is left (about 5 days), so a
    /// device that syncs now and then never has to ask its user for the password.
    private func renewIfDue(_ session: ReplicaSession, server: URL) async throws(SyncError) -> ReplicaSession {
        guard session.tokenExpiresAt.timeIntervalSince(replica.now) < 5 * 86_400 else { return session }
        let response: LoginResponse = try await call(
            .renew, RenewRequest(clientId: replica.clientID), token: session.token, server: server
        )
        var renewed = session
        renewed.token = response.token
        renewed.tokenExpiresAt = response.expiresAt
        renewed.maxOfflineDays = response.maxOfflineDays
        try replicaCall { () throws(ReplicaError) in try replica.saveSession(renewed) }
        return renewed
    }

    /// Erases the replica; a retired one keeps what it has not uploaded (see `LocalReplica.erase`).
    /// Returns how many actions it kept.
    private func erase(keepingUnsent: Bool) throws(SyncError) -> Int {
        try replicaCall { () throws(ReplicaError) in try replica.erase(keepingUnsent: keepingUnsent).kept }
    }

    static func retired(keeping kept: Int) -> String {
        kept == 0
            ? "An operator retired this device; everything it had was uploaded, and its replica was erased."
            : "An operator retired this device and its replica was erased, except \(kept) action(s) done while the "
                + "retirement was on its way: sign in again to send them."
    }

    // MARK: Calls

    /// `details.lastMutationId` of the last `mutation_gap` error.
    private var lastGapDetail: Int64?
    /// `details.retryAfterSeconds` of the last error that carried it.
    private var lastRetryAfter: Int64?

    private func call<Request: Encodable, Response: Decodable & Sendable>(
        _ endpoint: Endpoint, _ request: Request, token: String?, server: URL
    ) async throws(SyncError) -> Response {
        let fetched = await Self.fetch(
            transport(for: server), endpoint, body: WireCoding.encode(request), token: token, as: Response.self
        )
        return try interpret(fetched)
    }

    /// One request's answer, decoded off the actor (so that a page can be fetched and decoded
    /// while the previous one is applied).
    private struct Fetched<Response: Sendable>: Sendable {
        var reply: TransportReply?
        var unreachable: String?
        var decoded: Response?
        var decodingError: String?
    }

    private static func fetch<Response: Decodable & Sendable>(
        _ transport: any SyncTransport, _ endpoint: Endpoint, body: [UInt8], token: String?, as type: Response.Type
    ) async -> Fetched<Response> {
        let reply: TransportReply
        do {
            reply = try await transport.send(endpoint, body: body, token: token)
        } catch {
            return Fetched(unreachable: error.message)
        }
        guard reply.status == 200 else { return Fetched(reply: reply) }
        do {
            return Fetched(reply: reply, decoded: try JSONValueDecoder().decode(Response.self, from: reply.body))
        } catch {
            return Fetched(reply: reply, decodingError: error.description)
        }
    }

    private func interpret<Response>(_ fetched: Fetched<Response>) throws(SyncError) -> Response {
        if let message = fetched.unreachable { throw .unreachable(message) }
        guard let reply = fetched.reply else { throw .invalidResponse("no answer") }
        guard reply.status == 200 else {
            guard let error = try? JSONValueDecoder().decode(ErrorResponse.self, from: reply.body) else {
                throw .invalidResponse("HTTP \(reply.status)")
            }
            if error.code == .mutationGap { lastGapDetail = error.error.details?["lastMutationId"]?.int64Value }
            lastRetryAfter = error.error.details?["retryAfterSeconds"]?.int64Value
            switch error.code {
            case .invalidToken, .tokenExpired, .unauthorized:
                try? replica.clearToken()
                throw .sessionExpired(error.message)
            case .unsupportedProtocolVersion:
                throw .incompatibleServer(error.message)
            case .deviceRevoked:
                _ = try erase(keepingUnsent: false)
                throw .deviceErased(error.message)
            case .deviceRetired:
                let kept = try erase(keepingUnsent: true)
                throw .deviceErased(kept == 0 ? error.message : Self.retired(keeping: kept))
            case .unknown:
                throw .unknownServerError(status: reply.status, message: error.message)
            default:
                throw .server(code: error.code, message: error.message)
            }
        }
        guard let decoded = fetched.decoded else { throw .invalidResponse(fetched.decodingError ?? "HTTP 200 without a message") }
        return decoded
    }

    private func replicaCall<T>(_ body: () throws(ReplicaError) -> T) throws(SyncError) -> T {
        do {
            return try body()
        } catch {
            throw .replica(error)
        }
    }
}

/// Local mutations seen while following the server, for one waiter at a time: `next()` returns at
/// the next `fire()`, at once if one came while nobody waited (a mutation made during a sync
/// round), or when its task is cancelled. Unlike an AsyncStream, a cancelled wait leaves it usable.
private final class LocalChangeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex<State>(State())

    func fire() {
        state.withLock { (state: inout State) -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }?.resume()
    }

    func next() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { (state: inout State) -> Bool in
                    // A cancellation sets the flag before its handler takes the lock.
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { (state: inout State) -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }
}
