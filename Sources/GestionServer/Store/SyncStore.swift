import Foundation
import GestionProtocol
import SyncCore

/// What the sync server needs from its storage, in intents. The SQLite store implements it; a
/// PostgreSQL store for agencies with several server processes can implement it later, keeping
/// the guarantee that a pull never sees version N+1 before version N is visible.
public protocol SyncStore: Sendable {
    /// A random id created with the store; devices notice when they talk to another server.
    var serverID: String { get }

    // MARK: Identity
    func addUser(_ user: NewUser) throws(SyncStoreError)
    func user(id: String) throws(SyncStoreError) -> StoredUser?
    /// How many users have `role`.
    func usersCount(role: String) throws(SyncStoreError) -> Int
    /// Records that `clientID` is a device of `userID` (or refreshes its name and version).
    func registerClient(_ registration: ClientRegistration) throws(SyncStoreError)
    func saveToken(_ token: StoredToken) throws(SyncStoreError)
    /// Replaces the token `oldHash` by `token` in one transaction (renewal).
    /// Issues `token` in place of `oldHash`. The old token keeps working until the new one is
    /// first used (`confirmToken`); renewing the old one again replaces the unused successor.
    func replaceToken(_ oldHash: String, with token: StoredToken) throws(SyncStoreError)
    /// The first use of a renewed token: the token it replaced stops working.
    func confirmToken(hash: String) throws(SyncStoreError)
    func token(hash: String) throws(SyncStoreError) -> StoredToken?
    /// The token, its user and its device read together from one snapshot: what authenticating
    /// a request needs. `nil` when no such token exists.
    func session(tokenHash: String) throws(SyncStoreError) -> StoredSession?

    // MARK: Sync
    /// Applies `mutations` of one client at most once each, in one durable transaction, and
    /// returns one result per mutation.
    func push(
        _ mutations: [MutationEnvelope], author: MutationAuthor, authorTags: Set<String>, registry: MutationRegistry,
        receivedAt: Date, policy: PushPolicy
    ) throws(SyncStoreError) -> PushResponse
    /// Change-sets after `cursor` from one consistent snapshot.
    func pull(clientID: String, cursor: Int64, resultsAfter: Int64, limit: Int, serverTime: Date, audience: PullAudience)
        throws(SyncStoreError) -> PullResponse
    /// Told after every commit of this store's writer in this process; long polls wait on it.
    var commits: CommitNotifier { get }

    /// Runs mutations on the server's own authority (imports by operations, automatic closures)
    /// as `author`, numbered after its previous ones, in one durable transaction. With
    /// `atomically`, one rejection rolls all of them back (the results still say which and why).
    func applyServerMutations(
        _ mutations: [ServerMutation], author: MutationAuthor, registry: MutationRegistry, at: Date, atomically: Bool
    ) throws(SyncStoreError) -> ServerMutationReport

    // MARK: Devices
    /// One device (client) of the registry.
    func device(clientID: String) throws(SyncStoreError) -> DeviceRecord?
    /// Every device, or those of one user.
    func devices(userID: String?) throws(SyncStoreError) -> [DeviceRecord]
    /// Keeps what a device reported at a sync.
    func recordDeviceReport(clientID: String, report: DeviceReport, at: Date) throws(SyncStoreError)
    /// Changes a device's status (retiring, retired, revoked) and audits it as done by `actor`.
    @discardableResult
    func setDeviceStatus(clientID: String, to status: DeviceStatus, actor: String, at: Date) throws(SyncStoreError) -> DeviceRecord

    // MARK: Audit
    /// Appends an entry (a login, an admin action) to the hash-chained audit trail. Mutations
    /// are audited by `push` and `applyServerMutations` themselves, in their transaction.
    func appendAudit(_ entry: AuditEntry, at: Date) throws(SyncStoreError)
    /// Checks the whole chain.
    func verifyAudit() throws(SyncStoreError) -> AuditVerification
    func auditEntries(_ filter: AuditFilter) throws(SyncStoreError) -> [AuditEntry]

    // MARK: Inspection
    /// Every record, for comparisons and exports.
    func allRecords() throws(SyncStoreError) -> [RecordKey: JSONObject]
    /// The records a user's devices receive (its scope), for checks and exports.
    func records(visibleTo audience: PullAudience) throws(SyncStoreError) -> [RecordKey: JSONObject]
    /// The records of one collection, keyed by id.
    func records(in collection: String) throws(SyncStoreError) -> [String: JSONObject]
    func latestVersion() throws(SyncStoreError) -> Int64

    func close()
}

/// How the server judges pushed mutations.
public struct PushPolicy: Sendable, Equatable {
    /// How far a device's clock may run ahead of the server's (or a reported time precede the
    /// record it acts on) before the reported time is judged implausible.
    public var clockSkewTolerance: TimeInterval

    public init(clockSkewTolerance: TimeInterval = 5 * 60) {
        self.clockSkewTolerance = clockSkewTolerance
    }
}

