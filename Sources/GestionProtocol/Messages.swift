import Foundation
import SyncCore

// Every message of protocol v1. Property names are the JSON member names. Dates are RFC 3339
// strings; hybrid timestamps are strings like "001795000000000-0000". See Protocol/README.md.

/// `GET /sync/info`: what the server speaks.
public struct InfoResponse: Codable, Sendable, Equatable {
    public var server: String
    public var protocolVersions: [Int]
    public var serverTime: Date

    public init(server: String, protocolVersions: [Int], serverTime: Date) {
        self.server = server
        self.protocolVersions = protocolVersions
        self.serverTime = serverTime
    }
}

/// `POST /sync/login`: a user signs in on one device (client).
public struct LoginRequest: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var user: String
    public var password: String
    /// The replica's client id: a UUID the device generated once.
    public var clientId: String
    /// A name people recognise: "Laptop mediador 3".
    public var deviceName: String
    public var appVersion: String

    public init(
        protocolVersion: Int = ProtocolVersion.current, user: String, password: String, clientId: String,
        deviceName: String, appVersion: String
    ) {
        self.protocolVersion = protocolVersion
        self.user = user
        self.password = password
        self.clientId = clientId
        self.deviceName = deviceName
        self.appVersion = appVersion
    }
}

public struct LoginResponse: Codable, Sendable, Equatable {
    public var userId: String
    /// The user's role, e.g. `"asesor"`.
    public var role: String
    /// Opaque bearer token, bound to `clientId`.
    public var token: String
    public var expiresAt: Date
    /// Identifies the server's database; a device notices when it is talking to another one.
    public var serverId: String
    public var serverTime: Date
    /// After this many days without a successful sync the device locks its replica until the
    /// user signs in again.
    public var maxOfflineDays: Int?

    public init(
        userId: String, role: String, token: String, expiresAt: Date, serverId: String, serverTime: Date,
        maxOfflineDays: Int? = nil
    ) {
        self.userId = userId
        self.role = role
        self.token = token
        self.expiresAt = expiresAt
        self.serverId = serverId
        self.serverTime = serverTime
        self.maxOfflineDays = maxOfflineDays
    }
}

/// `POST /sync/renew`: a valid session asks for a fresh token before it expires. The answer is
/// a `LoginResponse`; the old token stops working.
public struct RenewRequest: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var clientId: String

    public init(protocolVersion: Int = ProtocolVersion.current, clientId: String) {
        self.protocolVersion = protocolVersion
        self.clientId = clientId
    }
}

/// One queued user action, as the device sends it.
public struct MutationEnvelope: Codable, Sendable, Equatable {
    /// Per-client number: 1, 2, 3... with no gaps.
    public var id: Int64
    public var name: String
    public var args: JSONObject
    /// When the user did it, by the device's clock.
    public var occurredAt: Date
    public var hlc: HybridTimestamp
    /// The replica's cursor when the user did it: what the device knew. The server judges as
    /// concurrent the changes to the same records after this version by other devices. Absent:
    /// the server assumes the device knew everything (no conflict rules apply).
    public var baseVersion: Int64?

    public init(
        id: Int64, name: String, args: JSONObject, occurredAt: Date, hlc: HybridTimestamp, baseVersion: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.args = args
        self.occurredAt = occurredAt
        self.hlc = hlc
        self.baseVersion = baseVersion
    }
}

/// `POST /sync/push`: a device's pending mutations, in order, consecutive ids.
public struct PushRequest: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var clientId: String
    public var mutations: [MutationEnvelope]

    public init(protocolVersion: Int = ProtocolVersion.current, clientId: String, mutations: [MutationEnvelope]) {
        self.protocolVersion = protocolVersion
        self.clientId = clientId
        self.mutations = mutations
    }
}

/// What became of one mutation.
public enum MutationStatus: String, Codable, Sendable, Equatable {
    /// Its effect is durable on the server.
    case applied
    /// A rule refused it; it had no effect and never will.
    case rejected
}

public struct MutationResult: Codable, Sendable, Equatable {
    public var id: Int64
    public var status: MutationStatus
    /// For `rejected`: a stable code.
    public var code: String?
    /// For `rejected`: why, in words a field supervisor understands.
    public var message: String?
    /// For `applied`: what a rule decided on the user's behalf, if anything.
    public var resolution: String?
    /// The change-log version holding its effect, when it changed something.
    public var version: Int64?
    /// `true` when this mutation had already been processed: the result is the stored one and
    /// nothing was applied again.
    public var duplicate: Bool?

