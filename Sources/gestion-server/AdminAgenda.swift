import CommandLineSupport
import Foundation
import GestionServer

/// `gestion-server admin agenda`: not built yet (issue 5).
enum AdminAgenda {
    static let spec = CommandSpec(
        path: "gestion-server admin agenda",
        overview: "What is due today, due soon and overdue for a user, as their device shows it.",
        options: [
            .value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory))."),
            .value("user", "<name>", "The user whose agenda to show."),
        ] + AdminAuthorization.options
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        _ = try AdminAuthorization.authorize(.agenda, parsed: parsed, store: store)
        throw CommandFailure("'admin agenda' is not available in this version yet.")
    }
}
