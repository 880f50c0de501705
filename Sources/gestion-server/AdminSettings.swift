import CommandLineSupport
import Foundation
import GestionServer

/// `gestion-server admin settings`: not built yet (issue 5).
enum AdminSettings {
    static let spec = CommandSpec(
        path: "gestion-server admin settings",
        overview: "The plazos and other settings, in days; `settings set NAME VALUE` changes one.",
        options: [
            .value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory))."),
            
        ] + AdminAuthorization.options
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        _ = try AdminAuthorization.authorize(parsed.positionals.dropFirst().first == "set" ? .settingsSet : .settingsShow, parsed: parsed, store: store)
        throw CommandFailure("'admin settings' is not available in this version yet.")
    }
}
