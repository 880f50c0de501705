import Foundation
import GestionProtocol
import SyncCore

/// Where a record stands with the server.
public enum SyncState: String, Sendable, Codable, Equatable {
    /// As the server has it.
    case synced
    /// Changed on this device by a mutation the server has not confirmed yet.
    case pending
    /// A mutation of this device that touched it was refused by the server (see `rejections()`).
    case rejected
    /// An open conflict in the review queue names it: a person will decide.
    case inConflict
}

/// A record as the app sees it.
public struct ReplicaRecord: Sendable, Equatable {
    public var key: RecordKey
    public var body: JSONObject
    public var syncState: SyncState
}

/// A mutation waiting in the outbox.
public struct PendingMutation: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var args: JSONObject
    public var occurredAt: Date
    public var hlc: HybridTimestamp
    /// Set when, after newer server data arrived, the mutation no longer applies on this device.
    /// It is still sent: the server decides.
    public var localError: String?
    /// Whether the server has already processed it (its result arrives with the next pull).
    public var acknowledged: Bool
}

/// A mutation the server refused, kept with its reason until the user dismisses it.
public struct RejectedMutation: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var args: JSONObject
    public var occurredAt: Date
    public var code: String
    public var message: String
}

/// A mutation the server applied with a decision of a rule (e.g. sent to review), kept with the
/// explanation until the user dismisses it.
public struct ResolvedMutation: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var args: JSONObject
    public var occurredAt: Date
    public var resolution: String
}

/// What changed in the replica, for observers.
public struct ReplicaChange: Sendable, Equatable {
    public enum Cause: String, Sendable {
        case localMutation
        case sync
        case dismissal
    }

    public var cause: Cause
    public var keys: Set<RecordKey>
}

/// The user signed in on this replica.
public struct ReplicaSession: Sendable, Equatable {
    public var serverURL: String
    public var userID: String
    public var role: String
    public var token: String
    public var tokenExpiresAt: Date
    public var serverID: String
    /// Days without a successful sync after which the replica locks until the user signs in again.
    public var maxOfflineDays: Int?

    public init(
        serverURL: String, userID: String, role: String, token: String, tokenExpiresAt: Date, serverID: String,
        maxOfflineDays: Int? = nil
    ) {
        self.serverURL = serverURL
        self.userID = userID
        self.role = role
        self.token = token
        self.tokenExpiresAt = tokenExpiresAt
        self.serverID = serverID
        self.maxOfflineDays = maxOfflineDays
    }
}

/// "Am I synced?" in one value.
public struct SyncStatus: Sendable, Equatable, Codable {
    public var clientID: String
    public var user: String?
    public var role: String?
    public var server: String?
    /// Mutations waiting in the outbox (sent or not, until a pull confirms them).
    public var pendingCount: Int
    /// When the user did the oldest of them.
    public var oldestPendingAt: Date?
    public var rejectedCount: Int
    public var cursor: Int64
    public var lastSuccessfulSync: Date?
    public var lastError: String?
}

/// Failures of the replica file itself.
public enum ReplicaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file exists but is not a SQLite database.
    case notADatabase(path: String)
    /// The database belongs to another program.
    case notAReplica(path: String)
    /// Written by a newer version of the app; this version must not touch it.
    case newerVersion(path: String)
    /// No user has signed in on this replica yet.
    case notSignedIn
    /// The replica belongs to another user, or to another server, and still has unsent work.
    case belongsToAnotherUser
    /// The device's disk is full; nothing was written.
    case diskFull
    /// The device went too long without syncing: its records stay locked until the user signs in.
    case locked(days: Int)
    /// The mutation is not known to this app version.
    case unknownMutation(String)
    /// Any other storage failure.
    case storage(String)

    public var description: String {
        switch self {
        case .notADatabase(let path): "The file \(path) is not a GestionSync replica (not a database)."
        case .notAReplica(let path): "The database \(path) is not a GestionSync replica."
        case .newerVersion(let path):
            "The replica \(path) was written by a newer version of the app. Update the app; the replica was not touched."
        case .notSignedIn: "Sign in once with a connection before working on this device."
        case .belongsToAnotherUser:
            "This replica holds unsent work of another user or server. Sync it with that account first, or use another replica file."
        case .diskFull: "The device's storage is full: free some space. Nothing was lost."
        case .locked(let days):
            "This device has not synced for more than \(days) days, so its records are locked. Sign in again to unlock them; nothing was lost."
        case .unknownMutation(let name): "Unknown action \"\(name)\": this app version does not know it."
        case .storage(let detail): "The replica could not be read or written (\(detail))."
        }
    }
}
