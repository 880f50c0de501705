import Foundation
import SyncCore

/// A JSON Schema (draft 2020-12) validator for the subset of keywords `Protocol/schemas/` uses.
///
/// A schema using any other keyword is refused when loaded, so a schema cannot carry a
/// constraint that this validator would silently skip.
struct ConformanceSchemaValidator: Sendable {
    /// Keywords that constrain instances.
    static let assertions: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "enum", "const",
        "pattern", "minimum", "maximum", "minLength", "maxLength", "$ref", "oneOf", "anyOf", "allOf", "not",
    ]
    /// Keywords that only annotate (or, for `format`, are ignored as the draft allows).
    static let annotations: Set<String> = [
        "$schema", "$id", "$defs", "$comment", "title", "description", "examples", "format", "default",
    ]

    struct SchemaError: Error, CustomStringConvertible {
        var description: String
    }

    /// Schema documents by file name (`PushRequest.schema.json`).
    let documents: [String: JSONValue]

    init(documents: [String: JSONValue]) throws(SchemaError) {
        self.documents = documents
        for (name, document) in documents {
            try Self.checkKeywords(document, at: name + "#")
        }
    }

    /// Loads every `*.schema.json` of `directory`.
    init(directory: URL) throws {
        var documents: [String: JSONValue] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".schema.json") {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            documents[name] = try JSONParser.parse(Array(data))
        }
        try self.init(documents: documents)
    }

    /// Every violation of `instance` against the schema file `file`, one line each; empty when valid.
    func validate(_ instance: JSONValue, against file: String) -> [String] {
        guard let schema = documents[file] else { return ["no schema \(file)"] }
        return evaluate(schema, document: file, instance, at: "$", depth: 0)
    }

    // MARK: Evaluation

    private func evaluate(_ schema: JSONValue, document: String, _ instance: JSONValue, at path: String, depth: Int) -> [String] {
        guard depth < 64 else { return ["\(path): $ref nesting too deep"] }
        if case .bool(let allowed) = schema { return allowed ? [] : ["\(path): no value is allowed here"] }
        guard let keywords = schema.objectValue else { return ["\(path): a schema must be an object or a boolean"] }
        var failures: [String] = []

        if let reference = keywords["$ref"]?.stringValue {
            do {
                let (target, targetDocument) = try resolve(reference, from: document)
                failures += evaluate(target, document: targetDocument, instance, at: path, depth: depth + 1)
            } catch {
                failures.append("\(path): \(error)")
            }
        }
        if let type = keywords["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !names.contains(where: { Self.hasType(instance, $0) }) {
                failures.append("\(path): expected \(names.joined(separator: " or ")), found \(instance.kindName) \(Self.short(instance))")
            }
        }
        if let constant = keywords["const"], !Self.equal(constant, instance) {
            failures.append("\(path): expected \(constant), found \(Self.short(instance))")
        }
        if let options = keywords["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, instance) }) {
            failures.append("\(path): \(Self.short(instance)) is not one of \(JSONValue.array(options))")
        }
        if case .string(let text) = instance {
            let length = text.unicodeScalars.count
            if let minimum = keywords["minLength"]?.int64Value, length < minimum {
                failures.append("\(path): shorter than \(minimum) characters")
            }
            if let maximum = keywords["maxLength"]?.int64Value, length > maximum {
                failures.append("\(path): longer than \(maximum) characters")
            }
            if let pattern = keywords["pattern"]?.stringValue {
                if let regex = try? NSRegularExpression(pattern: pattern) {
                    if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                        failures.append("\(path): \(Self.short(instance)) does not match \(pattern)")
                    }
                } else {
                    failures.append("\(path): invalid pattern \(pattern)")
                }
            }
        }
        if instance.doubleValue != nil {
            if let minimum = keywords["minimum"], Self.less(instance, minimum) {
                failures.append("\(path): \(instance) is less than \(minimum)")
            }
            if let maximum = keywords["maximum"], Self.less(maximum, instance) {
                failures.append("\(path): \(instance) is greater than \(maximum)")
            }
        }
        if case .array(let elements) = instance {
            if let minimum = keywords["minItems"]?.int64Value, elements.count < minimum {
                failures.append("\(path): fewer than \(minimum) elements")
            }
            if let maximum = keywords["maxItems"]?.int64Value, elements.count > maximum {
                failures.append("\(path): more than \(maximum) elements")
            }
            if let items = keywords["items"] {
                for (index, element) in elements.enumerated() {
                    failures += evaluate(items, document: document, element, at: "\(path)[\(index)]", depth: depth)
                }
            }
        }
        if case .object(let members) = instance {
            for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                failures.append("\(path).\(name): required")
            }
            let properties = keywords["properties"]?.objectValue ?? [:]
            for name in members.keys.sorted() {
                if let property = properties[name] {
                    failures += evaluate(property, document: document, members[name]!, at: "\(path).\(name)", depth: depth)
                } else if let additional = keywords["additionalProperties"] {
                    if case .bool(false) = additional {
                        failures.append("\(path).\(name): not allowed here")
                    } else {
                        failures += evaluate(additional, document: document, members[name]!, at: "\(path).\(name)", depth: depth)
                    }
                }
            }
        }
        if let all = keywords["allOf"]?.arrayValue {
            for subschema in all {
                failures += evaluate(subschema, document: document, instance, at: path, depth: depth)
            }
        }
        if let any = keywords["anyOf"]?.arrayValue {
            let outcomes = any.map { evaluate($0, document: document, instance, at: path, depth: depth) }
            if !outcomes.contains(where: \.isEmpty) {
                failures.append("\(path): matches none of anyOf: \(Self.summarize(outcomes))")
            }
        }
        if let one = keywords["oneOf"]?.arrayValue {
            let outcomes = one.map { evaluate($0, document: document, instance, at: path, depth: depth) }
            let matching = outcomes.count(where: \.isEmpty)
            if matching != 1 {
                failures.append(
                    matching == 0
                        ? "\(path): matches none of oneOf: \(Self.summarize(outcomes))"
                        : "\(path): matches \(matching) branches of oneOf, exactly one expected"
                )
            }
        }
        if let negated = keywords["not"], evaluate(negated, document: document, instance, at: path, depth: depth).isEmpty {
            failures.append("\(path): must not match \(negated)")
        }
        return failures
    }

    /// The schema a `$ref` points to: `#/$defs/X` in the same document or `file.schema.json#/$defs/X`.
    private func resolve(_ reference: String, from document: String) throws(SchemaError) -> (JSONValue, String) {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let file = parts[0].isEmpty ? document : String(parts[0])
        guard var target = documents[file] else { throw SchemaError(description: "$ref to an unknown document \(reference)") }
        let pointer = parts.count > 1 ? String(parts[1]) : ""
        for token in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = target[key] else { throw SchemaError(description: "$ref \(reference) points to nothing") }
            target = next
        }
        return (target, file)
    }

    // MARK: Keyword check

    /// Refuses keywords this validator does not implement, in every subschema.
    private static func checkKeywords(_ schema: JSONValue, at path: String) throws(SchemaError) {
        if case .bool = schema { return }
        guard let keywords = schema.objectValue else { throw SchemaError(description: "\(path): not a schema") }
        for (keyword, value) in keywords {
            guard assertions.contains(keyword) || annotations.contains(keyword) else {
                throw SchemaError(description: "\(path): unsupported keyword \"\(keyword)\"")
            }
            switch keyword {
            case "properties", "$defs":
                for (name, subschema) in value.objectValue ?? [:] { try checkKeywords(subschema, at: "\(path)/\(keyword)/\(name)") }
            case "items", "additionalProperties", "not":
                try checkKeywords(value, at: "\(path)/\(keyword)")
            case "oneOf", "anyOf", "allOf":
                for (index, subschema) in (value.arrayValue ?? []).enumerated() {
                    try checkKeywords(subschema, at: "\(path)/\(keyword)/\(index)")
                }
            default:
                break
            }
        }
    }

    // MARK: Values

    static func hasType(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .int), ("number", .double): true
        case ("integer", .int): true
        case ("integer", .double(let d)): d.rounded() == d && d.isFinite
        default: false
        }
    }

    /// JSON Schema equality: numbers by value, objects and arrays member by member.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        a == b && (a.doubleValue != nil) == (b.doubleValue != nil)
    }

    static func less(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .int(let x) = a, case .int(let y) = b { return x < y }
        guard let x = a.doubleValue, let y = b.doubleValue else { return false }
        return x < y
    }

    private static func short(_ value: JSONValue) -> String {
        let text = JSONSerializer.string(value)
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    private static func summarize(_ outcomes: [[String]]) -> String {
        outcomes.enumerated().map { "[\($0.offset): \($0.element.prefix(2).joined(separator: "; "))]" }.joined(separator: " ")
    }
}
