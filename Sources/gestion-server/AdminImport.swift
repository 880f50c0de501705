import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin import-assignment FILE` (`import-accounts` is an older name).
enum AdminImport {
    static let spec = CommandSpec(
        path: "gestion-server admin import-assignment",
        overview: "Load the accounts of a CSV file (UTF-8, comma-separated, header row). All rows or none.",
        arguments: [("<file.csv>", "The file to import.")],
        options: [.value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory)).")]
            + AdminAuthorization.options,
        discussion: """
            Columns: \(AccountsCSV.requiredColumns.joined(separator: ", ")); optional: \(AccountsCSV.optionalColumns.joined(separator: ", ")).
            Importing the same file twice changes nothing.
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let file = try parsed.positionals(exactly: 2, names: "the CSV file to import")[1]
        return try importAccountsFile(file, parsed: parsed)
    }

    static func importAccountsFile(_ path: String, parsed: ParsedArguments) throws -> Int32 {
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let actor = try AdminAuthorization.authorize(.importAssignment, parsed: parsed, store: store)
        let rows = try AccountsCSV.read(path: path)
        let report: ServerMutationReport
        do {
            report = try store.applyServerMutations(
                rows.map { ServerMutation(name: ImportarCuenta.name, args: $0.arguments) },
                author: ServerCommandLine.systemAuthor, registry: Mediacion.registry, at: Date(), atomically: true
            )
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        guard report.committed else {
            for (row, result) in zip(rows, report.results) where result.status == .rejected {
                printError("Row \(row.line): \(result.message ?? result.code ?? "refused")")
            }
            printError("Nothing was imported: correct the rows above and import the file again.")
            return ExitStatus.failure
        }
        let changed = report.results.count { $0.version != nil }
        try? store.appendAudit(
            AuditEntry(
                kind: "admin", action: "import-assignment", actor: actor.user, role: actor.role,
                device: "gestion-server", subjects: ["file/\(URL(fileURLWithPath: path).lastPathComponent)"],
                outcome: "ok:\(rows.count) rows, \(changed) changed"
            ),
            at: Date()
        )
        print("Imported \(rows.count) accounts from \(path): \(changed) new or changed, \(rows.count - changed) unchanged.")
        return ExitStatus.success
    }
}

/// The accounts CSV: a header row naming the columns, then one account per row.
enum AccountsCSV {
    static let requiredColumns = [
        "numeroCredito", "acreditado", "delegacion", "despacho", "fechaAsignacion", "segmento", "etiqueta", "tipoConvenio",
    ]
    static let optionalColumns = ["conveniosIncumplidos", "asesor"]

    struct Row {
        var line: Int
        var arguments: JSONObject
    }

    static func read(path: String) throws -> [Row] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("Cannot read \(path).")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(path) is not UTF-8 text; save it as CSV UTF-8.")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let records: [[String]]
        do {
            records = try CSV.parse(text)
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
        guard let header = records.first?.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            throw CommandFailure("\(path) is empty.")
        }
        let missing = requiredColumns.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw CommandFailure("\(path) lacks the column(s) \(missing.joined(separator: ", ")).")
        }
        let unknown = header.filter { !requiredColumns.contains($0) && !optionalColumns.contains($0) }
        guard unknown.isEmpty else { throw CommandFailure("\(path) has unknown column(s) \(unknown.joined(separator: ", ")).") }
        var rows: [Row] = []
        for (index, record) in records.dropFirst().enumerated() {
            let line = index + 2
            guard record.count == header.count else {
                throw CommandFailure("Row \(line): \(record.count) fields where the header has \(header.count).")
            }
            var arguments: JSONObject = [:]
            for (column, raw) in zip(header, record) {
                let value = raw.trimmingCharacters(in: .whitespaces)
                if value.isEmpty, optionalColumns.contains(column) { continue }
                if column == "conveniosIncumplidos" {
                    guard let number = Int64(value) else {
                        throw CommandFailure("Row \(line): conveniosIncumplidos must be a whole number.")
                    }
                    arguments[column] = .int(number)
                } else {
                    arguments[column] = .string(value)
                }
            }
            rows.append(Row(line: line, arguments: arguments))
        }
        return rows
    }
}
