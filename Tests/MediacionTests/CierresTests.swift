import Foundation
import SyncCore
import Testing

@testable import Mediacion

@Suite struct CierresTests {
    let credito = Fixture.credito

    /// Distributed on day 1, nothing recorded, closed by the server on day 32 at 00:30.
    func cerradoDia32() throws -> MemoryStore {
        var store = try Escenario.en(.distribuido).store
        try store.run(CerrarSinRegistro(numeroCredito: credito), as: .operacion, user: "sistema", at: Fixture.dia(32, 0, 30), device: "server")
        return store
    }

    @Test func theDay32ClosureKeepsTheStatusItHad() throws {
        let store = try cerradoDia32()
        let caso = try store.caso()
        #expect(caso.estatus == .retiradoAutomaticamente)
        let cierre = try #require(caso.cierre)
        #expect(cierre.regla == .sinRegistro)
        #expect(cierre.estatusAnterior == .distribuido)
        #expect(cierre.dia == 32)
        #expect(cierre.ultimoDiaPermitido == FechaCivil("2026-12-27"))
        #expect(cierre.deshecho == nil)
        let entrada = try #require(try store.historial().last)
        #expect(entrada.accion == "cerrarSinRegistro")
        #expect(entrada.estatusAnterior == .distribuido)
        #expect(entrada.estatusNuevo == .retiradoAutomaticamente)
        #expect(entrada.dispositivo == "server")
        #expect(entrada.detalle?["ultimoDiaPermitido"] == "2026-12-27")
    }

    @Test func aScheduleRecordedOfflineOnDay29UndoesTheClosure() throws {
        // DOMAIN §8.1: the laptop recorded the session on day 29 and synced on day 33.
        var store = try cerradoDia32()
        let outcome = try store.runWithOutcome(
            AgendarSesion(numeroCredito: credito, fechaHora: Fixture.dia(40, 11), medioConvocatoria: .whatsapp),
            as: .mediador, user: Escenario.mediador, at: Fixture.dia(29, 18), device: "laptop-7"
        ).outcome
        #expect(outcome.resolution?.contains("undid the automatic closure") == true)
        let caso = try store.caso()
        #expect(caso.estatus == .sesionAgendada)
        #expect(caso.cierre == nil)
        let deshecho = try #require(caso.cierresDeshechos.first)
        #expect(deshecho.regla == .sinRegistro)
        #expect(deshecho.deshecho?.accion == "agendarSesion")
        #expect(deshecho.deshecho?.ocurrido == Fixture.dia(29, 18))
        #expect(deshecho.deshecho?.dispositivo == "laptop-7")

        let historial = try store.historial()
        let acciones = historial.suffix(3).map(\.accion)
        #expect(acciones == ["cerrarSinRegistro", "deshacerCierre", "agendarSesion"])
        let reapertura = historial[historial.count - 2]
        #expect(reapertura.id.hasSuffix("-reapertura"))
        #expect(reapertura.estatusAnterior == .retiradoAutomaticamente)
        #expect(reapertura.estatusNuevo == .distribuido)
        #expect(historial.last?.estatusAnterior == .distribuido)
        #expect(historial.last?.estatusNuevo == .sesionAgendada)
    }

    @Test func notScheduledRecordedOnDay31AlsoUndoesIt() throws {
        var store = try cerradoDia32()
        try store.run(
            RegistrarNoAgendada(numeroCredito: credito, causa: .sinContacto), as: .mediador, user: Escenario.mediador,
            at: Fixture.dia(31, 23, 50)
        )
        #expect(try store.caso().estatus == .sesionNoAgendada)
        #expect(try store.caso().cierresDeshechos.count == 1)
    }