/// Where a device stands.
public enum DeviceStatus: String, Sendable, Codable, CaseIterable {
    case active
    /// An operator retired it: it uploads what it has, then erases its replica.
    case retiring
    /// It erased its replica after retiring; its sessions no longer work.
    case retired
    /// Lost or stolen: its sessions stopped working at once and its replica erases itself at the
    /// next contact.
    case revoked
}

/// A device in the registry.
public struct DeviceRecord: Sendable, Equatable, Codable {
    public var clientId: String
    public var userId: String
    public var deviceName: String
    public var appVersion: String
    public var status: DeviceStatus
    public var lastMutationId: Int64
    public var lastSyncAt: Date?
    public var pendingCount: Int?
    public var oldestPendingAt: Date?
}

/// A mutation the server performs itself.
public struct ServerMutation: Sendable {
    public var name: String
    public var args: JSONObject

    public init(name: String, args: JSONObject) {
        self.name = name
        self.args = args
    }
}

/// What became of a batch of server mutations.
public struct ServerMutationReport: Sendable, Equatable {
    /// One result per mutation, in order.
    public var results: [MutationResult]
    /// Whether the effects were kept (false when an atomic batch had a rejection).
    public var committed: Bool
}

/// A user to create.
public struct NewUser: Sendable {
    public var id: String
    public var role: String
    /// `PasswordHash.encoded`.
    public var passwordHash: String
    public var createdAt: Date
    /// Who created it (an operator's name, for the audit trail).
    public var createdBy: String
    /// The organisation unit (a delegación for `delegacion`, a despacho for `agencia`).
    public var unit: String?

    public init(
        id: String, role: String, passwordHash: String, createdAt: Date, createdBy: String = "operator", unit: String? = nil
    ) {
        self.id = id
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.unit = unit
    }
}

public struct StoredUser: Sendable, Equatable {
    public var id: String
    public var role: String
    public var passwordHash: String
    public var disabled: Bool
    /// The organisation unit (a delegación, a despacho) for roles that see one.
    public var unit: String?

    public var profile: UserProfile { UserProfile(id: id, role: role, unit: unit) }
}

/// Whose pull it is: the tags of the user (`*` for everything) and the role, for records outside
/// partitions.
public struct PullAudience: Sendable {
    public var tags: Set<String>
    public var role: String
    public var policy: ReplicationPolicy

    public init(user: UserProfile, policy: ReplicationPolicy) {
        self.tags = policy.userTags(user)
        self.role = user.role
        self.policy = policy
    }

    public var seesEverything: Bool { tags.contains(ReplicationPolicy.everything) }
}

public struct ClientRegistration: Sendable {
    public var clientID: String
    public var userID: String
    public var deviceName: String
    public var appVersion: String
    public var now: Date

    public init(clientID: String, userID: String, deviceName: String, appVersion: String, now: Date) {
        self.clientID = clientID
        self.userID = userID
        self.deviceName = deviceName
        self.appVersion = appVersion
        self.now = now
    }
}

/// A token with the user and the device it was issued to (`nil` if they no longer exist).
public struct StoredSession: Sendable, Equatable {
    public var token: StoredToken
    public var user: StoredUser?
    public var device: DeviceRecord?
    /// The latest change-set version in the same snapshot, when the store reads it.
    public var latestVersion: Int64?

    public init(token: StoredToken, user: StoredUser?, device: DeviceRecord?, latestVersion: Int64? = nil) {
        self.token = token
        self.user = user
        self.device = device
        self.latestVersion = latestVersion
    }
}

/// A token as the server keeps it: only its SHA-256.
public struct StoredToken: Sendable, Equatable {
    public var hash: String
    public var userID: String
    public var clientID: String
    public var issuedAt: Date
    public var expiresAt: Date
    /// For a renewed token not used yet: the hash of the token it replaces, which keeps working
    /// until this one is first used (the renewal's answer may never have reached the device).
    public var replaces: String?

    public init(hash: String, userID: String, clientID: String, issuedAt: Date, expiresAt: Date, replaces: String? = nil) {
        self.hash = hash
        self.userID = userID
        self.clientID = clientID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.replaces = replaces
    }
}

/// Failures of the store, mapped to protocol errors at the HTTP edge.
public enum SyncStoreError: Error, Sendable, Equatable {
    /// The first pushed mutation is not the next one: the server has processed `lastMutationID`.
    case mutationGap(lastMutationID: Int64)
    /// The client's cursor is ahead of the change log (the server was restored from an older backup).
    case invalidCursor(latestVersion: Int64)
    /// The user id exists already.
    case userExists(String)
    /// The device is registered to another user.
    case clientOfAnotherUser
    /// The disk is full: nothing was written.
    case storageFull
    /// Another process holds the database for too long.
    case busy
    /// The database file is not a database, is damaged, or was written by a newer version.
    case unusable(String)
    /// Any other storage failure, with the technical detail (no personal data).
    case failed(String)
    /// An atomic batch of server mutations had rejections and was rolled back (internal).
    case rolledBack([MutationResult])
}
