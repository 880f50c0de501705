import Foundation
import GestionClient
import GestionProtocol
import GestionServer
import Mediacion
import SyncCore
import Testing

@testable import GestionSimulation

/// The bugs the simulation found, each replayed as a short script on the simulation's own
/// harness (real server, real replicas, no faults), with the invariants checked after every
/// sync. Each test fails on the code before its fix. The seeds that found them stay in
/// `SimulationTests.ciSeeds`.
@Suite struct RegressionTests {
    /// A server with the default population, every device signed in and synced, no faults.
    static func harness() async throws -> Simulation {
        let simulation = Simulation(SimulationConfiguration(seed: 1, faults: .none, requireHardCases: false))
        try await simulation.setUp()
        return simulation
    }

    /// Performs `mutation` on device `index`; `false` when the device refused it.
    @discardableResult
    static func act(_ simulation: Simulation, _ index: Int, _ mutation: some Mutation) -> Bool {
        let before = simulation.ledger.performed.count
        simulation.perform(
            PlannedAction(name: type(of: mutation).name, args: Workload.encode(mutation), legal: true, subject: "script"), on: index
        )
        return simulation.ledger.performed.count == before + 1
    }

    static let agencia = 0, mediadorUno = 1, asesorUno = 2, asesorDos = 5

