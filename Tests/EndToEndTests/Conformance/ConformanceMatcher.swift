import Foundation
import SyncCore

/// The placeholder language of `Protocol/vectors/README.md`: matches actual JSON against an
/// expected template, captures values, and substitutes them into later requests.
struct ConformanceMatcher {
    /// Values stored by `"$capture:name"`, by name.
    private(set) var captures: [String: JSONValue] = [:]

    /// RFC 3339 exactly as the server writes it: UTC, milliseconds.
    static let serverTimestampPattern = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"#
    static let hlcPattern = #"^[0-9]{15}-[0-9a-f]{4}$"#

    init(captures: [String: JSONValue] = [:]) {
        self.captures = captures
    }

    // MARK: Matching

    /// The differences between `expected` (a template) and `actual` (`nil`: absent), one line each.
    /// Captures are stored as they match.
    mutating func match(_ expected: JSONValue, _ actual: JSONValue?, at path: String = "$") -> [String] {
        switch expected {
        case .string(let text):
            return matchString(text, actual, at: path)
        case .object(var members):
            guard let actual else { return ["\(path): missing, expected an object"] }
            guard case .object(let actualMembers) = actual else {
                return ["\(path): expected an object, found \(actual.kindName) \(actual)"]
            }
            var partial = false
            if let flag = members.removeValue(forKey: "$partial") {
                guard let value = flag.boolValue else { return ["\(path): \"$partial\" must be true or false"] }
                partial = value
            }
            var failures: [String] = []
            for key in members.keys.sorted() {
                failures += match(members[key]!, actualMembers[key], at: "\(path).\(key)")
            }
            if !partial {
                for key in actualMembers.keys.sorted() where members[key] == nil {
                    failures.append("\(path).\(key): unexpected member with value \(actualMembers[key]!)")
                }
            }
            return failures
        case .array(let elements):
            guard let actual else { return ["\(path): missing, expected an array"] }
            guard case .array(let actualElements) = actual else {
                return ["\(path): expected an array, found \(actual.kindName) \(actual)"]
            }
            guard elements.count == actualElements.count else {
                return ["\(path): expected \(elements.count) elements, found \(actualElements.count): \(actual)"]
            }
            var failures: [String] = []
            for (index, element) in elements.enumerated() {
                failures += match(element, actualElements[index], at: "\(path)[\(index)]")
            }
            return failures
        case .null, .bool, .int, .double:
            guard let actual else { return ["\(path): missing, expected \(expected)"] }
            return actual == expected && actual.kindName == expected.kindName
                ? [] : ["\(path): expected \(expected), found \(actual)"]
        }
    }

    private mutating func matchString(_ text: String, _ actual: JSONValue?, at path: String) -> [String] {
        if text == "$absent" {
            return actual.map { ["\(path): expected no member, found \($0)"] } ?? []
        }
        guard let actual else { return ["\(path): missing, expected \(JSONValue.string(text))"] }
        if text.hasPrefix("$$") {
            return actual == .string(String(text.dropFirst())) ? [] : ["\(path): expected \"\(text.dropFirst())\", found \(actual)"]
        }
        if text.hasPrefix("$capture:") {
            let spec = text.dropFirst("$capture:".count)
            let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard Self.isCaptureName(name) else { return ["\(path): invalid capture name in \"\(text)\""] }
            let failures = parts.count > 1 ? matchString(String(parts[1]), actual, at: path) : []
            if failures.isEmpty { captures[name] = actual }
            return failures
        }
        if text.hasPrefix("$") {
            return matchPlaceholder(text, actual, at: path)
        }
        if let name = Self.wholeReference(text) {
            guard let captured = captures[name] else { return ["\(path): nothing was captured as \"\(name)\""] }
            return captured == actual && captured.kindName == actual.kindName
                ? [] : ["\(path): expected the captured \(name) = \(captured), found \(actual)"]
        }
        let expectedText: String
        do {
            expectedText = try interpolate(text)
        } catch {
            return ["\(path): \(error)"]
        }
        return actual == .string(expectedText) ? [] : ["\(path): expected \(JSONValue.string(expectedText)), found \(actual)"]
    }

