/// The version of the wire protocol this build speaks. See `Protocol/README.md`.
public enum ProtocolVersion {
    /// The version this build sends.
    public static let current = 1
    /// Versions this build's server accepts.
    public static let supported: ClosedRange<Int> = 1...1
}

/// The HTTP endpoints of protocol v1, with the largest body each accepts.
public enum Endpoint: String, CaseIterable, Sendable {
    case health = "/healthz"
    case info = "/sync/info"
    case login = "/sync/login"
    case push = "/sync/push"
    case pull = "/sync/pull"
    case renew = "/sync/renew"

    public var path: String { rawValue }

    public var method: String {
        switch self {
        case .health, .info: "GET"
        case .login, .push, .pull, .renew: "POST"
        }
    }

    /// Largest request body accepted, in bytes. Larger requests get `payload_too_large`.
    public var maxBodyBytes: Int {
        switch self {
        case .health, .info: 0
        case .login: 16 * 1024
        case .pull, .renew: 16 * 1024
        case .push: 4 * 1024 * 1024
        }
    }

    /// Whether the request needs `Authorization: Bearer <token>`.
    public var requiresToken: Bool {
        switch self {
        case .health, .info, .login: false
        case .push, .pull, .renew: true
        }
    }
}

/// Limits both sides agree on.
public enum ProtocolLimits {
    /// Most mutations in one push.
    public static let maxMutationsPerPush = 1000
    /// Most change rows the server puts in one pull page unless the client asks for fewer.
    public static let defaultPullPageSize = 2000
    /// Upper bound for a client's requested page size.
    public static let maxPullPageSize = 10_000
}
