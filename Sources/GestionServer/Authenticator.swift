import Foundation
import GestionCrypto
import GestionProtocol
import Synchronization
import SyncCore

/// Who is calling: the user and device a valid token belongs to.
public struct AuthenticatedClient: Sendable, Equatable {
    public var userID: String
    public var role: String
    public var clientID: String
    /// The device as the registry has it.
    public var device: DeviceRecord?
    /// The user's organisation unit, for what it may see.
    public var unit: String?
    /// The latest change-set version, read in the same snapshot as `device`: with the device's
    /// last processed mutation it tells a pull with nothing new without reading again.
    public var latestVersion: Int64? = nil

    public var profile: UserProfile { UserProfile(id: userID, role: role, unit: unit) }
}

/// Passwords, tokens and login throttling.
public final class Authenticator: Sendable {
    private let store: any SyncStore
    private let configuration: ServerConfiguration
    private let throttle: LoginThrottle
    private let passwordSlots: DispatchSemaphore
    /// Verified against when the user does not exist, so both cases take the same time.
    private let decoyHash: PasswordHash
    /// When each address last had a refused session written to the audit trail: one entry per
    /// address and minute, so a flood of forged tokens cannot flood the trail.
    private let lastRefusalAudited = Mutex<[String: Date]>([:])

    public init(store: any SyncStore, configuration: ServerConfiguration) {
        self.store = store
        self.configuration = configuration
        self.throttle = LoginThrottle(policy: configuration.loginThrottle)
        self.passwordSlots = DispatchSemaphore(value: max(1, configuration.maxConcurrentPasswordChecks))
        self.decoyHash = PasswordHash.make(password: SecureRandom.token(), iterations: configuration.passwordIterations)
    }

    /// Hashes a new password with the configured iterations.
    public static func hashPassword(_ password: String, iterations: Int) -> String {
        PasswordHash.make(password: password, iterations: iterations).encoded
    }

    /// Signs `request.user` in on `request.clientId` from `address`, returning a fresh token.
    public func login(_ request: LoginRequest, address: String, now: Date) throws(ErrorResponse) -> LoginResponse {
        let userID = request.user.trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = throttle.waitTime(user: userID, address: address, now: now) {
            let seconds = Int(wait.rounded(.up))
            audit("login_blocked", user: userID, role: "", device: request.clientId, outcome: "blocked:\(seconds)s", now: now)
            throw ErrorResponse(
                code: .tooManyAttempts,
                message: "Too many failed sign-ins. Wait \(seconds) seconds before trying again.",
                details: ["retryAfterSeconds": .int(Int64(seconds))]
            )
        }
        guard Self.isValidClientID(request.clientId) else {
            throw ErrorResponse(
                code: .invalidMessage, message: "clientId must be 1 to 64 letters, digits, '.', '_' or '-' (a UUID is best)."
            )
        }
        let stored = try mapStore { () throws(SyncStoreError) in try store.user(id: userID) }
        let verified = try checkPassword(request.password, against: stored.flatMap { PasswordHash(encoded: $0.passwordHash) })
        guard let user = stored, verified, !user.disabled else {
            throttle.recordFailure(user: userID, address: address, now: now)
            audit("login_failed", user: userID, role: stored?.role ?? "", device: request.clientId, outcome: "wrong_credentials", now: now)
            throw ErrorResponse(code: .wrongCredentials, message: "Wrong user name or password.")
        }
        throttle.recordSuccess(user: userID)
        try Self.checkDeviceStatus(
            try mapStore { () throws(SyncStoreError) in try store.device(clientID: request.clientId) }?.status
        )
        do {
            try store.registerClient(
                ClientRegistration(
                    clientID: request.clientId, userID: user.id, deviceName: request.deviceName,
                    appVersion: request.appVersion, now: now
                )
            )
        } catch .clientOfAnotherUser {
            throw ErrorResponse(
                code: .deviceOfAnotherUser,
                message: "This device is registered to another user. Use your own device or ask an operator to retire it."
            )
        } catch {
            throw Self.storeFailure(error)
        }
        let token = SecureRandom.token()
        let expiresAt = now.addingTimeInterval(configuration.tokenLifetime)
        try mapStore { () throws(SyncStoreError) in
            try store.saveToken(
                StoredToken(hash: Self.tokenHash(token), userID: user.id, clientID: request.clientId, issuedAt: now, expiresAt: expiresAt)
            )
        }
        // A successful login is only granted once it is in the audit trail.
        try mapStore { () throws(SyncStoreError) in
            try store.appendAudit(
                AuditEntry(kind: "login", action: "login", actor: user.id, role: user.role, device: request.clientId, outcome: "ok"),
                at: now
            )
        }
        return LoginResponse(
            userId: user.id, role: user.role, token: token, expiresAt: expiresAt, serverId: store.serverID, serverTime: now,
            maxOfflineDays: configuration.maxOfflineDays
        )
    }

