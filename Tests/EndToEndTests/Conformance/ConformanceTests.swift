import Foundation
import SyncCore
import Testing

/// Replays `Protocol/vectors/*.json` against the real server, checking every request and response
/// body against `Protocol/schemas/` as well as against the vector's expectations.
@Suite struct ConformanceTests {
    static let vectorFiles = ConformancePaths.vectorFileNames()

    static func validator() throws -> ConformanceSchemaValidator {
        try ConformanceSchemaValidator(directory: ConformancePaths.schemasDirectory)
    }

    @Test(arguments: vectorFiles)
    func vectorReplaysAgainstTheRealServer(_ file: String) async throws {
        let vector = try ConformanceVector.load(file)
        let failures = try await ConformanceRunner(validator: try Self.validator()).run(vector)
        for failure in failures {
            Issue.record(Comment(rawValue: failure))
        }
    }

    // MARK: The vectors and schemas themselves

    @Test func theVectorsAreWellFormedAndCoverEveryMessage() throws {
        #expect(Self.vectorFiles.count >= 12, "at least 12 vector files in \(ConformancePaths.vectorsDirectory.path)")
        var names: Set<String> = []
        var responseSchemas: Set<String> = []
        var requestSchemas: Set<String> = []
        var statuses: Set<Int> = []
        for file in Self.vectorFiles {
            let vector = try ConformanceVector.load(file)
            #expect(names.insert(vector.name).inserted, "vector name \(vector.name) used twice")
            #expect(file == vector.name + ".json", "\(file) holds the vector \(vector.name)")
            #expect(!vector.steps.isEmpty, "\(file) has no steps")
            for step in vector.steps {
                statuses.insert(step.response.status)
                responseSchemas.insert(ConformanceRunner.responseSchema(path: step.request.path, status: step.response.status))
                if step.request.body != nil,
                    let schema = ConformanceRunner.requestSchema(method: step.request.method, path: step.request.path)
                {
                    requestSchemas.insert(schema)
                }
            }
        }
        let messages = [
            "HealthResponse", "InfoResponse", "LoginResponse", "PushResponse", "PullResponse", "ErrorResponse",
        ].map { $0 + ".schema.json" }
        for schema in messages {
            #expect(responseSchemas.contains(schema), "no vector step checks a response against \(schema)")
        }
        for schema in ["LoginRequest", "PushRequest", "PullRequest"].map({ $0 + ".schema.json" }) {
            #expect(requestSchemas.contains(schema), "no vector step sends a \(schema) body")
        }
        for status in [200, 400, 401, 403, 404, 405, 409, 413, 415, 429] {
            #expect(statuses.contains(status), "no vector expects HTTP \(status)")
        }
    }

    @Test func everySchemaIsDraft2020WithAnIdAndOnlySupportedKeywords() throws {
        let validator = try Self.validator()
        #expect(validator.documents.count >= 10)
        for (name, document) in validator.documents {
            #expect(document["$schema"] == "https://json-schema.org/draft/2020-12/schema", "\(name) $schema")
            #expect(document["$id"]?.stringValue?.hasSuffix("/" + name) == true, "\(name) $id ends with its file name")
        }
    }

