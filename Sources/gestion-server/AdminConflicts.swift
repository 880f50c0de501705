import CommandLineSupport
import Foundation
import GestionServer
import SyncCore

/// `gestion-server admin conflicts [--all] [--json]`: the review queue, read-only. Resolving a
/// conflict is a person's decision on a device (`resolverConflicto`), recorded like any action.
enum AdminConflicts {
    static let spec = CommandSpec(
        path: "gestion-server admin conflicts",
        overview: "The review queue: concurrent actions a rule could not decide, waiting for a person.",
        options: [
            ServerCommandLine.dataDirectoryOption,
            .flag("all", "Also the resolved ones, with the decision."),
            .flag("json", "Print JSON (without the actions' arguments or the records' contents)."),
        ] + AdminAuthorization.options,
        discussion: """
            Each conflict names the records in dispute and both actions: who did them, when, on which device, and
            which one is in place while the other is held. The agency of the account (role agencia) or the Gerencia
            de Mediación y Convenios (role mediacion) decides on its device:
              gestion mutate resolverConflicto '{"conflicto":"<id>","eleccion":"keep","motivo":"<why>"}'
            (keep: the action in place stands; replace: the held one instead; merge: with "fusion", the values).
            """
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        _ = try parsed.positionals(exactly: 1, names: "")
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        _ = try AdminAuthorization.authorize(.conflicts, parsed: parsed, store: store)
        let bodies: [String: JSONObject]
        do {
            bodies = try store.records(in: ConflictRecord.collection)
        } catch {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
        let all = parsed.flags.contains("all")
        let conflicts = bodies.values.compactMap { try? JSONValueDecoder().decode(ConflictRecord.self, from: .object($0)) }
            .filter { all || $0.status == "open" }
            .sorted { ($0.detectedAt, $0.id) < ($1.detectedAt, $1.id) }
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(.array(conflicts.map(summary))))
            return ExitStatus.success
        }
        let open = conflicts.filter { $0.status == "open" }.count
        print(
            "\(open) open conflict\(open == 1 ? "" : "s")"
                + (all ? ", \(conflicts.count - open) resolved" : "") + "."
        )
        for conflict in conflicts {
            print("\(conflict.id)  \(conflict.status)  \(conflict.targets.joined(separator: ", "))  detected \(RFC3339.string(from: conflict.detectedAt))")
            print("  rule: \(conflict.rule)")
            for contender in conflict.contenders {
                print(
                    "  \(contender.applied ? "in place" : "held    ")  \(contender.mutation) by \(contender.userId) (\(contender.role)) "
                        + "on \(contender.clientId) at \(RFC3339.string(from: contender.occurredAt))"
                )
            }
            if let resolution = conflict.resolution {
                print(
                    "  decided   \(resolution.choice) by \(resolution.userId) (\(resolution.role)) at "
                        + "\(RFC3339.string(from: resolution.resolvedAt)): \(resolution.reason)"
                )
            }
        }
        return ExitStatus.success
    }

    /// What the operator needs to route a conflict; no arguments and no record contents (they may
    /// hold borrowers' personal data).
    static func summary(_ conflict: ConflictRecord) -> JSONValue {
        var object: JSONObject = [
            "id": .string(conflict.id), "status": .string(conflict.status), "rule": .string(conflict.rule),
            "targets": .array(conflict.targets.map(JSONValue.string)),
            "detectedAt": .string(RFC3339.string(from: conflict.detectedAt)),
            "contenders": .array(
                conflict.contenders.map { contender in
                    [
                        "mutation": .string(contender.mutation), "userId": .string(contender.userId), "role": .string(contender.role),
                        "clientId": .string(contender.clientId), "occurredAt": .string(RFC3339.string(from: contender.occurredAt)),
                        "applied": .bool(contender.applied),
                    ]
                }
            ),
        ]
        if let resolution = conflict.resolution {
            object["resolution"] = [
                "choice": .string(resolution.choice), "reason": .string(resolution.reason), "userId": .string(resolution.userId),
                "role": .string(resolution.role), "resolvedAt": .string(RFC3339.string(from: resolution.resolvedAt)),
            ]
        }
        return .object(object)
    }
}
