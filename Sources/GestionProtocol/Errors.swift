import SyncCore

/// Stable error codes of protocol v1. Unknown codes from a newer server decode as `.unknown`.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case malformedJSON = "malformed_json"
    case invalidMessage = "invalid_message"
    case unsupportedMediaType = "unsupported_media_type"
    case unsupportedProtocolVersion = "unsupported_protocol_version"
    case unauthorized
    case invalidToken = "invalid_token"
    case tokenExpired = "token_expired"
    case wrongCredentials = "wrong_credentials"
    case tooManyAttempts = "too_many_attempts"
    case forbidden
    case clientMismatch = "client_mismatch"
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case mutationGap = "mutation_gap"
    case invalidCursor = "invalid_cursor"
    case deviceOfAnotherUser = "device_of_another_user"
    case deviceRevoked = "device_revoked"
    case deviceRetired = "device_retired"
    case payloadTooLarge = "payload_too_large"
    case requestTimeout = "request_timeout"
    case uriTooLong = "uri_too_long"
    case headerTooLarge = "header_too_large"
    case expectationFailed = "expectation_failed"
    case notImplemented = "not_implemented"
    case httpVersionNotSupported = "http_version_not_supported"
    case storageFull = "storage_full"
    case serviceUnavailable = "service_unavailable"
    case internalError = "internal_error"
    case unknown

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = ErrorCode(rawValue: raw) ?? .unknown
    }

    /// The HTTP status the server answers with for this code.
    public var httpStatus: Int {
        switch self {
        case .badRequest, .malformedJSON, .invalidMessage, .unsupportedProtocolVersion: 400
        case .unauthorized, .invalidToken, .tokenExpired, .wrongCredentials, .deviceRevoked, .deviceRetired: 401
        case .forbidden, .clientMismatch, .deviceOfAnotherUser: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .requestTimeout: 408
        case .mutationGap, .invalidCursor: 409
        case .payloadTooLarge: 413
        case .uriTooLong: 414
        case .unsupportedMediaType: 415
        case .expectationFailed: 417
        case .tooManyAttempts: 429
        case .headerTooLarge: 431
        case .internalError, .unknown: 500
        case .notImplemented: 501
        case .storageFull, .serviceUnavailable: 503
        case .httpVersionNotSupported: 505
        }
    }

    /// Whether retrying the same request later can succeed.
    public var isRetryable: Bool {
        switch self {
        case .tooManyAttempts, .requestTimeout, .storageFull, .serviceUnavailable, .internalError: true
        default: false
        }
    }
}

/// The one error shape of every endpoint: `{"error":{"code":"...","message":"...","details":{...}}}`.
public struct ErrorResponse: Codable, Sendable, Equatable, Error {
    public struct Body: Codable, Sendable, Equatable {
        public var code: ErrorCode
        /// For people: what went wrong and what to do. Never contains personal data.
        public var message: String
        /// Machine-readable extras, e.g. `lastMutationId` for `mutation_gap`.
        public var details: JSONObject?
    }

    public var error: Body

    public init(code: ErrorCode, message: String, details: JSONObject? = nil) {
        self.error = Body(code: code, message: message, details: details)
    }

    public var code: ErrorCode { error.code }
    public var message: String { error.message }
}
