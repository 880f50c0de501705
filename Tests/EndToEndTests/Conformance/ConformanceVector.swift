import Foundation
import SyncCore

/// Where `Protocol/` is: found from this file by walking up to the package root.
enum ConformancePaths {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static var protocolDirectory: URL { packageRoot.appendingPathComponent("Protocol") }
    static var vectorsDirectory: URL { protocolDirectory.appendingPathComponent("vectors") }
    static var schemasDirectory: URL { protocolDirectory.appendingPathComponent("schemas") }

    /// The vector files (`Protocol/vectors/*.json`), sorted by name.
    static func vectorFileNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: vectorsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }
}

/// Why a vector file could not be read.
struct ConformanceFormatError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One conformance scenario of `Protocol/vectors/` (format: `Protocol/vectors/README.md`).
struct ConformanceVector: Sendable {
    struct User: Sendable {
        var name: String
        var role: String
        var password: String
    }

    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        /// A JSON body, sent in canonical form after substitution.
        var body: JSONValue?
        /// A body sent byte for byte (after `{{...}}` interpolation), for malformed input.
        var rawBody: String?
        /// Whether `body` must pass the request's JSON Schema (`false` for deliberately invalid messages).
        var schemaValid: Bool
    }

    struct Response: Sendable {
        var status: Int
        /// Expected header values by lower-case name (placeholders allowed, `"$absent"` for "not sent").
        var headers: [String: JSONValue]
        var body: JSONValue?
    }

    struct Step: Sendable {
        var name: String
        /// Seconds to move the server's clock forward before sending the request (for expiry), 0 by default.
        var advanceClockSeconds: Double
        var request: Request
        var response: Response
    }

    var file: String
    var name: String
    var description: String
    var users: [User]
    var accounts: Int
    /// When set, the server is started with `--token-lifetime` this many seconds.
    var tokenLifetimeSeconds: Int?
    var steps: [Step]

    static func load(_ file: String) throws -> ConformanceVector {
        let url = ConformancePaths.vectorsDirectory.appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConformanceFormatError("cannot read \(url.path)")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            throw ConformanceFormatError("\(file): \(error.description)")
        }
        return try parse(root, file: file)
    }

    static func parse(_ root: JSONValue, file: String) throws -> ConformanceVector {
        let top = try object(root, "\(file)", allowed: ["name", "description", "setup", "steps"])
        let setup = try object(top["setup"] ?? [:], "\(file): setup", allowed: ["users", "accounts", "tokenLifetimeSeconds"])
        var users: [User] = []
        for (index, value) in try array(setup["users"] ?? [], "\(file): setup.users").enumerated() {
            let user = try object(value, "\(file): setup.users[\(index)]", allowed: ["user", "role", "password"])
            users.append(
                User(
                    name: try string(user["user"], "\(file): setup.users[\(index)].user"),
                    role: try string(user["role"], "\(file): setup.users[\(index)].role"),
                    password: try string(user["password"], "\(file): setup.users[\(index)].password")
                )
            )
        }
        let accounts = try setup["accounts"].map { try integer($0, "\(file): setup.accounts") } ?? 0
        let lifetime = try setup["tokenLifetimeSeconds"].map { try integer($0, "\(file): setup.tokenLifetimeSeconds") }
        var steps: [Step] = []
        for (index, value) in try array(top["steps"], "\(file): steps").enumerated() {
            let location = "\(file): steps[\(index)]"
            let step = try object(value, location, allowed: ["name", "description", "advanceClockSeconds", "request", "response"])
            let request = try object(
                step["request"], "\(location).request",
                allowed: ["method", "path", "headers", "body", "rawBody", "schemaValid"]
            )
            let response = try object(step["response"], "\(location).response", allowed: ["status", "headers", "body"])
            if request["body"] != nil, request["rawBody"] != nil {
                throw ConformanceFormatError("\(location).request: give body or rawBody, not both")
            }
            var requestHeaders: [String: String] = [:]
            for (name, headerValue) in try object(request["headers"] ?? [:], "\(location).request.headers", allowed: nil) {
                requestHeaders[name] = try string(headerValue, "\(location).request.headers.\(name)")
            }
            var responseHeaders: [String: JSONValue] = [:]
            for (name, headerValue) in try object(response["headers"] ?? [:], "\(location).response.headers", allowed: nil) {
                _ = try string(headerValue, "\(location).response.headers.\(name)")
                responseHeaders[name.lowercased()] = headerValue
            }
            let advance = try step["advanceClockSeconds"].map { value in
                guard let seconds = value.doubleValue, seconds >= 0, seconds <= 10 * 366 * 86_400 else {
                    throw ConformanceFormatError("\(location).advanceClockSeconds must be a number from 0 to ten years")
                }
                return seconds
            }
            steps.append(
                Step(
                    name: try string(step["name"], "\(location).name"),
                    advanceClockSeconds: advance ?? 0,
                    request: Request(
                        method: try string(request["method"], "\(location).request.method"),
                        path: try string(request["path"], "\(location).request.path"),
                        headers: requestHeaders,
                        body: request["body"],
                        rawBody: try request["rawBody"].map { try string($0, "\(location).request.rawBody") },
                        schemaValid: try request["schemaValid"].map { try bool($0, "\(location).request.schemaValid") } ?? true
                    ),
                    response: Response(
                        status: Int(try integer(response["status"], "\(location).response.status")),
                        headers: responseHeaders,
                        body: response["body"]
                    )
                )
            )
        }
        return ConformanceVector(
            file: file, name: try string(top["name"], "\(file): name"),
            description: try string(top["description"], "\(file): description"), users: users,
            accounts: Int(accounts), tokenLifetimeSeconds: lifetime.map { Int($0) }, steps: steps
        )
    }

    // MARK: Strict readers

    private static func object(_ value: JSONValue?, _ path: String, allowed: Set<String>?) throws -> JSONObject {
        guard let members = value?.objectValue else { throw ConformanceFormatError("\(path) must be an object") }
        if let allowed, let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConformanceFormatError("\(path) has an unknown member \"\(unknown)\"")
        }
        return members
    }

    private static func array(_ value: JSONValue?, _ path: String) throws -> [JSONValue] {
        guard let elements = value?.arrayValue else { throw ConformanceFormatError("\(path) must be an array") }
        return elements
    }

    private static func string(_ value: JSONValue?, _ path: String) throws -> String {
        guard let text = value?.stringValue else { throw ConformanceFormatError("\(path) must be a string") }
        return text
    }

    private static func integer(_ value: JSONValue?, _ path: String) throws -> Int64 {
        guard let number = value?.int64Value else { throw ConformanceFormatError("\(path) must be an integer") }
        return number
    }

    private static func bool(_ value: JSONValue?, _ path: String) throws -> Bool {
        guard let flag = value?.boolValue else { throw ConformanceFormatError("\(path) must be true or false") }
        return flag
    }
}
