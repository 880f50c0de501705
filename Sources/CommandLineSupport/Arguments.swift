import Foundation

/// Exit statuses of the executables.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// Something went wrong while running (a refused action, no connection, a bad file).
    public static let failure: Int32 = 1
    /// The command line itself is wrong (`EX_USAGE`).
    public static let usage: Int32 = 64
}

/// A command line that cannot be understood; printed with the usage line, exit 64.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// One option a command accepts.
public struct OptionSpec: Sendable {
    public var name: String
    /// The value's placeholder (`<dir>`), or `nil` for a flag.
    public var valueName: String?
    public var help: String

    /// An option with a value: `--port <port>`.
    public static func value(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help)
    }

    /// A flag: `--json`.
    public static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }
}

/// A command's description for parsing and for `--help`.
public struct CommandSpec: Sendable {
    public var path: String
    public var overview: String
    /// Positional arguments, for the usage line: `<file.csv>`.
    public var arguments: [(name: String, help: String)]
    public var options: [OptionSpec]
    public var subcommands: [(name: String, help: String)]
    /// Extra text after the options.
    public var discussion: String?

    public init(
        path: String, overview: String, arguments: [(name: String, help: String)] = [], options: [OptionSpec] = [],
        subcommands: [(name: String, help: String)] = [], discussion: String? = nil
    ) {
        self.path = path
        self.overview = overview
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.discussion = discussion
    }

    public var usage: String {
        var parts = [path]
        if !subcommands.isEmpty { parts.append("<subcommand>") }
        for option in options {
            parts.append(option.valueName.map { "[--\(option.name) \($0)]" } ?? "[--\(option.name)]")
        }
        parts.append(contentsOf: arguments.map(\.name))
        return parts.joined(separator: " ")
    }

    /// OVERVIEW / USAGE / ARGUMENTS / OPTIONS / SUBCOMMANDS, like swift-argument-parser.
    public var help: String {
        var out = "OVERVIEW: \(overview)\n\nUSAGE: \(usage)\n"
        func row(_ left: String, _ right: String) -> String {
            // A name too long for its column goes on its own line; the text starts in the column.
            let padded = left.count < 26 ? left.padding(toLength: 26, withPad: " ", startingAt: 0) : left + "\n" + String(repeating: " ", count: 28)
            return "  " + padded + right + "\n"
        }
        if !arguments.isEmpty {
            out += "\nARGUMENTS:\n"
            for argument in arguments { out += row(argument.name, argument.help) }
        }
        out += "\nOPTIONS:\n"
        for option in options {
            out += row("--\(option.name)" + (option.valueName.map { " \($0)" } ?? ""), option.help)
        }
        out += row("-h, --help", "Show help information.")
        if !subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            for subcommand in subcommands { out += row(subcommand.name, subcommand.help) }
        }
        if let discussion { out += "\n" + discussion + "\n" }
        return out
    }
}

/// The parsed command line of one command.
public struct ParsedArguments: Sendable, Equatable {
    public var positionals: [String] = []
    public var values: [String: String] = [:]
    public var flags: Set<String> = []
    public var wantsHelp = false

    /// Parses `arguments` against `options`: `--name value`, `--name=value`, flags, and `--`
    /// to end options. Unknown options and missing values are usage errors.
    public init(_ arguments: some Sequence<String>, options: [OptionSpec]) throws(UsageError) {
        var iterator = arguments.makeIterator()
        var onlyPositionals = false
        while let argument = iterator.next() {
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "-h" || argument == "--help" {
                wantsHelp = true
                continue
            }
            guard argument.hasPrefix("--") else { throw UsageError("Unknown option '\(argument)'.") }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw UsageError("Unknown option '--\(name)'.")
            }
            if spec.valueName == nil {
                guard inlineValue == nil else { throw UsageError("The flag '--\(name)' takes no value.") }
                flags.insert(name)
            } else if let inlineValue {
                values[name] = inlineValue
            } else if let next = iterator.next() {
                values[name] = next
            } else {
                throw UsageError("Missing value for '--\(name)'.")
            }
        }
    }

    /// The value of `--name`, or a usage error saying it is required.
    public func required(_ name: String) throws(UsageError) -> String {
        guard let value = values[name], !value.isEmpty else { throw UsageError("Missing '--\(name)'.") }
        return value
    }

    /// The value of `--name` as an integer in `range`.
    public func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("'--\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// Exactly `count` positional arguments.
    public func positionals(exactly count: Int, names: String) throws(UsageError) -> [String] {
        guard positionals.count == count else {
            throw UsageError(
                positionals.count < count ? "Missing \(names)." : "Unexpected argument '\(positionals[count])'."
            )
        }
        return positionals
    }
}

/// Reads a secret from standard input: the first line, without its line ending.
public func readSecretFromStandardInput() -> String? {
    guard let line = readLine(strippingNewline: true) else { return nil }
    return line.hasSuffix("\r") ? String(line.dropLast()) : line
}

/// Writes `text` to standard error.
public func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