    /// Found by seed 4: a conflict resolved as `replace` deletes the convenio the old mediator
    /// signed and applies the redistribution in the same change-set; the old mediator's laptop
    /// lost the case but kept the deleted convenio for good (the evictions listed only records
    /// that still existed, and the deletion was filtered out with the partition).
    @Test func aConvenioUndoneByAResolutionLeavesTheOldMediatorsDevice() async throws {
        let simulation = try await Self.harness()
        defer { simulation.finish() }
        let credito = "3000000002"
        let convenio = RecordKey(Convenio.collection, "\(credito)-1")
        #expect(Self.act(simulation, Self.asesorUno, RegistrarAceptacion(numeroCredito: credito)))
        await simulation.sync(Self.asesorUno)
        await simulation.sync(Self.agencia)
        #expect(Self.act(simulation, Self.agencia, AprobarCaso(numeroCredito: credito)))
        #expect(Self.act(simulation, Self.agencia, DesignarRepresentante(numeroCredito: credito, representante: "REP-1")))
        #expect(Self.act(simulation, Self.agencia, DistribuirCaso(numeroCredito: credito, mediador: "mediador.uno")))
        await simulation.sync(Self.agencia)
        await simulation.sync(Self.mediadorUno)
        let inicio = simulation.clock.now
        #expect(
            Self.act(
                simulation, Self.mediadorUno,
                AgendarSesion(numeroCredito: credito, fechaHora: inicio.addingTimeInterval(3600), medioConvocatoria: .whatsapp)
            )
        )
        simulation.clock.advance(2 * 3600)
        #expect(
            Self.act(
                simulation, Self.mediadorUno,
                RegistrarSesionCelebrada(
                    numeroCredito: credito, verificacion: VerificacionSesion(), identificacionAcreditado: .pasaporte,
                    asistioRepresentante: true
                )
            )
        )
        await simulation.sync(Self.mediadorUno)
        await simulation.sync(Self.agencia)  // the agency sees the session held, not what follows
        #expect(
            Self.act(
                simulation, Self.mediadorUno,
                FirmarConvenio(
                    numeroCredito: credito, tipoConvenio: .administrativo, solucion: "Reestructura", montoPago: 1500,
                    fechaLimitePrimerPago: CalendarioMX.fecha(inicio).adding(days: 10), factorPago: 1.2
                )
            )
        )
        await simulation.sync(Self.mediadorUno)
        #expect(try simulation.server.store.records(in: Convenio.collection)[convenio.id] != nil)
        // The agency, unaware of the signature, redistributes: held for review against it.
        #expect(Self.act(simulation, Self.agencia, RedistribuirCaso(numeroCredito: credito, mediador: "mediador.dos")))
        await simulation.sync(Self.agencia)
        let abiertos = try simulation.server.store.records(in: ConflictRecord.collection)
            .filter { $0.value["status"]?.stringValue == "open" }.map(\.key).sorted()
        let conflicto = try #require(abiertos.first)
        #expect(
            Self.act(simulation, Self.agencia, ResolverConflicto(conflicto: conflicto, eleccion: .replace, motivo: "Cambio de mediador"))
        )
        await simulation.sync(Self.agencia)
        #expect(try simulation.server.store.records(in: Convenio.collection)[convenio.id] == nil, "replace undid the signature")
        #expect(try simulation.server.store.records(in: Caso.collection)["\(credito)-1"]?["mediador"] == "mediador.dos")

        await simulation.sync(Self.mediadorUno)
        let laptop = try simulation.devices[Self.mediadorUno].replica.allRecords()
        #expect(laptop[convenio] == nil, "the old mediator's laptop keeps no deleted convenio")
        #expect(!laptop.keys.contains { $0.id.hasPrefix(credito) }, "nor anything else of the account")
        #expect(simulation.violations.isEmpty, "\(simulation.violations)")
    }

    /// Found by seeds 1, 2 and 3 once the monthly reassignment was simulated: an account seen
    /// by every asesor (none assigned) is assigned to asesor.uno; the pull sent asesor.uno the
    /// account again for its own tag and then its eviction for "every asesor", and the account
    /// vanished from the device of the asesor it had just been given to.
    @Test func anAccountAssignedToAnAsesorStaysOnItsDevice() async throws {
        let simulation = try await Self.harness()
        defer { simulation.finish() }
        let credito = "3000000003"  // no asesor: every asesor sees it
        let cuentaKey = Cuenta.key(credito)
        #expect(try simulation.devices[Self.asesorUno].replica.allRecords()[cuentaKey] != nil)
        #expect(try simulation.devices[Self.asesorDos].replica.allRecords()[cuentaKey] != nil)
        var cuenta = try Cuenta(body: try #require(try simulation.server.store.records(in: Cuenta.collection)[credito]))
        cuenta.asesor = "asesor.uno"
        let report = try simulation.server.store.applyServerMutations(
            [ServerMutation(name: ImportarCuenta.name, args: Workload.encode(ImportarCuenta(cuenta: cuenta)))],
            author: Simulation.operacion, registry: Mediacion.registry, at: simulation.clock.now, atomically: true
        )
        #expect(report.committed)
        await simulation.sync(Self.asesorUno)
        await simulation.sync(Self.asesorDos)
        #expect(try simulation.devices[Self.asesorUno].replica.allRecords()[cuentaKey] != nil, "the assigned asesor keeps it")
        #expect(try simulation.devices[Self.asesorDos].replica.allRecords()[cuentaKey] == nil, "the other asesor loses it")
        #expect(simulation.violations.isEmpty, "\(simulation.violations)")
    }

    /// Found by seed 4: the user records an action while the pull that reports "nothing to
    /// upload" is on its way; the answer retires the device, which erased the action with the
    /// rest. A retired replica now keeps what the server has not received, renumbered for its
    /// next life, and sends it once its user signs in again.
    @Test func anActionDoneWhileTheRetirementIsOnItsWayIsNotLost() async throws {
        let simulation = try await Self.harness()
        defer { simulation.finish() }
        #expect(simulation.retire(Self.asesorUno))
        simulation.beforeRequest.append(
            (
                node: Self.asesorUno, endpoint: .pull,
                action: { Self.act(simulation, Self.asesorUno, RegistrarAvisoPrivacidad(numeroCredito: "3000000001")) }
            )
        )
        await simulation.sync(Self.asesorUno)
        let device = simulation.devices[Self.asesorUno]
        #expect(device.incarnation == 2, "the device erased itself")
        #expect(try device.replica.allRecords().isEmpty)
        #expect(try device.replica.pendingMutations().map(\.name) == [RegistrarAvisoPrivacidad.name])
        await simulation.sync(Self.asesorUno)  // its user signs in again and it sends the action
        #expect(try simulation.server.store.records(in: DatosContacto.collection)["3000000001"]?["avisoPrivacidadMostrado"] != nil)
        await simulation.heal()
        simulation.checkInvariants()
        #expect(simulation.violations.isEmpty, "\(simulation.violations)")
    }

    /// The same race when the answer that retires the device is lost: the device keeps working,
    /// and its next request is refused with `device_retired`; what it did meanwhile is kept.
    @Test func anActionDoneAfterALostRetirementAnswerIsNotLost() async throws {
        let simulation = try await Self.harness()
        defer { simulation.finish() }
        #expect(simulation.retire(Self.asesorDos))
        simulation.rates.replyLoss = 1
        await simulation.sync(Self.asesorDos)  // the server retires it; the answer is lost
        simulation.rates = .none
        #expect(simulation.devices[Self.asesorDos].incarnation == 1)
        #expect(Self.act(simulation, Self.asesorDos, RegistrarAvisoPrivacidad(numeroCredito: "3000000003")))
        await simulation.sync(Self.asesorDos)  // refused: device_retired
        let device = simulation.devices[Self.asesorDos]
        #expect(device.incarnation == 2)
        #expect(try device.replica.pendingMutations().map(\.name) == [RegistrarAvisoPrivacidad.name])
        await simulation.heal()
        simulation.checkInvariants()
        #expect(try simulation.server.store.records(in: DatosContacto.collection)["3000000003"]?["avisoPrivacidadMostrado"] != nil)
        #expect(simulation.violations.isEmpty, "\(simulation.violations)")
    }

    /// A revoked device keeps nothing, not even what it did after it last synced.
    @Test func aRevokedDeviceKeepsNothing() async throws {
        let simulation = try await Self.harness()
        defer { simulation.finish() }
        #expect(Self.act(simulation, Self.asesorUno, RegistrarAvisoPrivacidad(numeroCredito: "3000000001")))
        #expect(simulation.revoke(Self.asesorUno))
        await simulation.sync(Self.asesorUno)
        let device = simulation.devices[Self.asesorUno]
        #expect(device.incarnation == 2)
        #expect(try device.replica.pendingMutations().isEmpty)
        #expect(try device.replica.allRecords().isEmpty)
        #expect(simulation.violations.isEmpty, "\(simulation.violations)")
    }

    /// Accepts account `credito` on asesor.uno's phone and has the agency approve it, designate
    /// a representative and distribute it to mediador.uno; everyone involved syncs.
    static func distribute(_ simulation: Simulation, _ credito: String, aviso: Bool = false) async {
        #expect(act(simulation, asesorUno, RegistrarAceptacion(numeroCredito: credito)))
        if aviso { #expect(act(simulation, asesorUno, RegistrarAvisoPrivacidad(numeroCredito: credito))) }
        await simulation.sync(asesorUno)
        await simulation.sync(agencia)
        #expect(act(simulation, agencia, AprobarCaso(numeroCredito: credito)))
        #expect(act(simulation, agencia, DesignarRepresentante(numeroCredito: credito, representante: "REP-1")))
        #expect(act(simulation, agencia, DistribuirCaso(numeroCredito: credito, mediador: "mediador.uno")))
        await simulation.sync(agencia)
        await simulation.sync(mediadorUno)
    }

    /// Found by seeds 18 and 20: the records a change-set sends whole to the devices that gain a
    /// partition (and evicts from those that lose it) counted as changes of those records. An
    /// asesor's reassignment made a mediator's concurrent action on the case "concurrent with
    /// importarCuenta" and sent it to review for want of a rule.
    @Test func anAudienceChangeIsNotAConcurrentChangeOfTheCase() async throws {
        let simulation = try await Self.harness()
        defer { simulation.finish() }
        let credito = "3000000002"
        await Self.distribute(simulation, credito)
        var cuenta = try Cuenta(body: try #require(try simulation.server.store.records(in: Cuenta.collection)[credito]))
        cuenta.asesor = "asesor.dos"
        let report = try simulation.server.store.applyServerMutations(
            [ServerMutation(name: ImportarCuenta.name, args: Workload.encode(ImportarCuenta(cuenta: cuenta)))],
            author: Simulation.operacion, registry: Mediacion.registry, at: simulation.clock.now, atomically: true
        )
        #expect(report.committed)
        // The mediator's laptop had not seen the reassignment when it recorded the contact.
        #expect(Self.act(simulation, Self.mediadorUno, RegistrarContacto(numeroCredito: credito, exitoso: true)))
        await simulation.sync(Self.mediadorUno)
        let client = simulation.devices[Self.mediadorUno].clientID
        let result = try #require(simulation.ledger.results.first { $0.key.client == client && $0.value.status == .applied }?.value)
        #expect(result.resolution == nil, "applied as it was, not sent to review")
        #expect(try simulation.server.store.records(in: ConflictRecord.collection).isEmpty)
        #expect(try simulation.server.store.records(in: Caso.collection)["\(credito)-1"]?["intentosContacto"] == 1)
        #expect(simulation.violations.isEmpty, "\(simulation.violations)")
    }

    /// Found by seeds 18 and 20: a conflict resolved as `replace` put back every record of the
    /// partition as it was before the applied action — the audience's copies of that version
    /// counted as its changes — and so undid contact data recorded since by someone else.
    @Test func aReplaceUndoesOnlyWhatTheAppliedActionChanged() async throws {
        let simulation = try await Self.harness()
        defer { simulation.finish() }
        let credito = "3000000002"
        await Self.distribute(simulation, credito, aviso: true)
        // Offline, the mediator records a contact; meanwhile the agency redistributes the case.
        #expect(Self.act(simulation, Self.mediadorUno, RegistrarContacto(numeroCredito: credito, exitoso: true)))
        #expect(Self.act(simulation, Self.agencia, RedistribuirCaso(numeroCredito: credito, mediador: "mediador.dos")))
        await simulation.sync(Self.agencia)
        // After the redistribution the asesor records the borrower's e-mail.
        await simulation.sync(Self.asesorUno)
        #expect(
            Self.act(
                simulation, Self.asesorUno, RegistrarDatosContacto(numeroCredito: credito, correoElectronico: "nuevo@example.com")
            )
        )
        await simulation.sync(Self.asesorUno)
        await simulation.sync(Self.mediadorUno)  // its contact is held: the case left its scope
        await simulation.sync(Self.agencia)
        let abiertos = try simulation.server.store.records(in: ConflictRecord.collection)
            .filter { $0.value["status"]?.stringValue == "open" }.map(\.key).sorted()
        let conflicto = try #require(abiertos.first)
        #expect(
            Self.act(simulation, Self.agencia, ResolverConflicto(conflicto: conflicto, eleccion: .replace, motivo: "El mediador ya había contactado"))
        )
        await simulation.sync(Self.agencia)
        let caso = try #require(try simulation.server.store.records(in: Caso.collection)["\(credito)-1"])
        #expect(caso["mediador"] == "mediador.uno", "the redistribution was undone")
        #expect(caso["intentosContacto"] == 1, "and the held contact applied")
        #expect(
            try simulation.server.store.records(in: DatosContacto.collection)[credito]?["correoElectronico"] == "nuevo@example.com",
            "the e-mail recorded after the redistribution is kept"
        )
        await simulation.heal()
        simulation.checkInvariants()
        #expect(simulation.violations.isEmpty, "\(simulation.violations)")
    }
}
