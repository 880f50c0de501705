import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin settings [--json]` and `admin settings set NAME VALUE`.
enum AdminSettings {
    static let spec = CommandSpec(
        path: "gestion-server admin settings",
        overview: "The plazos and other settings, in days; `settings set NAME VALUE` changes one.",
        arguments: [("[set <name> <value>]", "Change one plazo (roles admin and mediacion).")],
        options: [
            ServerCommandLine.dataDirectoryOption,
            .flag("json", "Print JSON instead of a table."),
        ] + AdminAuthorization.options,
        discussion: """
            The plazos live in the record ajustes/plazos: a change is a cambiarPlazo mutation by the operator, in the
            audit trail and the history with the old and new value, and every device receives it at its next sync.
            Closures already made keep the plazo they used. The server flags (days without a sync, login lifetime)
            are not stored: they are given to 'gestion-server serve'.
            """
    )

    /// A server setting counted in days that is a flag of `serve`, not a stored record.
    struct ServerFlag {
        var flag: String
        var days: Int
        var range: String
        var meaning: String
    }

    static var serverFlags: [ServerFlag] {
        let defaults = ServerConfiguration()
        return [
            ServerFlag(
                flag: "--max-offline-days", days: defaults.maxOfflineDays, range: "1–3650",
                meaning: "Days without a sync after which a device locks until its user signs in again."
            ),
            ServerFlag(
                flag: "--token-lifetime", days: Int(defaults.tokenLifetime / 86_400), range: "up to 366 (given in seconds)",
                meaning: "How long a login lasts; devices renew it while they sync."
            ),
        ]
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let positionals = parsed.positionals
        let setting = positionals.dropFirst().first == "set"
        if setting {
            guard positionals.count == 4 else { throw UsageError("Use 'admin settings set <name> <value>', e.g. 'set diaCierreSinRegistro 32'.") }
        } else {
            _ = try parsed.positionals(exactly: 1, names: "")
        }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let actor = try AdminAuthorization.authorize(setting ? .settingsSet : .settingsShow, parsed: parsed, store: store)
        let plazos: Plazos
        do {
            plazos = try store.records(in: Plazos.collection)[Plazos.registroID].flatMap { try? Plazos(body: $0) } ?? .procedimiento
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        if setting {
            return try set(name: positionals[2], value: positionals[3], current: plazos, actor: actor, store: store)
        }
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(json(plazos)))
        } else {
            print(table(plazos), terminator: "")
        }
        return ExitStatus.success
    }

    /// Validates and applies one change as the operator's `cambiarPlazo`.
    static func set(name: String, value text: String, current: Plazos, actor: AdminAuthorization.Operator, store: SQLiteSyncStore)
        throws -> Int32
    {
        guard let plazo = NombrePlazo(rawValue: name) else {
            if serverFlags.contains(where: { $0.flag == "--" + name || $0.flag == name }) {
                throw UsageError("'\(name)' is a flag of 'gestion-server serve', not a stored setting: restart the server with it.")
            }
            throw UsageError("Unknown setting '\(name)'. Settings: \(NombrePlazo.lista).")
        }
        guard let dias = Int(text) else { throw UsageError("'\(text)' is not a whole number of days.") }
        guard plazo.rango.contains(dias) else {
            throw UsageError("\(name) must be between \(plazo.rango.lowerBound) and \(plazo.rango.upperBound) days; '\(dias)' is not.")
        }
        let anterior = current[plazo]
        guard anterior != dias else {
            print("\(name) is already \(dias) days: nothing changed.")
            return ExitStatus.success
        }
        // An administrator acts for the Gerencia de Mediación y Convenios, the one role of the
        // procedure that sets plazos; the admin audit entry keeps the operator's own role.
        let author = MutationAuthor(userID: actor.user, role: Rol.mediacion.rawValue, clientID: "server:admin:\(actor.user)")
        let clock = ExecutableClock.fromEnvironment()()
        do {
            let report = try store.applyServerMutations(
                [ServerMutation(name: CambiarPlazo.name, args: ["plazo": .string(plazo.rawValue), "dias": .int(Int64(dias))])],
                author: author, registry: Mediacion.registry, at: clock, atomically: true
            )
            guard let result = report.results.first, result.status == .applied else {
                throw CommandFailure(report.results.first?.message ?? "The change was refused.")
            }
            try store.appendAudit(
                AuditEntry(
                    kind: "admin", action: "settings set", actor: actor.user, role: actor.role, device: "gestion-server",
                    subjects: ["\(Plazos.collection)/\(Plazos.registroID)"], outcome: "ok:\(name) \(anterior) -> \(dias)"
                ),
                at: clock
            )
        } catch let error as SyncStoreError {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        print("\(name): \(anterior) -> \(dias) days. Devices receive it at their next sync; closures already made keep their plazo.")
        return ExitStatus.success
    }

    static func table(_ plazos: Plazos) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }
        func padLeft(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : String(repeating: " ", count: width - text.count) + text + " "
        }
        var text = "PLAZOS (record ajustes/plazos; Mexico City calendar days; * = changed from the procedure's value)\n"
        text += pad("SETTING", 35) + padLeft("DAYS", 6) + padLeft("DEFAULT", 8) + pad(" RANGE", 8) + pad("COUNTED", 35)
            + pad("SOURCE", 20) + pad("USE", 28) + "MEANING\n"
        for plazo in NombrePlazo.allCases {
            let valor = plazos[plazo]
            text += pad(plazo.rawValue, 35) + padLeft((valor != plazo.predeterminado ? "*" : "") + String(valor), 6)
                + padLeft(String(plazo.predeterminado), 8) + pad(" \(plazo.rango.lowerBound)–\(plazo.rango.upperBound)", 8)
                + pad(plazo.conteo, 35) + pad(plazo.fuente, 20) + pad(plazo.uso.descripcion, 28) + plazo.descripcion + "\n"
                + String(repeating: " ", count: 4) + "«\(plazo.procedimiento)»\n"
        }
        text += "\nSERVER FLAGS (not stored: given to 'gestion-server serve'; defaults shown)\n"
        text += pad("FLAG", 35) + padLeft("DAYS", 6) + padLeft("DEFAULT", 8) + " " + pad("RANGE", 30) + "MEANING\n"
        for flag in serverFlags {
            text += pad(flag.flag, 35) + padLeft(String(flag.days), 6) + padLeft(String(flag.days), 8) + " " + pad(flag.range, 30)
                + flag.meaning + "\n"
        }
        return text
    }

    static func json(_ plazos: Plazos) -> JSONValue {
        let filas: [JSONValue] = NombrePlazo.allCases.map { plazo in
            [
                "nombre": .string(plazo.rawValue), "dias": .int(Int64(plazos[plazo])),
                "predeterminado": .int(Int64(plazo.predeterminado)), "minimo": .int(Int64(plazo.rango.lowerBound)),
                "maximo": .int(Int64(plazo.rango.upperBound)), "conteo": .string(plazo.conteo), "fuente": .string(plazo.fuente),
                "uso": .string(plazo.uso.rawValue), "significado": .string(plazo.descripcion),
                "procedimiento": .string(plazo.procedimiento),
            ]
        }
        let flags: [JSONValue] = serverFlags.map { flag in
            ["flag": .string(flag.flag), "dias": .int(Int64(flag.days)), "rango": .string(flag.range), "significado": .string(flag.meaning)]
        }
        return ["plazos": .array(filas), "servidor": .array(flags)]
    }
}