    /// Records a refused login in the audit trail. The refusal stands even if the trail cannot be
    /// written (a full disk); nothing is granted without an entry.
    private func audit(_ kind: String, user: String, role: String, device: String, outcome: String, now: Date) {
        try? store.appendAudit(
            AuditEntry(kind: kind, action: "login", actor: user, role: role, device: device, outcome: outcome), at: now
        )
    }

    /// The caller of a request carrying `authorization` (the `Authorization` header value) from
    /// `address`. Forged tokens, tokens of disabled users and of revoked or retired devices are
    /// refused and written to the audit trail; the message says nothing about which it was.
    public func authenticate(authorization: String?, address: String = "", now: Date) throws(ErrorResponse) -> AuthenticatedClient {
        guard let authorization, let token = Self.bearerToken(authorization) else {
            throw ErrorResponse(code: .unauthorized, message: "Sign in first: this request needs a session token.")
        }
        let session = try mapStore { () throws(SyncStoreError) in try store.session(tokenHash: Self.tokenHash(token)) }
        guard let session, let user = session.user, !user.disabled else {
            auditRefusedSession(
                actor: session?.token.userID ?? "", device: session?.token.clientID ?? "", outcome: "invalid_token",
                address: address, now: now
            )
            throw ErrorResponse(code: .invalidToken, message: "Your session is not valid. Sign in again.")
        }
        let stored = session.token
        let device = session.device
        do {
            try Self.checkDeviceStatus(device?.status)
        } catch {
            auditRefusedSession(
                actor: user.id, role: user.role, device: stored.clientID, outcome: error.code.rawValue, address: address, now: now
            )
            throw error
        }
        guard stored.expiresAt > now else {
            throw ErrorResponse(
                code: .tokenExpired,
                message: "Your session expired. Sign in again; the changes waiting on your device are kept."
            )
        }
        if stored.replaces != nil {
            // The renewal's answer reached the device: the token it replaced stops working.
            try mapStore { () throws(SyncStoreError) in try store.confirmToken(hash: stored.hash) }
        }
        return AuthenticatedClient(
            userID: user.id, role: user.role, clientID: stored.clientID, device: device, unit: user.unit,
            latestVersion: session.latestVersion
        )
    }

    /// Records in the audit trail a request whose session was refused, or whose device id was
    /// not its token's; at most one entry per address and minute.
    func auditRefusedSession(
        actor: String, role: String = "", device: String, outcome: String, address: String, now: Date
    ) {
        let due = lastRefusalAudited.withLock { last -> Bool in
            if let previous = last[address], now.timeIntervalSince(previous) < 60, now >= previous { return false }
            if last.count >= 10_000 { last.removeAll(keepingCapacity: true) }
            last[address] = now
            return true
        }
        guard due else { return }
        try? store.appendAudit(
            AuditEntry(kind: "session_refused", action: "session", actor: actor, role: role, device: device, outcome: outcome), at: now
        )
    }

    /// A fresh token for the caller of a valid session. The presented token keeps working until
    /// the fresh one is first used, so that a renewal whose answer is lost signs nobody out.
    public func renew(authorization: String?, clientID: String, address: String = "", now: Date) throws(ErrorResponse) -> LoginResponse {
        let caller = try authenticate(authorization: authorization, address: address, now: now)
        guard caller.clientID == clientID else {
            auditRefusedSession(
                actor: caller.userID, role: caller.role, device: clientID, outcome: ErrorCode.clientMismatch.rawValue,
                address: address, now: now
            )
            throw ErrorResponse(code: .clientMismatch, message: "This session belongs to another device. Sign in on this device.")
        }
        let presented = authorization.map { String($0.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces) } ?? ""
        let token = SecureRandom.token()
        let expiresAt = now.addingTimeInterval(configuration.tokenLifetime)
        try mapStore { () throws(SyncStoreError) in
            try store.replaceToken(
                Self.tokenHash(presented),
                with: StoredToken(hash: Self.tokenHash(token), userID: caller.userID, clientID: clientID, issuedAt: now, expiresAt: expiresAt)
            )
        }
        return LoginResponse(
            userId: caller.userID, role: caller.role, token: token, expiresAt: expiresAt, serverId: store.serverID,
            serverTime: now, maxOfflineDays: configuration.maxOfflineDays
        )
    }

