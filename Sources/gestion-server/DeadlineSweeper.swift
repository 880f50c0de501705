import Foundation
import GestionLogging
import GestionServer
import Mediacion
import SyncCore

/// The deadline sweep: the automatic closures of the procedure (G10 day 32, G15 day 91) and the
/// overdue alerts of every other plazo, on one Mexico City date with the plazos in force.
///
/// Closures go through the domain's closure mutations (`cerrarSinRegistro`, `cerrarSinSesion`)
/// as server mutations of the system author, so each is in the change log (devices receive it),
/// in the case's history and in the audit trail. Idempotent: a closed case is not closed again,
/// and a second sweep on the same day changes nothing. A timely action recorded offline that
/// arrives later undoes the closure (docs/conflict-rules.md).
///
/// Alerts are computed, not stored: each device's agenda shows its role's overdue items from the
/// same function (`Vencimientos.pendientes`), so the sweep only reports them (docs/deadlines.md).
enum DeadlineSweeper {
    struct Report {
        /// The Mexico City date swept.
        var day: FechaCivil
        /// Cases not in a final status.
        var examined = 0
        var closed: [(caso: String, mutation: String)] = []
        /// Closures another sweep did first (the admin command and the server's run at once).
        var alreadyClosed = 0
        var refused: [(caso: String, reason: String)] = []
        /// Overdue deadlines that only alert, by the setting's name (`fechaLimitePrimerPago` for
        /// the convenio's first-payment deadline): the case ids, sorted.
        var alerts: [String: [String]] = [:]

        var alertCount: Int { alerts.values.reduce(0) { $0 + $1.count } }

        /// Counts only, no case ids: for the server's log.
        var logMetadata: [String: String] {
            var metadata = [
                "day": day.description, "examined": String(examined), "closed": String(closed.count),
                "refused": String(refused.count), "alerts": String(alertCount),
            ]
            for (plazo, casos) in alerts { metadata["alerts.\(plazo)"] = String(casos.count) }
            return metadata
        }
    }

    /// The name an alert is reported under.
    static func alertName(_ vencimiento: Vencimiento) -> String {
        vencimiento.plazo?.rawValue ?? "fechaLimitePrimerPago"
    }

    /// Closes what is due on the Mexico City date of `now` and lists the overdue alerts.
    static func run(store: any SyncStore, now: Date) throws(SyncStoreError) -> Report {
        let hoy = CalendarioMX.fecha(now)
        let plazos = try store.records(in: Plazos.collection)[Plazos.registroID].flatMap { try? Plazos(body: $0) } ?? .procedimiento
        var report = Report(day: hoy)
        var due: [(String, ServerMutation)] = []
        for (id, body) in try store.records(in: Caso.collection).sorted(by: { $0.key < $1.key }) {
            guard let caso = try? Caso(body: body) else { continue }
            if !caso.estatus.isFinal {
                report.examined += 1
                if let cierre = Vencimientos.mutacionDeCierre(caso: caso, plazos: plazos, hoy: hoy) {
                    due.append((id, ServerMutation(name: cierre.name, args: cierre.arguments)))
                    continue  // closed now: its other deadlines are moot
                }
            }
            // Ended rounds may still wait on their expediente: every case is looked at for alerts.
            for vencimiento in Vencimientos.pendientes(caso: caso, plazos: plazos, hoy: hoy) where vencimiento.vencido {
                if case .cierreAutomatico = vencimiento.consecuencia { continue }
                report.alerts[alertName(vencimiento), default: []].append(id)
            }
        }
        guard !due.isEmpty else { return report }
        let results = try store.applyServerMutations(
            due.map(\.1), author: ServerCommandLine.systemAuthor, registry: Mediacion.registry, at: now, atomically: false
        ).results
        for ((caso, mutation), result) in zip(due, results) {
            if result.status == .applied {
                report.closed.append((caso, mutation.name))
            } else if result.code == TransicionInvalida.Motivo.cerradoAutomaticamente.rawValue {
                report.alreadyClosed += 1
            } else {
                report.refused.append((caso, result.message ?? result.code ?? "refused"))
            }
        }
        return report
    }
}