    /// The JSON examples of `Protocol/README.md` and `Protocol/mutations.md` are valid messages.
    @Test func theDocumentationExamplesMatchTheSchemas() throws {
        let validator = try Self.validator()
        var checked = 0
        for document in ["README.md", "mutations.md"] {
            let url = ConformancePaths.protocolDirectory.appendingPathComponent(document)
            let text = try String(contentsOf: url, encoding: .utf8)
            for (index, block) in Self.jsonBlocks(text).enumerated() {
                let value = try #require(try? JSONParser.parse(block), "\(document) JSON example \(index + 1) does not parse")
                let schema = try #require(Self.exampleSchema(value), "\(document) JSON example \(index + 1) is no known message")
                let violations = validator.validate(value, against: schema)
                #expect(violations.isEmpty, "\(document) JSON example \(index + 1) (\(schema)): \(violations)")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    /// The contents of the ```json fenced blocks of a Markdown text.
    static func jsonBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```json" {
                current = []
            } else if current != nil, trimmed == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Which message an example is, by its members.
    static func exampleSchema(_ value: JSONValue) -> String? {
        let keys = Set(value.objectValue?.keys.map { $0 } ?? [])
        let name: String? =
            if keys.contains("error") { "ErrorResponse" }
            else if keys.contains("password") { "LoginRequest" }
            else if keys.contains("token") { "LoginResponse" }
            else if keys.contains("mutations") { "PushRequest" }
            else if keys.contains("changeSets") { "PullResponse" }
            else if keys.contains("resultsAfter") { "PullRequest" }
            else if keys.contains("results") { "PushResponse" }
            else if keys.contains("protocolVersions") { "InfoResponse" }
            else if keys == ["status"] { "HealthResponse" }
            else { nil }
        return name.map { $0 + ".schema.json" }
    }

    // MARK: Negative tests: the checks can fail

    @Test func theValidatorRefusesWrongBodies() throws {
        let validator = try Self.validator()
        let applied: JSONValue = ["id": 1, "status": "applied", "version": 4]
        let goodPush: JSONValue = ["results": [applied], "lastMutationId": 1]
        #expect(validator.validate(goodPush, against: "PushResponse.schema.json").isEmpty)

        let wrong: [(JSONValue, String)] = [
            (["results": [applied]], "PushResponse.schema.json"),
            (["results": [["id": 1, "status": "done"]], "lastMutationId": 1], "PushResponse.schema.json"),
            (["results": [["id": 1, "status": "rejected", "message": "no code"]], "lastMutationId": 1], "PushResponse.schema.json"),
            (["results": [["id": 1, "status": "applied", "code": "x", "message": "y"]], "lastMutationId": 1], "PushResponse.schema.json"),
            (["results": [["id": 0, "status": "applied"]], "lastMutationId": 0], "PushResponse.schema.json"),
            (["results": [["id": 1, "status": "applied", "duplicate": false]], "lastMutationId": 1], "PushResponse.schema.json"),
            (["results": [], "lastMutationId": "1"], "PushResponse.schema.json"),
            (["results": [], "lastMutationId": 1, "extra": true], "PushResponse.schema.json"),
            (["status": "down"], "HealthResponse.schema.json"),
            (["server": "s", "protocolVersions": [1], "serverTime": "2026-11-27T10:00:00Z"], "InfoResponse.schema.json"),
            (["server": "s", "protocolVersions": [], "serverTime": "2026-11-27T10:00:00.000Z"], "InfoResponse.schema.json"),
            (["error": ["code": "mutation_gap", "message": "m"]], "ErrorResponse.schema.json"),
            (["error": ["code": "not_found", "message": "m", "details": ["lastMutationId": 1]]], "ErrorResponse.schema.json"),
            (["error": ["code": "Not Found", "message": "m"]], "ErrorResponse.schema.json"),
            (["error": ["code": "not_found"]], "ErrorResponse.schema.json"),
            (
                [
                    "changeSets": [["version": 1, "changes": [["collection": "c", "id": "1", "op": "delete", "body": [:]]]]],
                    "cursor": 1, "hasMore": false, "lastMutationId": 0, "results": [], "serverId": "s",
                    "serverTime": "2026-11-27T10:00:00.000Z",
                ],
                "PullResponse.schema.json"
            ),
            (
                [
                    "changeSets": [["version": 1, "changes": []]], "cursor": 1, "hasMore": false, "lastMutationId": 0,
                    "results": [], "serverId": "s", "serverTime": "2026-11-27T10:00:00.000Z",
                ],
                "PullResponse.schema.json"
            ),
            (
                [
                    "protocolVersion": 1, "clientId": "c",
                    "mutations": [["id": 1, "name": "n", "args": [:], "occurredAt": "2026-11-27T10:00:00Z", "hlc": "1-0"]],
                ],
                "PushRequest.schema.json"
            ),
            (["protocolVersion": 1, "clientId": "c", "cursor": -1, "resultsAfter": 0], "PullRequest.schema.json"),
            (["protocolVersion": 1, "user": "u", "password": "p", "clientId": "", "deviceName": "d", "appVersion": "a"], "LoginRequest.schema.json"),
        ]
        for (body, schema) in wrong {
            #expect(!validator.validate(body, against: schema).isEmpty, "\(schema) accepted \(body)")
        }
    }

    @Test func theValidatorRefusesSchemasWithUnsupportedKeywords() {
        #expect(throws: ConformanceSchemaValidator.SchemaError.self) {
            try ConformanceSchemaValidator(documents: ["X.schema.json": ["type": "object", "patternProperties": [:]]])
        }
        #expect(throws: ConformanceSchemaValidator.SchemaError.self) {
            try ConformanceSchemaValidator(documents: ["X.schema.json": ["properties": ["a": ["if": true]]]])
        }
    }

    @Test func theMatcherRefusesMismatches() {
        var matcher = ConformanceMatcher()
        let actual: JSONValue = [
            "token": "abc", "count": 2, "when": "2026-11-27T10:00:00.000Z", "list": [1, 2], "nested": ["a": 1, "b": 2],
        ]
        let good: JSONValue = [
            "token": "$capture:token:$string", "count": "$integer", "when": "$timestamp", "list": [1, 2],
            "nested": ["a": 1, "$partial": true],
        ]
        #expect(matcher.match(good, actual).isEmpty)
        #expect(matcher.captures["token"] == "abc")
        #expect(matcher.match(["t": "{{token}}"], ["t": "abc"]).isEmpty)
        #expect((try? matcher.interpolate("Bearer {{token}}")) == "Bearer abc")

        let wrong: [(JSONValue, JSONValue)] = [
            (["a": 1], ["a": 1, "b": 2]),  // extra member without $partial
            (["a": 1, "b": 2], ["a": 1]),  // missing member
            ([1, 2], [1, 2, 3]),  // arrays have exact length
            (["$any"], [1, 2]),
            ("$integer", "1"),
            ("$integer", 1.5),
            ("$string", 1),
            ("$timestamp", "2026-11-27T10:00:00Z"),
            ("$timestamp", "2026-13-27T10:00:00.000Z"),
            ("$hlc", "001795000000000-00AB"),
            ("$boolean", "true"),
            (["a": "$absent"], ["a": nil]),
            ("{{token}}", "abd"),
            ("{{missing}}", "abc"),
            ("$bogus", "x"),
            ("$$any", "x"),
            (1, "1"),
            (nil, false),
            (["a": ["b": [1]]], ["a": ["b": [2]]]),
        ]
        for (expected, value) in wrong {
            #expect(!matcher.match(expected, value).isEmpty, "\(expected) matched \(value)")
        }
        #expect(matcher.match("$$any", "$any").isEmpty, "$$ escapes a literal $")
        #expect(throws: ConformanceMatcher.SubstitutionError.self) { try matcher.interpolate("Bearer {{nobody}}") }
    }

    @Test func theRepeatAndIndexSubstitutionsExpand() throws {
        let matcher = ConformanceMatcher()
        let expanded = try matcher.substitute(["list": [0, ["$repeat": 3, "value": ["id": "{{$index}}", "n": "n{{$index}}"]]]])
        #expect(expanded == ["list": [0, ["id": 1, "n": "n1"], ["id": 2, "n": "n2"], ["id": 3, "n": "n3"]]])
        #expect(try matcher.interpolate("{{repeat:3:ab}}") == "ababab")
    }

    /// A vector with a wrong expectation, replayed against the real server, is reported.
    @Test func aWrongExpectationFailsAgainstTheRealServer() async throws {
        let vector = try ConformanceVector.parse(
            [
                "name": "negative", "description": "Deliberately wrong expectations.",
                "steps": [
                    [
                        "name": "health with a wrong body",
                        "request": ["method": "GET", "path": "/healthz"],
                        "response": ["status": 200, "body": ["status": "down"]],
                    ]
                ],
            ],
            file: "negative.json"
        )
        let failures = try await ConformanceRunner(validator: try Self.validator()).run(vector)
        #expect(failures.count == 1)
        #expect(failures.first?.contains("expected \"down\"") == true, "\(failures)")

        let wrongStatus = try ConformanceVector.parse(
            [
                "name": "negative-status", "description": "Deliberately wrong status.",
                "steps": [
                    [
                        "name": "unknown path expected to exist",
                        "request": ["method": "GET", "path": "/nowhere"],
                        "response": ["status": 200, "body": ["error": ["code": "not_found", "message": "$string"]]],
                    ]
                ],
            ],
            file: "negative-status.json"
        )
        let statusFailures = try await ConformanceRunner(validator: try Self.validator()).run(wrongStatus)
        #expect(statusFailures.contains { $0.contains("status 404, expected 200") }, "\(statusFailures)")
    }
}