    @Test func anActionAfterTheDeadlineIsRefusedWithTheReason() throws {
        var store = try cerradoDia32()
        let antes = store.records
        do {
            try store.run(
                AgendarSesion(numeroCredito: credito, fechaHora: Fixture.dia(40, 11), medioConvocatoria: .whatsapp),
                as: .mediador, user: Escenario.mediador, at: Fixture.dia(32, 0, 10)
            )
            Issue.record("a late schedule undid the closure")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "caso_cerrado_automaticamente")
            #expect(rechazo.message.contains("closed automatically on day 32"))
            #expect(rechazo.message.contains("no session was scheduled"))
            #expect(rechazo.message.contains("by 2026-12-27"))
            #expect(rechazo.message.contains("counts on 2026-12-28 (day 32)"))
        }
        #expect(store.records == antes)
    }

    @Test func anActionNotAllowedBeforeTheClosureDoesNotUndoIt() throws {
        var store = try cerradoDia32()
        do {
            try store.run(
                RegistrarSesionCelebrada(
                    numeroCredito: credito, verificacion: Escenario.verificacion, identificacionAcreditado: .pasaporte,
                    asistioRepresentante: true
                ), as: .mediador, user: Escenario.mediador, at: Fixture.dia(20)
            )
            Issue.record("undone by an action the previous status did not allow")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "caso_cerrado_automaticamente")
        }
        #expect(try store.caso().estatus == .retiradoAutomaticamente)
    }

    @Test func anUndoneClosureClosesAgainWhenStillDue() throws {
        // The agency distributed on day 20 (offline); the mediator then recorded nothing: the next
        // run of the closure job closes the case again. The history shows all three.
        var store = try Escenario.en(.aprobado).store
        try store.run(CerrarSinRegistro(numeroCredito: credito), as: .operacion, at: Fixture.dia(32, 1))
        #expect(try store.caso().cierre?.estatusAnterior == .aprobado)
        try store.run(DistribuirCaso(numeroCredito: credito, mediador: Escenario.mediador), as: .agencia, at: Fixture.dia(20))
        #expect(try store.caso().estatus == .distribuido)
        #expect(Vencimientos.cierrePendiente(caso: try store.caso(), plazos: .procedimiento, hoy: CalendarioMX.fecha(Fixture.dia(33))) == .sinRegistro)
        try store.run(CerrarSinRegistro(numeroCredito: credito), as: .operacion, at: Fixture.dia(33, 1))
        let caso = try store.caso()
        #expect(caso.estatus == .retiradoAutomaticamente)
        #expect(caso.cierre?.estatusAnterior == .distribuido)
        #expect(caso.cierresDeshechos.count == 1)
        #expect(try store.historial().suffix(4).map(\.accion) == ["cerrarSinRegistro", "deshacerCierre", "distribuirCaso", "cerrarSinRegistro"])
    }

    @Test func theDay91ClosureIsUndoneBySessionHeldOnDay90() throws {
        var store = try Escenario.en(.sesionNoCelebrada).store
        try store.run(
            ReagendarSesion(numeroCredito: credito, fechaHora: Fixture.dia(88, 11), medioConvocatoria: .whatsapp),
            as: .mediador, user: Escenario.mediador, at: Fixture.dia(50)
        )
        #expect(throws: MutationRejection.self) {
            var temprano = store
            try temprano.run(CerrarSinSesion(numeroCredito: credito), as: .operacion, at: Fixture.dia(90, 23))
        }
        try store.run(CerrarSinSesion(numeroCredito: credito), as: .operacion, at: Fixture.dia(91, 0, 5))
        let cerrado = try store.caso()
        #expect(cerrado.cierre?.regla == .sinSesion)
        #expect(cerrado.cierre?.estatusAnterior == .sesionAgendada)
        #expect(cerrado.cierre?.ultimoDiaPermitido == FechaCivil("2027-02-24"))

        let celebrada = RegistrarSesionCelebrada(
            numeroCredito: credito, verificacion: Escenario.verificacion, identificacionAcreditado: .credencialParaVotar,
            asistioRepresentante: true
        )
        var tarde = store
        #expect(throws: MutationRejection.self) {
            try tarde.run(celebrada, as: .mediador, user: Escenario.mediador, at: Fixture.dia(91, 9))
        }
        try store.run(celebrada, as: .mediador, user: Escenario.mediador, at: Fixture.dia(90, 20))
        #expect(try store.caso().estatus == .sesionCelebrada)
        #expect(try store.caso().cierresDeshechos.first?.regla == .sinSesion)
    }

    @Test func aClosureAppliesOnlyToTheStatusesItIsAbout() throws {
        var store = try Escenario.en(.sesionAgendada).store
        do {
            try store.run(CerrarSinRegistro(numeroCredito: credito), as: .operacion, at: Fixture.dia(40))
            Issue.record("closed a scheduled case for lack of a schedule")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "estatus_no_permite")
        }
        #expect(CerrarSinRegistro.worksOffline == false && CerrarSinSesion.worksOffline == false)
        #expect(CerrarSinRegistro.allowedRoles == ["operacion"] && CerrarSinSesion.allowedRoles == ["operacion"])
    }

    @Test func aClosureUsesTheSettingsInForce() throws {
        var store = try Escenario.en(.distribuido).store
        try store.run(CambiarPlazo(plazo: .diaCierreSinRegistro, dias: 40), as: .mediacion, at: Fixture.dia(3))
        #expect(throws: Rechazo.cierrePrematuro(.sinRegistro, dia: 40, fechaCierre: FechaCivil("2027-01-05")!, hoy: 32)) {
            var copia = store
            try copia.run(CerrarSinRegistro(numeroCredito: credito), as: .operacion, at: Fixture.dia(32, 1))
        }
        try store.run(CerrarSinRegistro(numeroCredito: credito), as: .operacion, at: Fixture.dia(40, 1))
        #expect(try store.caso().cierre?.ultimoDiaPermitido == FechaCivil("2027-01-04"))
    }
}

@Suite struct CierreYRemediacionTests {
    @Test func aClosedRoundReplacedByARemediationIsNotReopened() throws {
        var store = try Escenario.en(.distribuido).store
        try store.run(CerrarSinRegistro(numeroCredito: Fixture.credito), as: .operacion, at: Fixture.dia(32, 1))
        try store.run(EtiquetarRemediacion(numeroCredito: Fixture.credito), as: .operacion, at: Fixture.dia(40))
        let tarde = AgendarSesion(numeroCredito: Fixture.credito, ronda: 1, fechaHora: Fixture.dia(45, 11), medioConvocatoria: .whatsapp)
        do {
            try store.run(tarde, as: .mediador, user: Escenario.mediador, at: Fixture.dia(29))
            Issue.record("reopened a round that a re-mediation replaced")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "caso_cerrado_automaticamente")
        }
        #expect(try store.caso().estatus == .retiradoAutomaticamente)
    }
}
