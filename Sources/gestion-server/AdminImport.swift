import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin import-assignment FILE` (`import-accounts` is an older name): loads the
/// monthly assignment, and the accounts of Anexo 1 A, B and C, from the CSV that operations
/// produces. See docs/assignment-import.md.
enum AdminImport {
    static let spec = CommandSpec(
        path: "gestion-server admin import-assignment",
        overview: "Load the accounts of the monthly assignment (and of Anexo 1 A, B and C) from a CSV file. All rows or none.",
        arguments: [("<file.csv>", "The file to import.")],
        options: [
            ServerCommandLine.dataDirectoryOption,
            .flag("dry-run", "Check the file and say what importing it would do, changing nothing."),
            .value("report", "<file.csv>", "Where to write the list of problems (default: next to the file, FILE.errores.csv)."),
        ] + AdminAuthorization.options,
        discussion: """
            The file: CSV with a header row; UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
            text"), or Windows-1252 / Latin-1 as Excel saves "CSV"; values separated by commas, semicolons
            or tabs (found from the header; an Excel "sep=;" first line is honoured).
            Columns (either name; case, accents and spaces do not matter):
            \(AssignmentColumn.allCases.map { "  \($0.rawValue.padding(toLength: 21, withPad: " ", startingAt: 0)) \($0.spanish)\($0.isRequired ? "" : " (optional)")" }.joined(separator: "\n"))
            Dates: 02/11/2026 (day/month/year) or 2026-11-02. Catalogue values as the institution writes them.
            entrada: empty (the monthly assignment), A (Anexo 1 A, proposed and found susceptible),
            B (Anexo 1 B, Recuperación Especializada) or C (Anexo 1 C, re-mediation: a new round).
            criterioExclusion: a criterion of guideline 1 (§6.1): the credit is not labelled, and an
            account already in Gestión Móvil is excluded. Two breached convenios count as one.

            Every row is checked; a problem in any row imports nothing. The problems (row, field,
            reason) go to the report file and a summary to the screen; the exit status is then 1.
            Importing the same file again changes nothing: unchanged accounts get no new version.
            Details: docs/assignment-import.md.
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let file = try parsed.positionals(exactly: 2, names: "the CSV file to import")[1]
        if let report = parsed.values["report"] {
            guard !report.isEmpty else { throw UsageError("'--report' needs a file name.") }
            guard URL(fileURLWithPath: report).standardizedFileURL != URL(fileURLWithPath: file).standardizedFileURL else {
                throw UsageError("'--report' names the file to import: give the report another name.")
            }
        }
        return try importFile(file, parsed: parsed)
    }

    /// What importing did (or would do), by row.
    struct Counts: Equatable {
        var rows = 0
        var new = 0
        var changed = 0
        var unchanged = 0
        /// Accounts labelled for re-mediation: a new round opened.
        var remediation = 0
        /// Rows with an exclusion criterion: accounts excluded now, and credits left out.
        var excludedNow = 0
        var alreadyExcluded = 0
        var leftOut = 0

        var excluded: Int { excludedNow + alreadyExcluded + leftOut }

        var sentence: String {
            var text = "\(n(new)) new, \(n(changed)) changed, \(n(unchanged)) unchanged, \(n(remediation)) re-mediation (new round), "
                + "\(n(excluded)) excluded"
            if excluded > 0 {
                var parts: [String] = []
                if excludedNow > 0 { parts.append("\(n(excludedNow)) in Gestión Móvil excluded now") }
                if alreadyExcluded > 0 { parts.append("\(n(alreadyExcluded)) already excluded") }
                if leftOut > 0 { parts.append("\(n(leftOut)) not loaded") }
                text += " (" + parts.joined(separator: ", ") + ")"
            }
            return text
        }

        var auditOutcome: String {
            "\(rows) rows, \(new) new, \(changed) changed, \(unchanged) unchanged, \(remediation) re-mediation, \(excluded) excluded"
        }

        private func n(_ number: Int) -> String { ProgressBar.grouped(number) }
    }

    static func importFile(_ path: String, parsed: ParsedArguments) throws -> Int32 {
        let dryRun = parsed.flags.contains("dry-run")
        let reportPath = parsed.values["report"] ?? ImportReport.defaultPath(for: path)
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let actor = try AdminAuthorization.authorize(.importAssignment, parsed: parsed, store: store)
        let now = ExecutableClock.fromEnvironment()()

        var file = try AssignmentFile.read(path: path, today: CalendarioMX.fecha(now))
        print(
            "Read \(fileName): \(file.encoding.rawValue), separator \(file.separatorName), \(rows(file.rowCount))"
                + (file.blankRows > 0 ? " (and \(file.blankRows) blank, skipped)" : "") + "."
        )
        file.checkAsesores { try? store.user(id: $0) }

        // The domain's rules, on what Gestión Móvil holds: for real only when the file is clean.
        let evaluateOnly = dryRun || !file.problems.isEmpty
        let progress = ProgressBar.onStandardError(label: evaluateOnly ? "Checking " : "Importing", total: file.rows.count)
        let report: ServerBatchReport
        do {
            report = try store.applyServerBatch(
                file.rows.map(\.mutation), author: ServerCommandLine.systemAuthor, registry: Mediacion.registry, at: now,
                dryRun: evaluateOnly, progress: progress.map { bar in { bar.update($0) } }
            )
        } catch {
            progress?.finish()
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        progress?.finish()

        var problems = file.problems
        var counts = Counts(rows: file.rowCount)
        for (row, outcome) in zip(file.rows, report.outcomes) {
            switch outcome {
            case .rejected(let rejection):
                problems.append(problem(row: row, rejection: rejection, file: file))
            case .unchanged(let resolution):
                // With a criterion, the rule says when it left a credit out (it was not loaded).
                if row.criterioExclusion == nil {
                    counts.unchanged += 1
                } else if resolution != nil {
                    counts.leftOut += 1
                } else {
                    counts.alreadyExcluded += 1
                }
            case .changed(_, let changes, let before):
                let key = Cuenta.key(row.numeroCredito)
                let previous = before[key]
                let current = changes.first { $0.key == key }?.body
                if row.criterioExclusion != nil {
                    counts.excludedNow += 1
                } else if previous == nil {
                    counts.new += 1
                } else if let old = previous?["ronda"]?.int64Value, let new = current?["ronda"]?.int64Value, new > old {
                    counts.remediation += 1
                } else {
                    counts.changed += 1
                }
            }
        }

        if !problems.isEmpty {
            problems.sort { $0.row < $1.row }
            let written = writeReport(problems, to: reportPath, separator: file.separator)
            let rows = Set(problems.map(\.row)).count
            printError(
                "Nothing was imported: \(ProgressBar.grouped(problems.count)) problem\(problems.count == 1 ? "" : "s") in "
                    + "\(ProgressBar.grouped(rows)) row\(rows == 1 ? "" : "s")"
                    + (written ? "; the full list is in \(reportPath)." : "; the list could not be written to \(reportPath).")
            )
            printError(ImportReport.summary(problems))
            printError("Correct the file and import it again" + (dryRun ? " (this was a dry run)." : "."))
            if !dryRun {
                audit(store, actor: actor, file: fileName, outcome: "rejected:\(problems.count) problems in \(rows) rows", at: now)
            }
            return ExitStatus.failure
        }

        removeStaleReport(at: reportPath)
        if dryRun {
            print("Dry run: nothing was changed. Importing \(rows(counts.rows)) would give: \(counts.sentence).")
            return ExitStatus.success
        }
        audit(store, actor: actor, file: fileName, outcome: "ok:" + counts.auditOutcome, at: now)
        print("Imported \(rows(counts.rows)): \(counts.sentence).")
        return ExitStatus.success
    }

    /// "1 row", "50,000 rows".
    static func rows(_ count: Int) -> String {
        "\(ProgressBar.grouped(count)) row\(count == 1 ? "" : "s")"
    }

    /// A refusal of the domain's rules as a problem of the row; the field from the rule.
    static func problem(row: AssignmentRow, rejection: MutationRejection, file: AssignmentFile) -> ImportProblem {
        let column: AssignmentColumn?
        var reason = rejection.message
        switch rejection.code {
        case "dato_invalido":
            // "campo: explanation."
            let parts = rejection.message.split(separator: ":", maxSplits: 1)
            column = parts.first.flatMap { AssignmentColumn(rawValue: String($0)) }
            if column != nil, parts.count == 2 {
                let rest = parts[1].trimmingCharacters(in: .whitespaces)
                reason = rest.prefix(1).uppercased() + rest.dropFirst()
            }
        case "entrada_sin_propuesta": column = .entrada
        case "remediacion_no_permite", "cuenta_excluida": column = row.arguments["entrada"] == nil ? .etiqueta : .entrada
        case "credito_excluido": column = .numeroCredito
        default: column = nil
        }
        return ImportProblem(
            row: row.line, field: column.map(file.name) ?? "", kind: ImportProblemKind(rejectionCode: rejection.code), reason: reason
        )
    }

    /// Writes the report; whether it could.
    static func writeReport(_ problems: [ImportProblem], to path: String, separator: UInt8) -> Bool {
        FileManager.default.createFile(atPath: path, contents: ImportReport.data(problems, separator: separator))
    }

    /// A clean file leaves no report of an earlier run behind (only a report this command wrote).
    static func removeStaleReport(at path: String) {
        guard ImportReport.isReport(atPath: path) else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    static func audit(_ store: SQLiteSyncStore, actor: AdminAuthorization.Operator, file: String, outcome: String, at now: Date) {
        try? store.appendAudit(
            AuditEntry(
                kind: "admin", action: "import-assignment", actor: actor.user, role: actor.role, device: "gestion-server",
                subjects: ["file/\(file)"], outcome: outcome
            ),
            at: now
        )
    }
}