    /// Refuses revoked and retired devices: their sessions stop working at once.
    static func checkDeviceStatus(_ status: DeviceStatus?) throws(ErrorResponse) {
        switch status {
        case .revoked:
            throw ErrorResponse(
                code: .deviceRevoked,
                message: "An operator revoked this device (reported lost or stolen). Its data is erased from it."
            )
        case .retired:
            throw ErrorResponse(code: .deviceRetired, message: "This device was retired. Its data is erased from it.")
        case .active, .retiring, nil:
            return
        }
    }

    /// Device client ids: 1 to 64 ASCII letters, digits, `.`, `_` or `-`. Ids with other
    /// characters (`server:...`) are reserved for the server's own work.
    public static func isValidClientID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    /// The credentials of an `Authorization: Bearer …` header (scheme matched without regard to
    /// case, spaces and tabs around the token dropped), or `nil` for another scheme. Works on
    /// the UTF-8 bytes: every request to the sync API passes here.
    static func bearerToken(_ authorization: String) -> Substring? {
        let scheme = "bearer ".utf8
        let bytes = authorization.utf8
        guard bytes.count >= scheme.count,
            zip(bytes, scheme).allSatisfy({ byte, expected in (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == expected })
        else { return nil }
        var start = bytes.index(bytes.startIndex, offsetBy: scheme.count)
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while end > start, bytes[bytes.index(before: end)] == 0x20 || bytes[bytes.index(before: end)] == 0x09 { end = bytes.index(before: end) }
        return Substring(authorization.utf8[start..<end])
    }

    static func tokenHash(_ token: some StringProtocol) -> String {
        SHA256.hash(Array(token.utf8)).hexString
    }

    private func checkPassword(_ password: String, against hash: PasswordHash?) throws(ErrorResponse) -> Bool {
        guard passwordSlots.wait(timeout: .now() + configuration.passwordCheckWait) == .success else {
            throw ErrorResponse(
                code: .serviceUnavailable, message: "Too many sign-ins at once. Try again in a moment.",
                details: ["retryAfterSeconds": 5]
            )
        }
        defer { passwordSlots.signal() }
        guard let hash else {
            _ = decoyHash.verify(password: password)
            return false
        }
        return hash.verify(password: password)
    }

    private func mapStore<T>(_ body: () throws(SyncStoreError) -> T) throws(ErrorResponse) -> T {
        do {
            return try body()
        } catch {
            throw Self.storeFailure(error)
        }
    }

    /// The protocol error for a store failure.
    static func storeFailure(_ error: SyncStoreError) -> ErrorResponse {
        switch error {
        case .mutationGap(let last):
            ErrorResponse(
                code: .mutationGap,
                message: "The server expected change number \(last + 1) from this device; send from there.",
                details: ["lastMutationId": .int(last)]
            )
        case .invalidCursor(let latest):
            ErrorResponse(
                code: .invalidCursor,
                message: "This device is ahead of the server's history (the server was restored). The device must download everything again.",
                details: ["latestVersion": .int(latest)]
            )
        case .storageFull:
            ErrorResponse(
                code: .storageFull,
                message: "The server's disk is full. Nothing was lost: your changes stay on the device and will be sent later."
            )
        case .busy:
            ErrorResponse(code: .serviceUnavailable, message: "The server is busy. Try again in a moment.")
        case .clientOfAnotherUser:
            ErrorResponse(code: .deviceOfAnotherUser, message: "This device is registered to another user.")
        case .userExists, .unusable, .failed, .rolledBack:
            ErrorResponse(code: .internalError, message: "The server could not complete the request. Try again later.")
        }
    }
}
