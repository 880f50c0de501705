import Foundation
import SyncCore

/// Replays a vector against a fresh real `gestion-server` and reports every difference.
struct ConformanceRunner: Sendable {
    let validator: ConformanceSchemaValidator

    /// The Content-Type of every response of the server.
    static let responseContentType = "application/json; charset=utf-8"

    /// The schema of a request body sent to `path`, if the path takes a JSON message.
    static func requestSchema(method: String, path: String) -> String? {
        guard method == "POST" else { return nil }
        switch pathWithoutQuery(path) {
        case "/sync/login": return "LoginRequest.schema.json"
        case "/sync/push": return "PushRequest.schema.json"
        case "/sync/pull": return "PullRequest.schema.json"
        case "/sync/renew": return "RenewRequest.schema.json"
        default: return nil
        }
    }

    /// The schema of a response: by path for 200, `ErrorResponse` for every other status.
    static func responseSchema(path: String, status: Int) -> String {
        guard status == 200 else { return "ErrorResponse.schema.json" }
        switch pathWithoutQuery(path) {
        case "/healthz": return "HealthResponse.schema.json"
        case "/sync/info": return "InfoResponse.schema.json"
        case "/sync/login", "/sync/renew": return "LoginResponse.schema.json"
        case "/sync/push": return "PushResponse.schema.json"
        case "/sync/pull": return "PullResponse.schema.json"
        default: return "ErrorResponse.schema.json"
        }
    }

    static func pathWithoutQuery(_ path: String) -> String {
        String(path.prefix { $0 != "?" })
    }

    /// Starts a server as `vector.setup` says, replays the steps in order, and returns the
    /// failures (empty when the server conforms). Stops at the first failing step.
    func run(_ vector: ConformanceVector) async throws -> [String] {
        var failures: [String] = []
        for user in vector.users where TestServer.password(user.name) != user.password {
            failures.append("setup: the harness gives \(user.name) another password than the vector's")
        }
        guard failures.isEmpty else { return failures }
        let directory = TemporaryDirectory("conformance")
        let server = try TestServer(
            directory: directory,
            users: Dictionary(vector.users.map { ($0.name, $0.role) }, uniquingKeysWith: { first, _ in first }),
            accountsCSV: vector.accounts > 0 ? Cuentas.csv(vector.accounts) : nil
        )
        defer { server.stop() }
        if let lifetime = vector.tokenLifetimeSeconds {
            server.stop()
            try server.start(extraArguments: ["--token-lifetime", String(lifetime)])
        }
        // Time moves only where a step says so: waits such as the login throttle's do not
        // depend on how fast the machine replays the steps.
        try server.stopClock()
        let client = RawClient(base: server.url)
        var matcher = ConformanceMatcher()
        for (index, step) in vector.steps.enumerated() {
            if step.advanceClockSeconds > 0 { try server.advanceClock(by: step.advanceClockSeconds) }
            let stepFailures = try await run(step, client: client, matcher: &matcher)
            if !stepFailures.isEmpty {
                let label = "\(vector.file) step \(index + 1) \"\(step.name)\""
                return stepFailures.map { "\(label): \($0)" }
            }
        }
        withExtendedLifetime(directory) {}
        return []
    }

    /// Sends one step's request and checks the response.
    func run(_ step: ConformanceVector.Step, client: RawClient, matcher: inout ConformanceMatcher) async throws -> [String] {
        var failures: [String] = []
        let request = step.request
        let path: String
        var headers: [String: String] = [:]
        var body: [UInt8]?
        do {
            path = try matcher.interpolate(request.path)
            for (name, value) in request.headers { headers[name] = try matcher.interpolate(value) }
            if let template = request.body {
                let message = try matcher.substitute(template)
                body = JSONSerializer.bytes(message)
                if let schema = Self.requestSchema(method: request.method, path: path) {
                    let violations = validator.validate(message, against: schema)
                    if request.schemaValid, !violations.isEmpty {
                        failures += violations.map { "request does not match \(schema): \($0)" }
                    } else if !request.schemaValid, violations.isEmpty {
                        failures.append("request is marked schemaValid=false but \(schema) accepts it")
                    }
                } else if !request.schemaValid {
                    failures.append("schemaValid=false on a request that has no schema")
                }
            } else if let raw = request.rawBody {
                body = Array(try matcher.interpolate(raw).utf8)
            }
        } catch {
            return ["cannot build the request: \(error)"]
        }

        let reply = try await client.send(request.method, path, body: body, contentType: nil, headers: headers)
        let bodyText = String(decoding: reply.body.prefix(600), as: UTF8.self)
        if reply.status != step.response.status {
            failures.append("status \(reply.status), expected \(step.response.status); body \(bodyText)")
        }
        if reply.headers["content-type"] != Self.responseContentType {
            failures.append("Content-Type \(reply.headers["content-type"] ?? "absent"), expected \(Self.responseContentType)")
        }
        for (name, expected) in step.response.headers.sorted(by: { $0.key < $1.key }) {
            failures += matcher.match(expected, reply.headers[name].map(JSONValue.string), at: "header \(name)")
        }
        let actual: JSONValue
        do {
            actual = try JSONParser.parse(reply.body)
        } catch {
            return failures + ["the response body is not JSON (\(error)): \(bodyText)"]
        }
        if JSONSerializer.bytes(actual) != reply.body {
            failures.append("the response body is not in canonical form: \(bodyText)")
        }
        let schema = Self.responseSchema(path: path, status: reply.status)
        failures += validator.validate(actual, against: schema).map { "response does not match \(schema): \($0)" }
        if let expected = step.response.body {
            failures += matcher.match(expected, actual, at: "body")
        }
        return failures
    }
}
