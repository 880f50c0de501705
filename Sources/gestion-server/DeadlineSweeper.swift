import Foundation
import GestionLogging
import GestionServer
import Mediacion
import SyncCore

/// The automatic closures of the procedure (G10 day 32, G15 day 91): finds the cases whose
/// deadline passed with nothing recorded and closes them through the domain's closure
/// mutations, as operations. Idempotent: a closed case is not closed again. A timely action
/// recorded offline that arrives later undoes the closure (docs/conflict-rules.md).
enum DeadlineSweeper {
    struct Report {
        var examined = 0
        var closed: [(caso: String, mutation: String)] = []
        var refused: [(caso: String, reason: String)] = []
    }

    /// Closes what is due on the Mexico City date of `now`.
    static func run(store: any SyncStore, now: Date) throws(SyncStoreError) -> Report {
        let hoy = CalendarioMX.fecha(now)
        let plazos = try store.records(in: Plazos.collection)[Plazos.registroID].flatMap { try? Plazos(body: $0) } ?? .procedimiento
        var report = Report()
        var due: [(String, ServerMutation)] = []
        for (id, body) in try store.records(in: Caso.collection).sorted(by: { $0.key < $1.key }) {
            guard let caso = try? Caso(body: body), !caso.estatus.isFinal else { continue }
            report.examined += 1
            if let cierre = Vencimientos.mutacionDeCierre(caso: caso, plazos: plazos, hoy: hoy) {
                due.append((id, ServerMutation(name: cierre.name, args: cierre.arguments)))
            }
        }
        guard !due.isEmpty else { return report }
        let results = try store.applyServerMutations(
            due.map(\.1), author: ServerCommandLine.systemAuthor, registry: Mediacion.registry, at: now, atomically: false
        ).results
        for ((caso, mutation), result) in zip(due, results) {
            if result.status == .applied {
                report.closed.append((caso, mutation.name))
            } else {
                report.refused.append((caso, result.message ?? result.code ?? "refused"))
            }
        }
        return report
    }
}
