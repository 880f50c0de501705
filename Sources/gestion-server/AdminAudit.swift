import CommandLineSupport
import Foundation
import GestionServer
import SyncCore

/// `gestion-server admin audit verify|export`.
enum AdminAudit {
    static let spec = CommandSpec(
        path: "gestion-server admin audit",
        overview: "Check the hash-chained audit trail, or export it for a case or a period.",
        arguments: [("verify | export", "What to do.")],
        options: [
            ServerCommandLine.dataDirectoryOption,
            .value("case", "<credito>", "export: only entries about this credit number (or any record id starting with it)."),
            .value("from", "<date>", "export: from this day (YYYY-MM-DD, Mexico City) or instant (RFC 3339)."),
            .value("to", "<date>", "export: until this day, inclusive, or instant, exclusive."),
            .value("out", "<file>", "export: write here instead of standard output (JSON lines)."),
        ] + AdminAuthorization.options,
        discussion: """
            verify walks the chain from the first entry and exits 1 naming the first broken link.
            export writes one JSON object per line with its hashes, so others can check the chain.
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let positionals = parsed.positionals
        guard positionals.count == 2 else { throw UsageError("Use 'admin audit verify' or 'admin audit export'.") }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        switch positionals[1] {
        case "verify":
            _ = try AdminAuthorization.authorize(.auditVerify, parsed: parsed, store: store)
            let verification: AuditVerification
            do {
                verification = try store.verifyAudit()
            } catch {
                throw CommandFailure(ServerCommandLine.describe(error))
            }
            if let broken = verification.firstBroken {
                printError("The audit trail is BROKEN at entry \(broken): \(verification.problem ?? "")")
                printError("Entries before \(broken) are intact; keep a copy of the database for the investigation.")
                return ExitStatus.failure
            }
            print("The audit trail is intact: \(verification.entries) entries.")
            return ExitStatus.success
        case "export":
            _ = try AdminAuthorization.authorize(.auditExport, parsed: parsed, store: store)
            let filter = AuditFilter(
                subject: parsed.values["case"], from: try date(parsed.values["from"], endOfDay: false),
                to: try date(parsed.values["to"], endOfDay: true)
            )
            let entries: [AuditEntry]
            do {
                entries = try store.auditEntries(filter)
            } catch {
                throw CommandFailure(ServerCommandLine.describe(error))
            }
            var text = ""
            for entry in entries { text += JSONSerializer.string(try JSONValueEncoder().encode(entry)) + "\n" }
            if let out = parsed.values["out"] {
                do {
                    try text.write(toFile: out, atomically: true, encoding: .utf8)
                } catch {
                    throw CommandFailure("Cannot write \(out): \(error.localizedDescription)")
                }
                print("Wrote \(entries.count) audit entries to \(out).")
            } else {
                print(text, terminator: "")
            }
            return ExitStatus.success
        default:
            throw UsageError("Unknown audit action '\(positionals[1])': use verify or export.")
        }
    }

    /// A day in Mexico City (its start, or the start of the next day for `to`) or an RFC 3339 instant.
    static func date(_ text: String?, endOfDay: Bool) throws(UsageError) -> Date? {
        guard let text else { return nil }
        if let instant = RFC3339.date(from: text) { return instant }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { throw UsageError("'\(text)' is not a date like 2026-11-27.") }
        var components = DateComponents()
        components.year = parts[0]
        components.month = parts[1]
        components.day = parts[2] + (endOfDay ? 1 : 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Mexico_City")!
        guard let date = calendar.date(from: components) else { throw UsageError("'\(text)' is not a date like 2026-11-27.") }
        return date
    }
}
