import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin agenda --user NAME [--as-of DATE] [--dias N] [--json]`: a user's agenda
/// from the server's records, as their device computes it.
enum AdminAgenda {
    static let spec = CommandSpec(
        path: "gestion-server admin agenda",
        overview: "What is due today, due soon and overdue for a user, as their device shows it.",
        options: [
            ServerCommandLine.dataDirectoryOption,
            .value("user", "<name>", "The user whose agenda to show."),
            .value("as-of", "<date>", "The Mexico City day (YYYY-MM-DD) to compute it for (default: today)."),
            .value("dias", "<n>", "How many days ahead count as due soon (default: \(Agenda.diasProximosPredeterminados))."),
            .flag("json", "Print JSON instead of text (the same as 'gestion agenda --json' on the user's device)."),
        ] + AdminAuthorization.options,
        discussion: """
            The records are those the user's devices receive (the same scope as their sync), the plazos those in
            force, and the lists come from the same function as the device's 'gestion agenda': once the device has
            synced, both show the same.
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        _ = try parsed.positionals(exactly: 1, names: "")
        let name = try parsed.required("user").lowercased()
        let dias = try parsed.integer("dias", default: Agenda.diasProximosPredeterminados, in: 0...366)
        var hoy = CalendarioMX.fecha(ExecutableClock.fromEnvironment()())
        if let text = parsed.values["as-of"] {
            guard let fecha = FechaCivil(text) else { throw UsageError("'--as-of' must be a date like 2026-12-28.") }
            hoy = fecha
        }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        _ = try AdminAuthorization.authorize(.agenda, parsed: parsed, store: store)
        let agenda: Agenda
        do {
            guard let user = try store.user(id: name) else { throw CommandFailure("There is no user '\(name)'.") }
            let registros = try store.records(visibleTo: PullAudience(user: user.profile, policy: Mediacion.registry.replication))
            agenda = Agenda.calcular(usuario: user.profile, registros: registros, hoy: hoy, diasProximos: dias)
        } catch let error as SyncStoreError {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(try JSONValueEncoder().encode(agenda)))
        } else {
            print(agenda.texto, terminator: "")
        }
        return ExitStatus.success
    }
}
