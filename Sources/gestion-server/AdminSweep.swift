import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin sweep [--as-of DATE]`.
enum AdminSweep {
    static let spec = CommandSpec(
        path: "gestion-server admin sweep",
        overview: "Close the cases whose deadline passed (day 32 with nothing recorded, day 91 with no session) and list overdue alerts.",
        options: [
            ServerCommandLine.dataDirectoryOption,
            .value("as-of", "<date>", "Run as on this past Mexico City day (YYYY-MM-DD), e.g. to catch up after downtime."),
        ] + AdminAuthorization.options,
        discussion: """
            Days are Mexico City calendar days and the plazos those in force ('admin settings'). Idempotent: a
            closed case is not closed again. Every closure is in the audit trail and the case's history, and a
            timely action recorded offline that arrives later undoes it. The overdue alerts of the other plazos
            are listed by setting with their cases; nothing is stored for them (each role's agenda shows them).
            The server runs the same sweep every hour (serve --sweep-interval).
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        _ = try parsed.positionals(exactly: 1, names: "")
        let clock = ExecutableClock.fromEnvironment()()
        let now = try instant(asOf: parsed.values["as-of"], clock: clock)
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let actor = try AdminAuthorization.authorize(.sweep, parsed: parsed, store: store)
        let report: DeadlineSweeper.Report
        do {
            report = try DeadlineSweeper.run(store: store, now: now)
            try store.appendAudit(
                AuditEntry(
                    kind: "admin", action: "sweep", actor: actor.user, role: actor.role, device: "gestion-server",
                    occurredAt: now,
                    outcome: "ok:\(report.closed.count) closed of \(report.examined) open cases on \(report.day); "
                        + "\(report.alertCount) overdue alerts"
                ),
                at: clock
            )
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        print(describe(report), terminator: "")
        return ExitStatus.success
    }

    /// The instant the sweep runs as: now, or for a past `--as-of` day its last minute (every
    /// action of that day had its chance), never a day after today.
    static func instant(asOf text: String?, clock now: Date) throws(UsageError) -> Date {
        guard let text else { return now }
        guard let fecha = FechaCivil(text) else { throw UsageError("'--as-of' must be a date like 2026-12-28.") }
        let hoy = CalendarioMX.fecha(now)
        guard fecha <= hoy else {
            throw UsageError("'--as-of' must not be after today (\(hoy)): a case is never closed before its day.")
        }
        if fecha == hoy { return now }
        return CalendarioMX.inicio(fecha.adding(days: 1)).addingTimeInterval(-60)
    }

    /// The report for people: closures, refusals and alerts by setting.
    static func describe(_ report: DeadlineSweeper.Report) -> String {
        let cases = report.examined == 1 ? "case" : "cases"
        var text = "Examined \(report.examined) open \(cases) on \(report.day) (Mexico City): \(report.closed.count) closed automatically.\n"
        for closed in report.closed { text += "  \(closed.caso): \(closed.mutation)\n" }
        if report.alreadyClosed > 0 { text += "  \(report.alreadyClosed) already closed by another sweep.\n" }
        for refused in report.refused { text += "  \(refused.caso) not closed: \(refused.reason)\n" }
        text += "Overdue alerts: \(report.alertCount).\n"
        for (nombre, casos) in report.alerts.sorted(by: { $0.key < $1.key }) {
            let quien = NombrePlazo(rawValue: nombre).map { " (\($0.fuente))" } ?? " (convenio)"
            text += "  \(nombre)\(quien): \(casos.count) — \(casos.joined(separator: ", "))\n"
        }
        return text
    }
}
