import CommandLineSupport
import Foundation
import GestionClient
import GestionProtocol
import Mediacion
import SyncCore

enum DeviceCommandLine {
    static let version = "0.1.0"

    static let replicaOption = OptionSpec.value("replica", "<path>", "The replica file (created if missing).")
    static let jsonOption = OptionSpec.flag("json", "Print JSON instead of text.")

    static let commands: [String: CommandSpec] = [
        "login": CommandSpec(
            path: "gestion login", overview: "Sign in on this replica (needs a connection once; then it works offline).",
            options: [
                replicaOption, .value("server", "<url>", "The sync server, e.g. http://127.0.0.1:8080."),
                .value("user", "<name>", "Your user name."), .value("device-name", "<name>", "A name for this device."),
                .flag("password-stdin", "Read the password from the first line of standard input."),
            ]
        ),
        "sync": CommandSpec(
            path: "gestion sync", overview: "Send the pending changes and receive the server's.",
            options: [replicaOption, .value("retries", "<n>", "Attempts after a failure that can pass, with backoff (default: 3).")]
        ),
        "status": CommandSpec(path: "gestion status", overview: "Show the sync status: pending changes, last sync, last error.", options: [replicaOption, jsonOption]),
        "casos": CommandSpec(path: "gestion casos", overview: "List the accounts on this device with their case status.", options: [replicaOption, jsonOption]),
        "caso": CommandSpec(
            path: "gestion caso", overview: "Show one account: its case, contact data and session.",
            arguments: [("<credito>", "The credit number.")], options: [replicaOption, jsonOption]
        ),
        "agenda": CommandSpec(
            path: "gestion agenda",
            overview: "What is due today, due soon and overdue for you, computed offline from this device's records.",
            options: [
                replicaOption, .value("dias", "<n>", "How many days ahead count as due soon (default: \(Agenda.diasProximosPredeterminados))."),
                jsonOption,
            ],
            discussion: """
                Each role sees what it acts on: the asesor the accounts to visit; the agency approvals, distributions and
                first payments; the mediator contacts, schedules, sessions and answers to the DR on its cases; the
                delegación its reviews. Days are Mexico City calendar days; the plazos are those last received from the
                server. 'gestion-server admin agenda --user <you>' shows the same lists from the server's records.
                """
        ),
        "mutate": CommandSpec(
            path: "gestion mutate", overview: "Perform any registered mutation with JSON arguments.",
            arguments: [("<name>", "The mutation, e.g. registrarAceptacion."), ("<json>", "Its arguments as a JSON object.")],
            options: [replicaOption],
            discussion: "Mutations: " + Mediacion.mutaciones.map { $0.name }.joined(separator: ", ") + "."
        ),
        "aceptar": CommandSpec(
            path: "gestion aceptar", overview: "The borrower accepted mediation (G4): the case is “En Mediación”.",
            arguments: [("<credito>", "The credit number.")], options: [replicaOption]
        ),
        "no-acepta": CommandSpec(
            path: "gestion no-acepta", overview: "The borrower did not accept mediation (G3).",
            arguments: [("<credito>", "The credit number.")], options: [replicaOption]
        ),
        "aviso-privacidad": CommandSpec(
            path: "gestion aviso-privacidad", overview: "The aviso de privacidad was shown to the borrower (G4).",
            arguments: [("<credito>", "The credit number.")], options: [replicaOption]
        ),
        "contacto": CommandSpec(
            path: "gestion contacto", overview: "Record the borrower's contact data (after the aviso de privacidad).",
            arguments: [("<credito>", "The credit number.")],
            options: [
                replicaOption, .value("fijo", "<phone>", "Landline, 10 digits."), .value("celular", "<phone>", "Mobile, 10 digits."),
                .value("correo", "<email>", "E-mail address."),
            ]
        ),
        "agendar": CommandSpec(
            path: "gestion agendar", overview: "Record the date and time of the mediation session (G11).",
            arguments: [("<credito>", "The credit number.")],
            options: [
                replicaOption,
                .value("fecha-hora", "<when>", "Mexico City time, e.g. '2026-12-03 11:00' (or RFC 3339 with offset)."),
                .value("medio", "<medio>", "How the convocation was sent: \(MedioConvocatoria.catalogueList)."),
            ]
        ),
        "registrar-mediador": CommandSpec(
            path: "gestion registrar-mediador", overview: "The agency registers a mediator and its app licence number (G5).",
            options: [
                replicaOption, .value("usuario", "<user>", "The mediator's user name."), .value("nombre", "<name>", "Full name."),
                .value("licencia", "<number>", "The app licence number assigned to the mediator."),
                .value("certificado", "<number>", "Certificate number, for a certified mediator (ratificado convenios)."),
            ]
        ),
        "aprobar": CommandSpec(
            path: "gestion aprobar", overview: "The agency approves an account “En Mediación” (G5).",
            arguments: [("<credito>", "The credit number.")], options: [replicaOption]
        ),
        "distribuir": CommandSpec(
            path: "gestion distribuir", overview: "The agency distributes an approved case to a mediator (G5).",
            arguments: [("<credito>", "The credit number.")],
            options: [replicaOption, .value("mediador", "<user>", "The mediator's user name.")]
        ),
        "pendientes": CommandSpec(path: "gestion pendientes", overview: "List the changes waiting to be confirmed by the server.", options: [replicaOption, jsonOption]),
        "rechazos": CommandSpec(path: "gestion rechazos", overview: "List the changes the server refused, with the reason.", options: [replicaOption, jsonOption]),
        "avisos": CommandSpec(
            path: "gestion avisos", overview: "List changes a conflict rule decided on (e.g. sent to review).",
            options: [replicaOption, jsonOption]
        ),
        "descartar": CommandSpec(
            path: "gestion descartar", overview: "Dismiss a refused change or a notice after reading it.",
            arguments: [("<id>", "The number shown by 'gestion rechazos'.")], options: [replicaOption]
        ),
    ]

