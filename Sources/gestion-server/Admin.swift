import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

enum Admin {
    static let spec = CommandSpec(
        path: "gestion-server admin",
        overview: "Administer the server's data directory (works while the server runs).",
        options: [ServerCommandLine.dataDirectoryOption],
        subcommands: [
            ("user add", "Create a user: --user <name> --role <role> --password-stdin."),
            ("user list | disable | enable | password", "The users; stop or allow a user's sign-in; give a new password."),
            ("import-assignment <file.csv>", "Load the monthly assignment (accounts labelled for mediation) from a CSV file."),
            ("restore <backup.sqlite>", "Replace the database with a backup, with the server stopped."),
            ("audit verify | export", "Check the hash-chained audit trail, or export it for a case or a period."),
            ("device list | retire | revoke", "The device registry."),
            ("sweep [--as-of <date>]", "Close the cases whose day-32 or day-91 deadline passed (the server also does it hourly)."),
            ("agenda --user <name>", "What is due today, due soon and overdue for a user, as their device shows it."),
            ("report <name> --month <YYYY-MM>", "The institution's monthly reports and outputs, as .xlsx or CSV."),
            ("settings [set <name> <value>]", "The plazos and other settings, in days; change one."),
            ("conflicts [--all]", "The review queue: concurrent actions a rule could not decide, waiting for a person."),
        ]
    )

    static let restore = CommandSpec(
        path: "gestion-server admin restore",
        overview: "Replace the server's database with a backup. Stop the server first.",
        arguments: [("<backup.sqlite>", "A backup made with sqlite3 .backup (or a copy of a stopped server's server.sqlite).")],
        options: [ServerCommandLine.dataDirectoryOption]
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
            ServerCommandLine.dataDirectoryOption,
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

    static func run(_ arguments: [String]) throws -> Int32 {
        // A first, lenient parse with every admin option finds the subcommand; each subcommand
        // then parses strictly with its own options.
        var allOptions: [OptionSpec] = []
        let specs = [
            userAdd, restore, AdminImport.spec, AdminAudit.spec, AdminDevices.spec, AdminSweep.spec, AdminAgenda.spec, AdminReport.spec,
            AdminSettings.spec, AdminConflicts.spec,
        ] + AdminUsers.specs
        for option in specs.flatMap(\.options)
        where !allOptions.contains(where: { $0.name == option.name }) {
            allOptions.append(option)
        }
        let parsed = try ParsedArguments(arguments, options: allOptions)
        switch parsed.positionals.first {
        case nil:
            if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
            throw UsageError("Missing admin subcommand; see 'gestion-server admin --help'.")
        case "user":
            guard let subcommand = parsed.positionals.dropFirst().first else {
                if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
                throw UsageError("Missing 'user' subcommand; use user add, list, disable, enable or password.")
            }
            guard subcommand == "add" else { return try AdminUsers.run(subcommand, arguments) }
            if parsed.wantsHelp { print(userAdd.help, terminator: ""); return ExitStatus.success }
            _ = try ParsedArguments(arguments, options: userAdd.options)
            return try addUser(parsed)
        case "import-assignment", "import-accounts":
            return try AdminImport.run(arguments)
        case "agenda":
            return try AdminAgenda.run(arguments)
        case "report":
            return try AdminReport.run(arguments)
        case "settings":
            return try AdminSettings.run(arguments)
        case "audit":
            return try AdminAudit.run(arguments)
        case "device":
            return try AdminDevices.run(arguments)
        case "sweep":
            return try AdminSweep.run(arguments)
        case "conflicts":
            return try AdminConflicts.run(arguments)
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
        let password = try AdminUsers.readNewPassword(for: user, parsed: parsed)
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
        // A running server would go on writing into the replaced files: what it acknowledged
        // afterwards would be lost without a trace.
        guard !DataDirectoryLock.isServing(directory) else {
            throw CommandFailure(
                "A gestion-server is serving \(directory.path): stop it first (e.g. systemctl stop gestion-server); "
                    + "restoring under it would lose what it acknowledges afterwards."
            )
        }
        // Authorized against the database being replaced; into an empty data directory (a lost
        // server) no administrator exists yet.
        let current = try ServerCommandLine.openStore(parsed)
        defer { current.close() }
        let actor = try AdminAuthorization.authorize(
            .restore, parsed: parsed, store: current, bootstrap: AdminAuthorization.hasNoAdministrator(current)
        )
        current.close()
        do {
            let serverID = try SQLiteSyncStore.restore(backup: URL(fileURLWithPath: path), into: directory, by: actor.user)
            print("Restored \(path) into \(directory.path); new history id \(serverID).")
            print("Devices will download everything again at their next sync.")
            return ExitStatus.success
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
    }
}
