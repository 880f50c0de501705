import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin user list | disable | enable | password`: the users after `user add`.
/// A mediator who leaves, a password someone else learned, an asesor on leave: the operator
/// stops the sign-in at once, and every device of that user stops syncing until it is allowed
/// again, keeping what its user did.
enum AdminUsers {
    static let list = CommandSpec(
        path: "gestion-server admin user list",
        overview: "The users: role, unit, whether they may sign in, and devices with a live session.",
        options: [ServerCommandLine.dataDirectoryOption, .flag("json", "Print JSON.")] + AdminAuthorization.options
    )

    static let disable = CommandSpec(
        path: "gestion-server admin user disable",
        overview: "Stop a user from signing in; their devices stop syncing at their next request.",
        options: [ServerCommandLine.dataDirectoryOption, userOption] + AdminAuthorization.options,
        discussion: """
            The devices keep what the user did and not yet sent: it reaches the server if the user is
            enabled again and signs in. To erase a lost or stolen device, use 'device revoke'; to move a
            departed mediator's cases, redistribute them on the agency's device.
            """
    )

    static let enable = CommandSpec(
        path: "gestion-server admin user enable",
        overview: "Let a disabled user sign in again.",
        options: [ServerCommandLine.dataDirectoryOption, userOption] + AdminAuthorization.options
    )

    static let password = CommandSpec(
        path: "gestion-server admin user password",
        overview: "Give a user a new password; every device of theirs asks them to sign in again.",
        options: [ServerCommandLine.dataDirectoryOption, userOption, .flag("password-stdin", "Read the new password from the first line of standard input.")]
            + AdminAuthorization.options,
        discussion: """
            Passwords have at least 10 characters and do not contain the user name. The devices keep
            their unsent work and send it once the user signs in with the new password.
            """
    )

    static let userOption = OptionSpec.value("user", "<name>", "The user's login name.")

    static let specs = [list, disable, enable, password]

    /// Runs `user list | disable | enable | password` (`user add` stays in `Admin`).
    static func run(_ subcommand: String, _ arguments: [String]) throws -> Int32 {
        guard let spec = specs.first(where: { $0.path.hasSuffix(" \(subcommand)") }) else {
            throw UsageError("Unknown 'user' subcommand '\(subcommand)'; use user add, list, disable, enable or password.")
        }
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        _ = try parsed.positionals(exactly: 2, names: "")
        if subcommand == "list" { return try listUsers(parsed) }
        let user = try parsed.required("user").lowercased()
        let newPassword = subcommand == "password" ? try readNewPassword(for: user, parsed: parsed) : nil
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let action: AdminAuthorization.Action =
            switch subcommand {
            case "disable": .userDisable
            case "enable": .userEnable
            default: .userPassword
            }
        let actor = try AdminAuthorization.authorize(action, parsed: parsed, store: store)
        if subcommand == "disable", user == actor.user {
            throw CommandFailure("You cannot disable yourself; ask another administrator.")
        }
        let ended: Int?
        do {
            if let newPassword {
                let hash = Authenticator.hashPassword(newPassword, iterations: ServerCommandLine.passwordIterations)
                ended = try store.setPasswordHash(user, hash, by: actor.user, at: Date())
            } else {
                ended = try store.setUserDisabled(user, subcommand == "disable", by: actor.user, at: Date())
            }
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        guard let ended else { throw CommandFailure("There is no user '\(user)'; 'admin user list' shows them.") }
        let sessions =
            switch ended {
            case 0: "no device had a session"
            case 1: "1 device was signed out"
            default: "\(ended) devices were signed out"
            }
        switch subcommand {
        case "disable": print("Disabled '\(user)': they cannot sign in; \(sessions). Their devices keep unsent work.")
        case "enable": print("Enabled '\(user)': they can sign in again.")
        default: print("New password for '\(user)'; \(sessions)\(ended > 0 ? ": they ask for the new password" : "").")
        }
        return ExitStatus.success
    }

    static func listUsers(_ parsed: ParsedArguments) throws -> Int32 {
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        _ = try AdminAuthorization.authorize(.userList, parsed: parsed, store: store)
        let users: [SQLiteSyncStore.UserSummary]
        do {
            users = try store.users(at: Date())
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        if parsed.flags.contains("json") {
            let values: [JSONValue] = users.map { summary in
                let object: JSONObject = [
                    "user": .string(summary.user.id), "role": .string(summary.user.role),
                    "unit": summary.user.unit.map { JSONValue.string($0) } ?? .null, "disabled": .bool(summary.user.disabled),
                    "activeSessions": .int(Int64(summary.activeSessions)),
                ]
                return .object(object)
            }
            print(JSONSerializer.string(.array(values)))
            return ExitStatus.success
        }
        let rows = [["USER", "ROLE", "UNIT", "SIGN-IN", "SESSIONS"]]
            + users.map { summary in
                [
                    summary.user.id, summary.user.role, summary.user.unit ?? "-", summary.user.disabled ? "disabled" : "allowed",
                    String(summary.activeSessions),
                ]
            }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let line = row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            print(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        return ExitStatus.success
    }

    /// The new password from standard input, checked as `user add` checks it.
    static func readNewPassword(for user: String, parsed: ParsedArguments) throws -> String {
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
        return password
    }
}