    public init(
        id: Int64, status: MutationStatus, code: String? = nil, message: String? = nil,
        resolution: String? = nil, version: Int64? = nil, duplicate: Bool? = nil
    ) {
        self.id = id
        self.status = status
        self.code = code
        self.message = message
        self.resolution = resolution
        self.version = version
        self.duplicate = duplicate
    }
}

public struct PushResponse: Codable, Sendable, Equatable {
    /// One result per pushed mutation, in the same order.
    public var results: [MutationResult]
    /// The highest mutation id of this client the server has processed.
    public var lastMutationId: Int64

    public init(results: [MutationResult], lastMutationId: Int64) {
        self.results = results
        self.lastMutationId = lastMutationId
    }
}

/// What a device says about itself at each pull, for the operators' device registry.
public struct DeviceReport: Codable, Sendable, Equatable {
    /// Mutations in the outbox (sent or not, until confirmed).
    public var pendingCount: Int
    /// When the user did the oldest of them.
    public var oldestPendingAt: Date?
    /// Mutations the server has not received yet (after this sync's push: normally 0).
    public var unsentCount: Int?
    public var appVersion: String?

    public init(pendingCount: Int, oldestPendingAt: Date? = nil, unsentCount: Int? = nil, appVersion: String? = nil) {
        self.pendingCount = pendingCount
        self.oldestPendingAt = oldestPendingAt
        self.unsentCount = unsentCount
        self.appVersion = appVersion
    }
}

/// What the server asks of a device.
public enum DeviceInstruction: String, Codable, Sendable, Equatable {
    /// Keep working.
    case active
    /// An operator retired the device and it has nothing left to upload: erase the replica now.
    case retire
}

/// `POST /sync/pull`: "give me what changed after `cursor`".
public struct PullRequest: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var clientId: String
    /// The device's state, for the device registry. Clients SHOULD send it.
    public var device: DeviceReport?
    /// The last version the device holds; 0 for an empty replica.
    public var cursor: Int64
    /// The device knows the outcome of its mutations up to this id; the response reports
    /// rejections and resolutions after it.
    public var resultsAfter: Int64
    /// Most change rows wanted in this page (the server may send fewer; a change-set is never split).
    public var limit: Int?
    /// Long poll: when there is nothing new for the device, the server may hold the request up to
    /// this many milliseconds (capped by its own maximum) and answers as soon as something for
    /// the device commits. Absent or 0: answer at once.
    public var waitMs: Int64?

    public init(
        protocolVersion: Int = ProtocolVersion.current, clientId: String, cursor: Int64, resultsAfter: Int64,
        limit: Int? = nil, device: DeviceReport? = nil, waitMs: Int64? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.clientId = clientId
        self.device = device
        self.cursor = cursor
        self.resultsAfter = resultsAfter
        self.limit = limit
        self.waitMs = waitMs
    }
}

public struct PullResponse: Codable, Sendable, Equatable {
    /// Change-sets with versions in (request cursor, `cursor`], ascending.
    public var changeSets: [ChangeSet]
    /// The version the device holds after applying this page.
    public var cursor: Int64
    /// More change-sets exist after `cursor` in the snapshot: pull again.
    public var hasMore: Bool
    /// The highest mutation id of this client the server has processed (as of the snapshot).
    public var lastMutationId: Int64
    /// Results of this client's mutations in (`resultsAfter`, `lastMutationId`] that were rejected
    /// or carry a resolution. Mutations in that range not listed were applied as sent.
    public var results: [MutationResult]
    /// Identifies the server's database (see `LoginResponse.serverId`).
    public var serverId: String
    public var serverTime: Date
    /// Present when the server asks something of the device (`retire`).
    public var device: DeviceInstruction?

    public init(
        changeSets: [ChangeSet], cursor: Int64, hasMore: Bool, lastMutationId: Int64, results: [MutationResult],
        serverId: String, serverTime: Date
    ) {
        self.changeSets = changeSets
        self.cursor = cursor
        self.hasMore = hasMore
        self.lastMutationId = lastMutationId
        self.results = results
        self.serverId = serverId
        self.serverTime = serverTime
    }
}
