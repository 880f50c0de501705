import CommandLineSupport
import Foundation
import GestionLogging
import GestionServer
import Mediacion
import SyncCore

enum ServerCommandLine {
    static let version = "0.1.0"
    static let defaultDataDirectory = "./gestion-data"

    /// `--data-dir` of every admin subcommand.
    static let dataDirectoryOption = OptionSpec.value(
        "data-dir", "<dir>", "The server's data directory (default: \(defaultDataDirectory))."
    )

    static let top = CommandSpec(
        path: "gestion-server",
        overview: "The GestionSync server: syncs the field devices of Gestión Móvil's mediation service.",
        options: [.flag("version", "Show the version.")],
        subcommands: [
            ("serve", "Serve the sync API (what running with no subcommand does)."),
            ("admin", "Administration: users, devices, the assignment import, deadlines, reports, settings, the audit trail, restore."),
        ],
        discussion: "Run with no arguments to serve on 127.0.0.1:8080 with the data in \(defaultDataDirectory)."
    )

    static let serve = CommandSpec(
        path: "gestion-server serve",
        overview: "Serve the sync API over HTTP/1.1 until SIGINT or SIGTERM.",
        options: [
            .value("data-dir", "<dir>", "Where the database lives (default: \(defaultDataDirectory))."),
            .value("host", "<host>", "Address to listen on (default: 127.0.0.1)."),
            .value("port", "<port>", "TCP port; 0 picks a free one (default: 8080)."),
            .value("log-level", "<level>", "debug, info, notice, warning or error (default: info)."),
            .value("token-lifetime", "<seconds>", "How long a login lasts (default: 1209600, 14 days)."),
            .value("max-offline-days", "<days>", "Days without a sync after which a device locks until its user signs in (default: 30)."),
            .value("max-connections", "<n>", "Connections served at once (default: 512)."),
            .value(
                "max-connections-per-address", "<n>",
                "Connections at once from one address; 0 for no limit, behind a reverse proxy (default: 64)."
            ),
            .value("header-deadline", "<seconds>", "Time a client has to send a request head (default: 10)."),
            .value(
                "max-pull-wait", "<seconds>",
                "Longest a pull with nothing new is held for its waitMs (long poll); 0 answers at once (default: 25)."
            ),
            .value("sweep-interval", "<minutes>", "How often the automatic closures (day 32, day 91) run; 0 turns them off (default: 60)."),
        ],
        discussion: """
            The server logs one logfmt line per event to standard error, never borrowers' personal data.
            On SIGINT or SIGTERM it stops accepting, lets requests in flight finish, and closes the database.
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let first = arguments.first else { return try Serve.run(ParsedArguments([], options: serve.options)) }
        switch first {
        case "serve":
            let parsed = try ParsedArguments(arguments.dropFirst(), options: serve.options)
            if parsed.wantsHelp { print(serve.help, terminator: ""); return ExitStatus.success }
            _ = try parsed.positionals(exactly: 0, names: "")
            return try Serve.run(parsed)
        case "admin":
            return try Admin.run(Array(arguments.dropFirst()))
        default:
            let parsed = try ParsedArguments(arguments, options: top.options)
            if parsed.wantsHelp { print(top.help, terminator: ""); return ExitStatus.success }
            if parsed.flags.contains("version") { print("gestion-server \(version)"); return ExitStatus.success }
            if let unknown = parsed.positionals.first { throw UsageError("Unknown subcommand '\(unknown)'.") }
            return try Serve.run(ParsedArguments([], options: serve.options))
        }
    }

    static func dataDirectory(_ parsed: ParsedArguments) -> URL {
        URL(fileURLWithPath: parsed.values["data-dir"] ?? defaultDataDirectory, isDirectory: true)
    }

    /// The server's logger; `serve` gathers debug and info lines for up to 20 ms (one write per
    /// batch instead of one per request), every other level is written at once.
    static func logger(_ parsed: ParsedArguments) throws(UsageError) -> Logger {
        var level = LogLevel.info
        if let name = parsed.values["log-level"] {
            guard let parsedLevel = LogLevel(name: name) else { throw UsageError("Unknown log level '\(name)'.") }
            level = parsedLevel
        }
        return Logger(label: "gestion-server", minimumLevel: level, handler: StandardErrorLogHandler(flushEvery: .milliseconds(20)))
    }

    /// PBKDF2 iterations for password hashes. Production uses the default; the test suite lowers
    /// it through GESTION_PASSWORD_ITERATIONS to keep tests fast.
    static var passwordIterations: Int {
        if let text = ProcessInfo.processInfo.environment["GESTION_PASSWORD_ITERATIONS"], let value = Int(text), value > 0 {
            return value
        }
        return ServerConfiguration.minimumPasswordIterations
    }

    /// The server author of imports and other server-side actions. Its client id has a `:`,
    /// which device client ids never have.
    static let systemAuthor = MutationAuthor(userID: "sistema", role: Rol.operacion.rawValue, clientID: "server:gestion-server")

    static func openStore(_ parsed: ParsedArguments) throws -> SQLiteSyncStore {
        do {
            return try SQLiteSyncStore(directory: dataDirectory(parsed))
        } catch {
            throw CommandFailure(describe(error))
        }
    }

    static func describe(_ error: SyncStoreError) -> String {
        switch error {
        case .storageFull: "The disk is full."
        case .busy: "The database is busy (another process holds it); try again."
        case .unusable(let detail): detail
        case .failed(let detail): detail
        case .userExists(let id): "The user '\(id)' already exists."
        default: "\(error)"
        }
    }
}

/// A failure to report in one sentence, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
