import CommandLineSupport
import Foundation
import GestionServer

/// `gestion-server admin report`: not built yet (issue 5).
enum AdminReport {
    static let spec = CommandSpec(
        path: "gestion-server admin report",
        overview: "The institution's monthly reports and outputs to other systems, as .xlsx or CSV.",
        options: [
            .value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory))."),
            .value("month", "<YYYY-MM>", "The calendar month (Mexico City)."),
            .value("format", "<xlsx|csv>", "The file format (default: xlsx)."),
            .value("out", "<file>", "Where to write the report."),
        ] + AdminAuthorization.options
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        _ = try AdminAuthorization.authorize(.report, parsed: parsed, store: store)
        throw CommandFailure("'admin report' is not available in this version yet.")
    }
}