    static let order = [
        "login", "sync", "status", "casos", "caso", "agenda", "aceptar", "no-acepta", "aviso-privacidad", "contacto",
        "registrar-mediador", "aprobar", "distribuir", "agendar",
        "mutate", "pendientes", "rechazos", "avisos", "descartar",
    ]

    static let top = CommandSpec(
        path: "gestion --replica <path>",
        overview: "Work on Gestión Móvil cases offline and sync them with the agency's server.",
        options: [replicaOption, .flag("version", "Show the version.")],
        subcommands: order.map { ($0, commands[$0]!.overview) },
        discussion: "Run 'gestion <subcommand> --help' for a subcommand's options."
    )

    static func run(_ arguments: [String]) async throws -> Int32 {
        guard let name = arguments.first(where: { !$0.hasPrefix("-") && commands[$0] != nil }) else {
            let parsed = try ParsedArguments(arguments, options: top.options)
            if parsed.flags.contains("version") { print("gestion \(version)"); return ExitStatus.success }
            if parsed.wantsHelp || arguments.isEmpty { print(top.help, terminator: ""); return ExitStatus.success }
            throw UsageError("Unknown subcommand '\(parsed.positionals.first ?? "")'.")
        }
        let spec = commands[name]!
        var rest = arguments
        rest.remove(at: arguments.firstIndex(of: name)!)
        let parsed = try ParsedArguments(rest, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let replicaPath = try parsed.required("replica")
        let replica: LocalReplica
        do {
            replica = try LocalReplica(path: replicaPath, registry: Mediacion.registry, clock: ExecutableClock.fromEnvironment())
        } catch {
            throw CommandFailure(error.description)
        }
        defer { replica.close() }
        let command = DeviceCommands(replica: replica, parsed: parsed)
        switch name {
        case "login": return try await command.login()
        case "sync": return try await command.sync()
        case "status": return try command.status()
        case "casos": return try command.casos()
        case "caso": return try command.caso()
        case "agenda": return try command.agenda()
        case "mutate": return try command.mutate()
        case "aceptar": return try command.perform(RegistrarAceptacion.name, try command.credito())
        case "no-acepta": return try command.perform(RegistrarNoAceptacion.name, try command.credito())
        case "aviso-privacidad": return try command.perform(RegistrarAvisoPrivacidad.name, try command.credito())
        case "contacto": return try command.contacto()
        case "agendar": return try command.agendar()
        case "registrar-mediador": return try command.registrarMediador()
        case "aprobar": return try command.perform(AprobarCaso.name, try command.credito())
        case "distribuir":
            return try command.perform(
                DistribuirCaso.name, ["numeroCredito": .string(try command.credito()), "mediador": .string(try parsed.required("mediador"))]
            )
        case "pendientes": return try command.pendientes()
        case "rechazos": return try command.rechazos()
        case "avisos": return try command.avisos()
        case "descartar": return try command.descartar()
        default: throw UsageError("Unknown subcommand '\(name)'.")
        }
    }
}

/// A failure to report in one sentence, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
