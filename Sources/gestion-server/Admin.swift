import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

enum Admin {
    static let spec = CommandSpec(
        path: "gestion-server admin",
        overview: "Administer the server's data directory (works while the server runs).",
        options: [.value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory)).")],
        subcommands: [
            ("user add", "Create a user: --user <name> --role <role> --password-stdin."),
            ("import-accounts <file.csv>", "Load accounts labelled for mediation from a CSV file."),
            ("restore <backup.sqlite>", "Replace the database with a backup, with the server stopped."),
            ("audit verify | export", "Check the hash-chained audit trail, or export it for a case or a period."),
            ("device list | retire | revoke", "The device registry."),
            ("sweep [--as-of <date>]", "Close the cases whose day-32 or day-91 deadline passed (the server also does it hourly)."),
        ]
    )

    static let restore = CommandSpec(
        path: "gestion-server admin restore",
        overview: "Replace the server's database with a backup. Stop the server first.",
        arguments: [("<backup.sqlite>", "A backup made with sqlite3 .backup (or a copy of a stopped server's server.sqlite).")],
        options: [.value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory)).")]
            + AdminAuthorization.options,
        discussion: """
            The restored database gets a new history id: devices notice it at their next sync, download
            everything again and resend what they still hold in their outbox.
            """
    )

    static let userAdd = CommandSpec(
        path: "gestion-server admin user add",
        overview: "Create a user who can sign in on a device.",
        options: [
            .value("data-dir", "<dir>", "The server's data directory (default: \(ServerCommandLine.defaultDataDirectory))."),
            .value("user", "<name>", "Login name: 3 to 64 lowercase letters, digits, '.', '-' or '_'."),
            .value("role", "<role>", "One of: \(roleNames.joined(separator: ", "))."),
            .flag("password-stdin", "Read the password from the first line of standard input."),
            .value("unidad", "<name>", "For delegacion and agencia users: their delegación or despacho, as the assignment writes it."),
        ] + AdminAuthorization.options,
        discussion: """
            Passwords have at least 10 characters and do not contain the user name. The first user
            must be an administrator (role admin); creating it needs no --as.
            """
    )

    /// The procedure's roles and the system's administrator role.
    static let roleNames = Rol.allCases.map(\.rawValue) + [AdminAuthorization.adminRole]

    static let importAccounts = CommandSpec(
        path: "gestion-server admin import-accounts",
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
        // A first, lenient parse with every admin option finds the subcommand; each subcommand
        // then parses strictly with its own options.
        var allOptions: [OptionSpec] = []
        for option in [userAdd, importAccounts, restore, AdminAudit.spec, AdminDevices.spec, AdminSweep.spec].flatMap(\.options)
        where !allOptions.contains(where: { $0.name == option.name }) {
            allOptions.append(option)
        }
        let parsed = try ParsedArguments(arguments, options: allOptions)
        switch parsed.positionals.first {
        case nil:
            if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
            throw UsageError("Missing admin subcommand (user add, import-accounts).")
        case "user":
            guard parsed.positionals.dropFirst().first == "add" else {
                if parsed.wantsHelp { print(userAdd.help, terminator: ""); return ExitStatus.success }
                throw UsageError("Unknown 'user' subcommand; use 'user add'.")
            }
            if parsed.wantsHelp { print(userAdd.help, terminator: ""); return ExitStatus.success }
            _ = try ParsedArguments(arguments, options: userAdd.options)
            return try addUser(parsed)
        case "import-accounts":
            if parsed.wantsHelp { print(importAccounts.help, terminator: ""); return ExitStatus.success }
            let strict = try ParsedArguments(arguments, options: importAccounts.options)
            let file = try strict.positionals(exactly: 2, names: "the CSV file to import")[1]
            return try importAccountsFile(file, parsed: strict)
        case "audit":
            return try AdminAudit.run(arguments)
        case "device":
            return try AdminDevices.run(arguments)
        case "sweep":
            return try AdminSweep.run(arguments)
        case "restore":
            if parsed.wantsHelp { print(restore.help, terminator: ""); return ExitStatus.success }
            let strict = try ParsedArguments(arguments, options: restore.options)
            let file = try strict.positionals(exactly: 2, names: "the backup file")[1]
            return try restoreBackup(file, parsed: strict)
        case let other?:
            throw UsageError("Unknown admin subcommand '\(other)'.")
        }
    }

    static func addUser(_ parsed: ParsedArguments) throws -> Int32 {
        _ = try parsed.positionals(exactly: 2, names: "")
        let user = try parsed.required("user")
        guard user.count >= 3, user.count <= 64,
            user.unicodeScalars.allSatisfy({ CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789.-_").contains($0) })
        else {
            throw UsageError("The user name must be 3 to 64 lowercase letters, digits, '.', '-' or '_'.")
        }
        let role = try parsed.required("role")
        guard roleNames.contains(role) else {
            throw UsageError("Unknown role '\(role)'. Roles: \(roleNames.joined(separator: ", ")).")
        }
        let unit = parsed.values["unidad"]?.trimmingCharacters(in: .whitespaces)
        if let needed = Alcances.unidadRequerida(role), unit?.isEmpty ?? true {
            throw UsageError("A \(role) user needs --unidad: \(needed). Without it the user would see no account.")
        }
        guard parsed.flags.contains("password-stdin") else {
            throw UsageError("Give the password on standard input with --password-stdin (never on the command line).")
        }
        guard let password = readSecretFromStandardInput(), !password.isEmpty else {
            throw CommandFailure("No password on standard input.")
        }
        guard password.count >= 10 else { throw CommandFailure("The password must have at least 10 characters.") }
        guard !password.lowercased().contains(user) else {
            throw CommandFailure("The password must not contain the user name.")
        }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let firstAdministrator = role == AdminAuthorization.adminRole && AdminAuthorization.hasNoAdministrator(store)
        let actor = try AdminAuthorization.authorize(.userAdd, parsed: parsed, store: store, bootstrap: firstAdministrator)
        let hash = Authenticator.hashPassword(password, iterations: ServerCommandLine.passwordIterations)
        do {
            try store.addUser(
                NewUser(id: user, role: role, passwordHash: hash, createdAt: Date(), createdBy: actor.user, unit: unit)
            )
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        let name = Rol(rawValue: role)?.nombre ?? "Administrador del sistema"
        print("Created user '\(user)' with role \(role) (\(name)).")
        return ExitStatus.success
    }

    static func restoreBackup(_ path: String, parsed: ParsedArguments) throws -> Int32 {
        let directory = ServerCommandLine.dataDirectory(parsed)
        // Authorized against the database being replaced; into an empty data directory (a lost
        // server) no administrator exists yet.
        let current = try ServerCommandLine.openStore(parsed)
        defer { current.close() }
        _ = try AdminAuthorization.authorize(
            .restore, parsed: parsed, store: current, bootstrap: AdminAuthorization.hasNoAdministrator(current)
        )
        current.close()
        do {
            let serverID = try SQLiteSyncStore.restore(backup: URL(fileURLWithPath: path), into: directory)
            print("Restored \(path) into \(directory.path); new history id \(serverID).")
            print("Devices will download everything again at their next sync.")
            return ExitStatus.success
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
    }

    static func importAccountsFile(_ path: String, parsed: ParsedArguments) throws -> Int32 {
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let actor = try AdminAuthorization.authorize(.importAccounts, parsed: parsed, store: store)
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
                kind: "admin", action: "import-accounts", actor: actor.user, role: actor.role,
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