    private func matchPlaceholder(_ placeholder: String, _ actual: JSONValue, at path: String) -> [String] {
        let ok: Bool
        switch placeholder {
        case "$any": ok = true
        case "$string": ok = actual.stringValue != nil
        case "$integer":
            if case .int = actual { ok = true } else { ok = false }
        case "$number": ok = actual.doubleValue != nil
        case "$boolean": ok = actual.boolValue != nil
        case "$object": ok = actual.objectValue != nil
        case "$array": ok = actual.arrayValue != nil
        case "$timestamp":
            if let text = actual.stringValue {
                ok = Self.matches(text, Self.serverTimestampPattern) && RFC3339.date(from: text) != nil
            } else {
                ok = false
            }
        case "$hlc":
            ok = actual.stringValue.map { Self.matches($0, Self.hlcPattern) } ?? false
        default:
            return ["\(path): unknown placeholder \"\(placeholder)\" (write \"$\(placeholder)\" for a literal)"]
        }
        return ok ? [] : ["\(path): expected \(placeholder), found \(actual)"]
    }

    // MARK: Substitution

    /// Why a template could not be filled in.
    struct SubstitutionError: Error, CustomStringConvertible {
        var description: String
    }

    /// `template` with `"{{name}}"` replaced by captured values and `{"$repeat": n, "from": i, "value": v}`
    /// array elements expanded (`{{$index}}` counts from `from`, default 1).
    func substitute(_ template: JSONValue, index: Int? = nil) throws(SubstitutionError) -> JSONValue {
        switch template {
        case .string(let text):
            if let name = Self.wholeReference(text), name != "$index" {
                guard let value = captures[name] else { throw SubstitutionError(description: "nothing was captured as \"\(name)\"") }
                return value
            }
            if text == "{{$index}}" {
                guard let index else { throw SubstitutionError(description: "{{$index}} outside a $repeat") }
                return .int(Int64(index))
            }
            return .string(try interpolate(text, index: index))
        case .array(let elements):
            var out: [JSONValue] = []
            for element in elements {
                if let members = element.objectValue, members["$repeat"] != nil {
                    guard Set(members.keys).isSubset(of: ["$repeat", "from", "value"]), let value = members["value"],
                        let count = members["$repeat"]?.int64Value, count >= 0, count <= 100_000,
                        let from = (members["from"] ?? 1).int64Value
                    else {
                        throw SubstitutionError(description: "expected {\"$repeat\": COUNT (0...100000), \"from\": FIRST, \"value\": V}")
                    }
                    for n in 0..<count { out.append(try substitute(value, index: Int(from + n))) }
                } else {
                    out.append(try substitute(element, index: index))
                }
            }
            return .array(out)
        case .object(let members):
            var out: JSONObject = [:]
            for (key, value) in members { out[key] = try substitute(value, index: index) }
            return .object(out)
        case .null, .bool, .int, .double:
            return template
        }
    }

    /// `text` with every `{{...}}` replaced: a captured value (strings as they are, other values as
    /// canonical JSON), `{{repeat:N:text}}`, or `{{$index}}` inside a `$repeat`.
    func interpolate(_ text: String, index: Int? = nil) throws(SubstitutionError) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw SubstitutionError(description: "unclosed {{ in \"\(text)\"")
            }
            let token = String(rest[open.upperBound..<close.lowerBound])
            out += try expand(token, index: index)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    private func expand(_ token: String, index: Int?) throws(SubstitutionError) -> String {
        if token == "$index" {
            guard let index else { throw SubstitutionError(description: "{{$index}} outside a $repeat") }
            return String(index)
        }
        if token.hasPrefix("repeat:") {
            let parts = token.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let count = Int(parts[1]), count >= 0, count <= 10_000_000 else {
                throw SubstitutionError(description: "expected {{repeat:COUNT:TEXT}}, found {{\(token)}}")
            }
            return String(repeating: String(parts[2]), count: count)
        }
        guard Self.isCaptureName(token) else { throw SubstitutionError(description: "invalid reference {{\(token)}}") }
        guard let value = captures[token] else { throw SubstitutionError(description: "nothing was captured as \"\(token)\"") }
        return value.stringValue ?? JSONSerializer.string(value)
    }

    // MARK: Helpers

    /// `name` when `text` is exactly `{{name}}`.
    static func wholeReference(_ text: String) -> String? {
        guard text.hasPrefix("{{"), text.hasSuffix("}}"), text.count > 4 else { return nil }
        let inner = String(text.dropFirst(2).dropLast(2))
        return inner.contains("{{") || inner.contains("}}") || !(isCaptureName(inner) || inner == "$index") ? nil : inner
    }

    static func isCaptureName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_.-".unicodeScalars.contains($0)
        }
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
