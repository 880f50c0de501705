import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin sweep [--as-of DATE]`.
enum AdminSweep {
    static let spec = CommandSpec(
        path: "gestion-server admin sweep",
        overview: "Close the cases whose deadline passed: day 32 with nothing recorded, day 91 with no session (G10, G15).",
        options: [
            .value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory))."),
            .value("as-of", "<date>", "Run as on this Mexico City day (YYYY-MM-DD), e.g. to catch up after downtime."),
        ] + AdminAuthorization.options,
        discussion: """
            Idempotent: a closed case is not closed again. Every closure is in the audit trail, and a timely
            action recorded offline that arrives later undoes it.
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        _ = try parsed.positionals(exactly: 1, names: "")
        var now = ExecutableClock.fromEnvironment()()
        if let text = parsed.values["as-of"] {
            guard let fecha = FechaCivil(text) else { throw UsageError("'--as-of' must be a date like 2026-12-28.") }
            now = CalendarioMX.inicio(fecha).addingTimeInterval(12 * 3600)
        }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let actor = try AdminAuthorization.authorize(.sweep, parsed: parsed, store: store)
        let report: DeadlineSweeper.Report
        do {
            report = try DeadlineSweeper.run(store: store, now: now)
            try store.appendAudit(
                AuditEntry(
                    kind: "admin", action: "sweep", actor: actor.user, role: actor.role, device: "gestion-server",
                    outcome: "ok:\(report.closed.count) closed of \(report.examined) open cases on \(CalendarioMX.fecha(now))"
                ),
                at: now
            )
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        print("Examined \(report.examined) open cases on \(CalendarioMX.fecha(now)): \(report.closed.count) closed automatically.")
        for closed in report.closed { print("  \(closed.caso): \(closed.mutation)") }
        for refused in report.refused { print("  \(refused.caso) not closed: \(refused.reason)") }
        return ExitStatus.success
    }
}
