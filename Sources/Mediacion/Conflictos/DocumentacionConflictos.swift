import SyncCore

/// `docs/conflict-rules.md`, generated from `ReglasConflicto.tabla`.
public enum DocumentacionConflictos {
    public static func markdown() -> String {
        let tabla = ReglasConflicto.tabla
        var counts: [String: Int] = [:]
        for rule in tabla.rules {
            let kind: String
            switch rule.kind {
            case .commutative: kind = "commutative"
            case .lastWriterWins: kind = "last writer wins"
            case .exclusive: kind = "exclusive → review"
            case .supersedes: kind = "supersedes"
            case .earlierStands: kind = "earlier stands"
            }
            counts[kind, default: 0] += 1
        }
        let summary = counts.keys.sorted().map { "\($0): \(counts[$0]!)" }.joined(separator: ", ")
        return """
            # Conflict rules

            <!-- Generated from Sources/Mediacion/Conflictos/ReglasConflicto.swift by
                 `GESTION_WRITE_DOCS=1 swift test --filter ReglasConflictoTests`. Do not edit by hand. -->

            Two devices may act on the same record without seeing each other's action: a mediator
            offline for days, an asesor with no signal. When such an action reaches the server, every
            change another device made to the same record since the acting device's last pull is
            *concurrent* with it, and the rule of the pair decides (Protocol/README.md §6.5):

            | kind | what happens |
            | --- | --- |
            | commutative | both apply, in arrival order |
            | last writer wins | both apply; each field keeps the value with the later hybrid clock (device id breaks ties); the losing value stays in the history |
            | exclusive → review | the later one is held: a conflict record with both actions, who did them, when, on which device, and the state before, goes to the review queue (`resolverConflicto`, by the agency or the Gerencia de Mediación y Convenios) |
            | supersedes | the named action makes the other moot: arriving first, the other is refused as `superseded`; arriving later, it applies and undoes the other (a timely session reopens a case closed automatically) |
            | earlier stands | the later one is judged on the state the earlier left, and the workflow refuses it with its own reason if it no longer fits (a second reschedule) |

            Time rules: an action counts at the time the user did it when that time is plausible (not
            after its arrival beyond five minutes, not before the device could have received the record);
            otherwise it counts at its arrival and the case history says so.

            \(tabla.rules.count) rules (\(summary)); a test fails when a pair of mutations that can meet
            on a record has none.

            \(tabla.markdown(registry: Mediacion.registry))
            """
    }
}
