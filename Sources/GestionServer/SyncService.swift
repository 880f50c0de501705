import Foundation
import GestionHTTP
import GestionLogging
import GestionProtocol
import SyncCore

/// Points in request handling where tests can inject a fault.
public enum FaultPoint: String, Sendable, CaseIterable {
    /// A push is durable in the store and its response not yet written.
    case pushCommitted = "push-committed"
}

/// The sync API as a function from request to response: routing, authentication, decoding,
/// and the one place where errors become HTTP statuses. No sockets: tests call it directly.
public final class SyncService: Sendable {
    public let store: any SyncStore
    public let registry: MutationRegistry
    public let authenticator: Authenticator
    private let configuration: ServerConfiguration
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let faults: @Sendable (FaultPoint) -> Void

    /// - Parameter faults: called at named points of request handling; tests use it to crash
    ///   or stall the server at exactly that point. Production passes nothing.
    public init(
        store: any SyncStore, registry: MutationRegistry, configuration: ServerConfiguration, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }, faults: @escaping @Sendable (FaultPoint) -> Void = { _ in }
    ) {
        self.faults = faults
        self.store = store
        self.registry = registry
        self.configuration = configuration
        self.authenticator = Authenticator(store: store, configuration: configuration)
        self.clock = clock
        self.logger = logger
    }

    /// The largest body accepted for `method` and `path`; larger requests get `payload_too_large`.
    /// Requests the router will refuse anyway (unknown path, wrong method) may carry a small body,
    /// so that they get their 404 or 405 rather than 413.
    public static func maxBodySize(method: String, path: String) -> Int {
        guard let endpoint = Endpoint(rawValue: path), endpoint.method == method, endpoint.maxBodyBytes > 0 else {
            return 64 * 1024
        }
        return endpoint.maxBodyBytes
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        do throws(ErrorResponse) {
            guard let endpoint = Endpoint(rawValue: request.path) else {
                throw ErrorResponse(code: .notFound, message: "There is no \(Self.printable(request.path)) here.")
            }
            guard request.method == endpoint.method || (request.method == "HEAD" && endpoint.method == "GET") else {
                var response = Self.response(
                    for: ErrorResponse(code: .methodNotAllowed, message: "Use \(endpoint.method) for \(endpoint.path).")
                )
                response.headers.add(name: "Allow", value: endpoint.method)
                return response
            }
            switch endpoint {
            case .health:
                return Self.json(200, ["status": "ok"] as JSONValue)
            case .info:
                return Self.json(
                    200,
                    InfoResponse(server: "gestion-server", protocolVersions: Array(ProtocolVersion.supported), serverTime: clock())
                )
            case .login:
                let login = try decode(LoginRequest.self, request)
                return Self.json(200, try authenticator.login(login, address: request.remoteAddress, now: clock()))
            case .push:
                let caller = try authenticator.authenticate(
                    authorization: request.headers["Authorization"], address: request.remoteAddress, now: clock()
                )
                let response = try push(
                    try decode(PushRequest.self, request, wellFormed: PushRequest.init(wellFormed:)), caller: caller,
                    address: request.remoteAddress
                )
                return HTTPResponse(status: 200, json: JSONSerializer.bytes(response.wireValue))
            case .pull:
                let caller = try authenticator.authenticate(
                    authorization: request.headers["Authorization"], address: request.remoteAddress, now: clock()
                )
                let response = try pull(
                    try decode(PullRequest.self, request, wellFormed: PullRequest.init(wellFormed:)), caller: caller,
                    address: request.remoteAddress, peer: request.peer
                )
                return HTTPResponse(status: 200, json: JSONSerializer.bytes(response.wireValue))
            case .renew:
                let renew = try decode(RenewRequest.self, request)
                return Self.json(
                    200, try authenticator.renew(
                        authorization: request.headers["Authorization"], clientID: renew.clientId, address: request.remoteAddress,
                        now: clock()
                    )
                )
            }
        } catch {
            if error.code == .internalError || error.code == .unknown {
                logger.error("request_failed", ["path": Self.printable(request.path), "code": error.code.rawValue])
            }
            return Self.response(for: error)
        }
    }

    // MARK: Endpoints

    func push(_ request: PushRequest, caller: AuthenticatedClient, address: String = "") throws(ErrorResponse) -> PushResponse {
        try checkClient(request.clientId, caller: caller, address: address)
        guard request.mutations.count <= ProtocolLimits.maxMutationsPerPush else {
            throw ErrorResponse(
                code: .invalidMessage,
                message: "A push carries at most \(ProtocolLimits.maxMutationsPerPush) mutations; send the rest in another push."
            )
        }
        for (index, mutation) in request.mutations.enumerated() {
            // Written without `+ 1` so that hostile ids near Int64.max cannot overflow.
            guard mutation.id >= 1, index == 0 || mutation.id - 1 == request.mutations[index - 1].id else {
                throw ErrorResponse(
                    code: .invalidMessage,
                    message: "mutations[\(index)].id: mutation ids must be consecutive and start at 1 or more."
                )
            }
        }
        let started = DispatchTime.now()
        let author = MutationAuthor(userID: caller.userID, role: caller.role, clientID: caller.clientID)
        let response: PushResponse
        do {
            response = try store.push(
                request.mutations, author: author, authorTags: registry.replication.userTags(caller.profile), registry: registry,
                receivedAt: clock(), policy: configuration.pushPolicy
            )
        } catch {
            throw storeFailure(error)
        }
        faults(.pushCommitted)
        logger.info(
            "push",
            [
                "client": caller.clientID, "user": caller.userID, "mutations": String(request.mutations.count),
                "rejected": String(response.results.count { $0.status == .rejected && $0.duplicate != true }),
                "duplicates": String(response.results.count { $0.duplicate == true }),
                "duration_ms": Self.milliseconds(since: started),
            ]
        )
        return response
    }

    /// - Parameter peer: the client's connection; a long poll ends early when the client hangs up.
    func pull(
        _ request: PullRequest, caller: AuthenticatedClient, address: String = "", peer: HTTPPeer = .detached
    ) throws(ErrorResponse) -> PullResponse {
        try checkClient(request.clientId, caller: caller, address: address)
        guard request.cursor >= 0, request.resultsAfter >= 0 else {
            throw ErrorResponse(code: .invalidMessage, message: "cursor and resultsAfter must not be negative.")
        }
        if let limit = request.limit, limit < 1 {
            throw ErrorResponse(code: .invalidMessage, message: "limit must be at least 1.")
        }
        if let waitMs = request.waitMs, waitMs < 0 {
            throw ErrorResponse(code: .invalidMessage, message: "waitMs must be 0 or more milliseconds (0 answers at once).")
        }
        let limit = min(request.limit ?? configuration.pullPageSize, ProtocolLimits.maxPullPageSize)
        // A long poll holds only a device that is not being retired (its answer may carry the
        // instruction), for at most the server's maximum.
        let wait = caller.device?.status == .retiring
            ? 0 : min(Double(request.waitMs ?? 0) / 1000, configuration.maxPullWait)
        let started = ContinuousClock.now
        let now = clock()
        do {
            let generation = store.commits.generation
            let read = { () throws(SyncStoreError) -> PullResponse in
                // Built here, not before: a pull with nothing new answered from the snapshot needs none.
                try self.store.pull(
                    clientID: caller.clientID, cursor: request.cursor, resultsAfter: request.resultsAfter, limit: limit,
                    serverTime: self.clock(), audience: PullAudience(user: caller.profile, policy: self.registry.replication)
                )
            }
            var response: PullResponse
            if wait == 0, let answer = Self.nothingNew(request, caller: caller, serverID: store.serverID, now: now) {
                response = answer
            } else {
                response = try read()
            }
            if wait > 0 {
                let hold = PullHold(
                    commits: store.commits, recheckInterval: configuration.pullRecheckInterval, clientHasLeft: { peer.hasClosed() }
                )
                response = try hold.wait(
                    for: wait, since: started, generation: generation, first: response, request: request, read: read
                )
            }
            if let report = request.device {
                if Self.isNews(report, from: caller.device, at: now) {
                    try store.recordDeviceReport(clientID: caller.clientID, report: report, at: now)
                }
                // A retiring device that has uploaded everything is told to erase its replica.
                if caller.device?.status == .retiring, report.waiting == 0, !response.hasMore {
                    try store.setDeviceStatus(clientID: caller.clientID, to: .retired, actor: caller.userID, at: now)
                    response.device = .retire
                }
            }
            return response
        } catch {
            throw storeFailure(error)
        }
    }

    /// The answer to a pull with nothing new, known from what authentication read in one snapshot:
    /// the device holds the latest version and has heard of all its processed mutations. The same
    /// page the store would build (no change-sets, no results), without a second transaction.
    /// `nil` when that snapshot cannot tell.
    static func nothingNew(_ request: PullRequest, caller: AuthenticatedClient, serverID: String, now: Date) -> PullResponse? {
        guard let latest = caller.latestVersion, let device = caller.device, request.cursor == latest,
            device.lastMutationId == request.resultsAfter
        else { return nil }
        return PullResponse(
            changeSets: [], cursor: latest, hasMore: false, lastMutationId: device.lastMutationId, results: [], serverId: serverID,
            serverTime: now
        )
    }

    /// Whether a device report is worth a write: something changed, or the last sync on record
    /// is more than a minute old. Keeps pulls with nothing new read-only.
    static func isNews(_ report: DeviceReport, from device: DeviceRecord?, at now: Date) -> Bool {
        guard let device else { return false }
        return device.pendingCount != report.waiting || device.oldestPendingAt != report.waitingSince
            || (report.appVersion != nil && report.appVersion != device.appVersion)
            || now.timeIntervalSince(device.lastSyncAt ?? .distantPast) > 60
    }

    /// The protocol error for a store failure; the technical detail (SQL text and SQLite's
    /// message, never bound values) goes to the log.
    private func storeFailure(_ error: SyncStoreError) -> ErrorResponse {
        switch error {
        case .failed(let detail), .unusable(let detail): logger.error("store_failed", ["detail": detail])
        default: break
        }
        return Authenticator.storeFailure(error)
    }

    /// Refuses, and audits, a message naming a device other than its token's.
    private func checkClient(_ clientID: String, caller: AuthenticatedClient, address: String) throws(ErrorResponse) {
        guard clientID == caller.clientID else {
            authenticator.auditRefusedSession(
                actor: caller.userID, role: caller.role, device: clientID, outcome: ErrorCode.clientMismatch.rawValue,
                address: address, now: clock()
            )
            throw ErrorResponse(
                code: .clientMismatch, message: "This session belongs to another device. Sign in on this device."
            )
        }
    }

    // MARK: Decoding and encoding

    /// Checks the media type and the protocol version, then decodes the whole message: through
    /// `wellFormed` when it accepts the message, else through `Codable`, which explains errors.
    private func decode<T: Decodable>(
        _ type: T.Type, _ request: HTTPRequest, wellFormed: (JSONValue) -> T? = { _ in nil }
    ) throws(ErrorResponse) -> T {
        guard Self.isJSON(contentType: request.headers["Content-Type"]) else {
            throw ErrorResponse(code: .unsupportedMediaType, message: "Send the request body as application/json.")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw ErrorResponse(code: .malformedJSON, message: "The request body is not valid JSON (\(error.description)).")
        }
        guard let member = value["protocolVersion"] else {
            throw ErrorResponse(code: .invalidMessage, message: "protocolVersion is required (this server speaks version \(ProtocolVersion.current)).")
        }
        guard let version = member.int64Value else {
            throw ErrorResponse(code: .invalidMessage, message: "protocolVersion must be an integer, e.g. \(ProtocolVersion.current).")
        }
        guard ProtocolVersion.supported.contains(Int(clamping: version)) else {
            let supported = ProtocolVersion.supported
            let advice = version < supported.lowerBound
                ? "This app is too old for the server: update the app." : "This app is newer than the server: ask the agency to update the server."
            throw ErrorResponse(
                code: .unsupportedProtocolVersion,
                message: "\(advice) (app protocol \(version), server protocols \(supported.lowerBound)–\(supported.upperBound))",
                details: ["minimum": .int(Int64(supported.lowerBound)), "maximum": .int(Int64(supported.upperBound))]
            )
        }
        if let message = wellFormed(value) { return message }
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch {
            throw ErrorResponse(code: .invalidMessage, message: "The request is not valid: \(error.description).")
        }
    }

    /// Whether a `Content-Type` value names JSON (`application/json`, in any case, with or
    /// without parameters). The exact common spelling is recognised on its bytes: trimming
    /// through Foundation was 6% of the server's CPU in a pull with nothing new.
    static func isJSON(contentType: String?) -> Bool {
        guard let contentType else { return false }
        if contentType.utf8.elementsEqual("application/json".utf8) { return true }
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return mediaType == "application/json"
    }

    static func json(_ status: Int, _ message: some Encodable) -> HTTPResponse {
        HTTPResponse(status: status, json: WireCoding.encode(message))
    }

    static func response(for error: ErrorResponse) -> HTTPResponse {
        var response = json(error.code.httpStatus, error)
        if error.code.httpStatus == 401 { response.headers.add(name: "WWW-Authenticate", value: "Bearer") }
        if let retry = error.error.details?["retryAfterSeconds"]?.int64Value {
            response.headers.add(name: "Retry-After", value: String(retry))
        }
        return response
    }

    /// Milliseconds since `start` with two decimals, e.g. `2.04` (written by hand: `String(format:)`
    /// cost more than the rest of the push's logging).
    static func milliseconds(since start: DispatchTime) -> String {
        let hundredths = (DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds + 5_000) / 10_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// A path safe to echo: printable ASCII, at most 100 characters.
    static func printable(_ path: String) -> String {
        String(path.unicodeScalars.prefix(100).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}
