import Foundation
import GestionServer
import Mediacion
import SyncCore

/// Operations' work on the server's own authority: the daily closure sweep, revocations and the
/// actions the procedure gives to operations (removals, payments, breaches, exclusions,
/// re-mediation labels), through the same store calls the admin commands use.
extension Simulation {
    /// The automatic closures due on today's Mexico City date (G10 day 32, G15 day 91), as the
    /// server's hourly sweep runs them (`gestion-server admin sweep`).
    func sweep() {
        let hoy = CalendarioMX.fecha(clock.now)
        do {
            let plazos = try server.store.records(in: Plazos.collection)[Plazos.registroID].flatMap { try? Plazos(body: $0) }
                ?? .procedimiento
            var due: [ServerMutation] = []
            for (_, body) in try server.store.records(in: Caso.collection).sorted(by: { $0.key < $1.key }) {
                guard let caso = try? Caso(body: body), !caso.estatus.isFinal,
                    let cierre = Vencimientos.mutacionDeCierre(caso: caso, plazos: plazos, hoy: hoy)
                else { continue }
                due.append(ServerMutation(name: cierre.name, args: cierre.arguments))
            }
            guard !due.isEmpty else { return }
            let report = try server.store.applyServerMutations(
                due, author: Self.sistema, registry: Mediacion.registry, at: clock.now, atomically: false
            )
            let closed = report.results.count { $0.status == .applied }
            tally.automaticClosures += closed
            trace.record(step, "sweep \(hoy) closed=\(closed) refused=\(report.results.count - closed)")
        } catch {
            if server.diskFault { tally.serverDiskFaults += 1 }
            trace.record(step, "sweep \(hoy) failed")
            lastSweepDay = hoy.adding(days: -1)  // try again at the next step
        }
    }

    /// The device an operator revokes at a planned step: a field device (asesor or mediator)
    /// that is not busy syncing.
    func revocationTarget() -> Int? {
        let candidates = devices.filter {
            [.asesor, .mediador].contains($0.user.role) && !$0.syncing && !$0.crashed && !ledger.revoked.contains($0.clientID)
                && !ledger.retired.contains($0.clientID)
        }
        return candidates.isEmpty ? nil : random.pick(candidates).index
    }

    /// An operator revokes device `index` (reported lost): its sessions stop at once.
    @discardableResult
    func revoke(_ index: Int) -> Bool { setStatus(of: index, to: .revoked, "revoke", \.revoked, \.revocations) }

    /// An operator retires device `index` (replaced): it keeps syncing until it has uploaded
    /// everything, then a pull tells it to erase itself.
    @discardableResult
    func retire(_ index: Int) -> Bool { setStatus(of: index, to: .retiring, "retire", \.retired, \.retirements) }

    /// The operator's registry change, noted in the ledger and the tally when the server took it.
    private func setStatus(
        of index: Int, to status: DeviceStatus, _ verb: String, _ noted: WritableKeyPath<Ledger, Set<String>>,
        _ counted: WritableKeyPath<HardCaseTally, Int>
    ) -> Bool {
        let device = devices[index]
        do {
            try server.store.setDeviceStatus(clientID: device.clientID, to: status, actor: Population.operacion.id, at: clock.now)
            ledger[keyPath: noted].insert(device.clientID)
            tally[keyPath: counted] += 1
            trace.record(step, "\(verb) \(device.label) \(device.clientID)")
            return true
        } catch {
            if server.diskFault { tally.serverDiskFaults += 1 }
            trace.record(step, "\(verb) \(device.label) failed")
            return false
        }
    }

    /// One action of operations on a case, chosen from what the server holds.
    func operationsAct() {
        do {
            let casos = try server.store.records(in: Caso.collection).sorted { $0.key < $1.key }.compactMap { try? Caso(body: $0.value) }
            let cuentas = try server.store.records(in: Cuenta.collection).sorted { $0.key < $1.key }.compactMap {
                try? Cuenta(body: $0.value)
            }
            let convenios = try server.store.records(in: Convenio.collection)
            let actuales = casos.filter { caso in cuentas.contains { $0.casoActual == caso.id } }
            let hoy = CalendarioMX.fecha(clock.now)
            var options: [(ServerMutation, Double)] = []
            for caso in actuales {
                let ronda: Int? = caso.ronda > 1 ? caso.ronda : nil
                switch caso.estatus {
                case .sesionNoAgendada, .negativaFirma:
                    options.append((mutation(RetirarCaso(numeroCredito: caso.numeroCredito, ronda: ronda)), 3))
                case .solucionAprobada:
                    if let convenio = caso.convenio.flatMap({ convenios[$0] }).flatMap({ try? Convenio(body: $0) }),
                        hoy <= convenio.fechaLimitePrimerPago
                    {
                        options.append(
                            (
                                mutation(
                                    RegistrarPrimerPago(numeroCredito: caso.numeroCredito, ronda: ronda, monto: convenio.montoPago, fechaPago: hoy)
                                ), 3
                            )
                        )
                    }
                    options.append((mutation(RegistrarIncumplimiento(numeroCredito: caso.numeroCredito, ronda: ronda)), 0.5))
                case .convenioVigente:
                    options.append((mutation(RegistrarIncumplimiento(numeroCredito: caso.numeroCredito, ronda: ronda)), 0.3))
                default:
                    let cuenta = cuentas.first { $0.numeroCredito == caso.numeroCredito }
                    if caso.estatus.isFinal, cuenta?.exclusion == nil, (cuenta?.conveniosIncumplidos ?? 0) < 2 {
                        options.append((mutation(EtiquetarRemediacion(numeroCredito: caso.numeroCredito)), 0.5))
                    }
                }
            }
            // The monthly assignment moves an account to another asesor (or to none).
            let movibles = cuentas.filter { $0.numeroCredito != Population.pinnedAccount }
            if !movibles.isEmpty {
                var cuenta = random.pick(movibles)
                let asesores = population.users.filter { $0.role == .asesor && $0 != Population.intruso }.map(\.id)
                let nuevo: String? = random.chance(0.25) || asesores.isEmpty ? nil : random.pick(asesores)
                if nuevo != cuenta.asesor {
                    cuenta.asesor = nuevo
                    options.append((mutation(ImportarCuenta(cuenta: cuenta)), 1))
                }
            }
            if exclusionsLeft > 0, !cuentas.isEmpty, step > configuration.steps / 3 {
                let cuenta = random.pick(cuentas)
                options.append((mutation(ExcluirCuenta(numeroCredito: cuenta.numeroCredito, criterio: .reestructuraActiva)), 0.15))
            }
            guard let chosen = random.weighted(options) else {
                trace.record(step, "operations nothing")
                return
            }
            if chosen.name == ExcluirCuenta.name { exclusionsLeft -= 1 }
            let report = try server.store.applyServerMutations(
                [chosen], author: Self.operacion, registry: Mediacion.registry, at: clock.now, atomically: false
            )
            let result = report.results.first
            trace.record(
                step,
                "operations \(chosen.name) \(chosen.args["numeroCredito"]?.stringValue ?? "") -> \(result?.status.rawValue ?? "?") \(result?.code ?? "")"
            )
        } catch {
            if server.diskFault { tally.serverDiskFaults += 1 }
            trace.record(step, "operations failed")
        }
    }

    private func mutation(_ mutation: some Mutation) -> ServerMutation {
        ServerMutation(name: type(of: mutation).name, args: Workload.encode(mutation))
    }
}
