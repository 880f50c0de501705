import Foundation
import SyncCore
import Testing

/// DOMAIN.md §8: the situations the conflict rules must decide, end to end with real devices and
/// the real server; each asserts the rule's outcome on the server and on every replica.
/// (Case 7, the same upload twice, is `ExactlyOnceTests`; case 9, a lost device, is
/// `DeviceLifecycleTests`.)
@Suite struct HardCasesTests {
    /// 1. A mediator, offline, schedules a session on day 29; its laptop syncs on day 33, after the
    /// server closed the case automatically on day 32. The record was made in time: it counts.
    @Test func aSessionScheduledOfflineInTimeUndoesTheDay32Closure() throws {
        let escenario = try Escenario("caso-1")
        try escenario.casoDistribuido(1)
        try escenario.avanzar(dias: 28)  // day 29
        try escenario.mediador.ok(["agendar", Cuentas.credito(1), "--fecha-hora", try escenario.fechaHora(enDias: 20), "--medio", "Whatsapp"])
        try escenario.avanzar(dias: 3)  // day 32: the laptop is still offline
        let sweep = try escenario.server.admin(["sweep"])
        #expect(sweep.stdout.contains("1 closed automatically"))
        #expect(try escenario.servidor("casos", "\(Cuentas.credito(1))-1")?["estatus"] == "Retirado automáticamente")

        try escenario.avanzar(dias: 1)  // day 33: the laptop is back; its 14-day session expired meanwhile
        #expect(try escenario.mediador.run(["sync"]).stderr.contains("Your session expired"))
        for device in escenario.todos { try device.login(escenario.server) }  // everyone signs in again
        try escenario.mediador.ok(["sync"])
        let caso = try #require(try escenario.servidor("casos", "\(Cuentas.credito(1))-1"))
        #expect(caso["estatus"] == "Sesión agendada")
        #expect(caso["cierresDeshechos"]?.arrayValue?.count == 1, "the undone closure is kept")
        let historial = try Tables.serverRecords(escenario.server).filter { $0[0] == "historial" }.map { $0[2] }
        #expect(historial.contains { $0.contains("\"accion\":\"cerrarSinRegistro\"") }, "the history shows the closure…")
        #expect(historial.contains { $0.contains("\"accion\":\"deshacerCierre\"") }, "…and its undoing")
        try escenario.todosCoinciden()
        let vista = try escenario.caso(escenario.asesor, 1)
        #expect(vista["caso"]?["estatus"] == "Sesión agendada")
        #expect(vista["siguienteVencimiento"]?["pendiente"]?.stringValue != nil, "each case shows its next deadline on the device")
    }

    /// 2. An asesor records the e-mail on its phone while the mediator corrects the same e-mail on
    /// its laptop, both offline: the later by hybrid clock wins whatever the arrival order, and the
    /// losing value stays in the history.
    @Test func contactDataEditedOnTwoDevicesConvergesToTheLaterWrite() throws {
        let escenario = try Escenario("caso-2")
        try escenario.casoDistribuido(1)
        try escenario.asesor.ok(["aviso-privacidad", Cuentas.credito(1)])
        try escenario.asesor.ok(["sync"])
        try escenario.mediador.ok(["sync"])
        // Offline: the asesor writes first, the mediator corrects an hour later.
        try escenario.asesor.ok(["contacto", Cuentas.credito(1), "--correo", "version.asesor@example.com"])
        try escenario.avanzar(dias: 1.0 / 24)
        try escenario.mediador.ok(["contacto", Cuentas.credito(1), "--correo", "version.mediador@example.com"])
        // The mediator's laptop reaches the server first; the asesor's phone, with the older write, later.
        try escenario.mediador.ok(["sync"])
        try escenario.asesor.ok(["sync"])
        let contacto = try #require(try escenario.servidor("contactos", Cuentas.credito(1)))
        #expect(contacto["correoElectronico"] == "version.mediador@example.com")
        let historial = try Tables.serverRecords(escenario.server).filter { $0[0] == "historial" }.map { $0[2] }
        #expect(historial.contains { $0.contains("version.asesor@example.com") }, "the losing value is kept in the history")
        try escenario.todosCoinciden()
    }

    /// 3. The agency redistributes an account to another mediator while the first one, offline,
    /// records a session for it: a person decides.
    @Test func aRedistributionAndTheOldMediatorsOfflineActionGoToReview() throws {
        let escenario = try Escenario("caso-3")
        try escenario.casoDistribuido(1)
        try escenario.mediador.ok(["agendar", Cuentas.credito(1), "--fecha-hora", try escenario.fechaHora(enDias: 5), "--medio", "Whatsapp"])
        try escenario.agencia.ok(["mutate", "redistribuirCaso", #"{"numeroCredito":"\#(Cuentas.credito(1))","mediador":"mediador.dos"}"#])
        try escenario.agencia.ok(["sync"])
        try escenario.mediador.ok(["sync"])

        let caso = try #require(try escenario.servidor("casos", "\(Cuentas.credito(1))-1"))
        #expect(caso["mediador"] == "mediador.dos", "the redistribution stands until someone decides")
        #expect(caso["estatus"] == "Distribuido al mediador")
        let conflicto = try #require(try escenario.servidor("conflicts", try conflictoAbierto(escenario)))
        #expect(conflicto["contenders"]?[0]?["mutation"] == "redistribuirCaso")
        #expect(conflicto["contenders"]?[1]?["mutation"] == "agendarSesion")
        #expect(conflicto["contenders"]?[1]?["userId"] == "mediador.uno")
        #expect(try escenario.mediador.ok(["avisos"]).stdout.contains("Sent to review"))
        try escenario.sincronizarTodos()
        #expect(try escenario.caso(escenario.otroMediador, 1)["caso"]?["syncState"] == "inConflict")

        // The agency decides: the redistribution stands.
        let id = try conflictoAbierto(escenario)
        try escenario.mutate(escenario.agencia, "resolverConflicto", ["conflicto": .string(id), "eleccion": "keep", "motivo": "El nuevo mediador ya contactó al acreditado"])
        try escenario.todosCoinciden()
        #expect(try escenario.servidor("conflicts", id)?["status"] == "resolved")
        // The old mediator's laptop was cleaned of the account; its action was not lost: it is in
        // the conflict record. The new mediator holds the whole account.
        let viejo = try Tables.records(ofFile: escenario.mediador.replica)
        #expect(!viejo.contains { $0[1].hasPrefix(Cuentas.credito(1)) || $0[2].contains(Cuentas.credito(1)) })
        #expect(try escenario.servidor("conflicts", id)?["contenders"]?[1]?["args"]?["numeroCredito"] == .string(Cuentas.credito(1)))
        let nuevo = try Tables.records(ofFile: escenario.otroMediador.replica)
        #expect(nuevo.contains { $0[0] == "cuentas" && $0[1] == Cuentas.credito(1) })
        #expect(try escenario.caso(escenario.otroMediador, 1)["caso"]?["syncState"] == "synced")
    }

    /// 4. An asesor records acceptance for an account that operations excluded an hour earlier: the
    /// exclusion supersedes it.
    @Test func anAcceptanceAfterAnExclusionIsMoot() throws {
        let escenario = try Escenario("caso-4")
        // The asesor's phone is offline; operations excludes the account, then the asesor visits.
        try escenario.mutate(
            escenario.operacion, "excluirCuenta", ["numeroCredito": .string(Cuentas.credito(2)), "criterio": "Créditos con reestructura activa"]
        )
        try escenario.operacion.ok(["sync"])
        try escenario.avanzar(dias: 1.0 / 24)
        try escenario.asesor.ok(["aceptar", Cuentas.credito(2)])
        try escenario.asesor.ok(["sync"])

        #expect(try escenario.servidor("casos", "\(Cuentas.credito(2))-1") == nil, "no case was opened")
        let rechazos = try escenario.asesor.ok(["rechazos", "--json"]).stdout
        #expect(rechazos.contains("\"code\":\"superseded\""))
        #expect(rechazos.contains("excluded from mediation"))
        try escenario.todosCoinciden()
    }

    /// 5. A second reschedule arrives from a device that did not know about the first one: refused.
    @Test func aSecondRescheduleFromAnUnawareDeviceIsRefused() throws {
        let escenario = try Escenario("caso-5")
        try escenario.casoDistribuido(1)
        try escenario.mediador.ok(["agendar", Cuentas.credito(1), "--fecha-hora", try escenario.fechaHora(enDias: 1), "--medio", "Whatsapp"])
        try escenario.mediador.ok(["sync"])
        try escenario.avanzar(dias: 1)
        try escenario.mutate(escenario.mediador, "registrarSesionNoCelebrada", ["numeroCredito": .string(Cuentas.credito(1))])
        try escenario.mediador.ok(["sync"])
        try escenario.mediadorTableta.ok(["sync"])
        // Both devices reschedule without seeing each other.
        let reagenda = { (fecha: String) -> JSONObject in
            ["numeroCredito": .string(Cuentas.credito(1)), "fechaHora": .string(fecha), "medioConvocatoria": "Mensaje SMS"]
        }
        try escenario.mutate(escenario.mediador, "reagendarSesion", reagenda(RFC3339Fixture.enDias(5, de: escenario)))
        try escenario.mutate(escenario.mediadorTableta, "reagendarSesion", reagenda(RFC3339Fixture.enDias(6, de: escenario)))
        try escenario.mediador.ok(["sync"])
        try escenario.mediadorTableta.ok(["sync"])

        let caso = try #require(try escenario.servidor("casos", "\(Cuentas.credito(1))-1"))
        #expect(caso["estatus"] == "Sesión agendada")
        #expect(caso["reagendas"] == 1)
        let rechazos = try escenario.mediadorTableta.ok(["rechazos", "--json"]).stdout
        #expect(rechazos.contains("reagendarSesion"))
        try escenario.todosCoinciden()
    }

    /// 6. A convenio signature and a refusal to sign arrive for the same case from two devices: a
    /// person decides, and the decision reaches every device.
    @Test func aSignatureAndARefusalGoToReviewAndTheResolutionSyncsEverywhere() throws {
        let escenario = try Escenario("caso-6")
        try escenario.casoDistribuido(1)
        try escenario.sesionCelebrada(1)
        try escenario.mediadorTableta.ok(["sync"])
        let credito = Cuentas.credito(1)
        try escenario.mutate(
            escenario.mediador, "firmarConvenio",
            [
                "numeroCredito": .string(credito), "tipoConvenio": "Administrativo", "solucion": "Reestructura de pagos",
                "montoPago": 1500.5, "fechaLimitePrimerPago": .string(CalendarioFixture.fecha(Date().addingTimeInterval(40 * 86_400), plus: 0)),
                "factorPago": 0.27, "firmadoPorAcreditado": true, "firmadoPorRepresentante": true, "firmadoPorMediador": true,
                "originales": 3, "acuseRecibo": true,
            ]
        )
        try escenario.mutate(
            escenario.mediadorTableta, "registrarNegativaFirma",
            ["numeroCredito": .string(credito), "causa": "El acreditado manifestó no tener ingresos, por lo que no puede comprometerse a pagar alguna de las soluciones ofrecidas"]
        )
        try escenario.mediador.ok(["sync"])
        try escenario.mediadorTableta.ok(["sync"])
        #expect(try escenario.servidor("casos", "\(credito)-1")?["estatus"] == "Convenio firmado")
        let id = try conflictoAbierto(escenario)
        try escenario.sincronizarTodos()
        // Every device that holds the case shows it in conflict; the other mediator does not hold it.
        for device in escenario.todos where device.user != "mediador.dos" {
            #expect(try escenario.caso(device, 1)["caso"]?["syncState"] == "inConflict", "\(device.replica)")
        }
        #expect(try escenario.otroMediador.run(["caso", Cuentas.credito(1)]).status == 1)

        // The Gerencia de Mediación y Convenios finds the refusal was the last session's outcome.
        try escenario.mutate(
            escenario.gerencia, "resolverConflicto",
            ["conflicto": .string(id), "eleccion": "replace", "motivo": "La negativa consta en el acta de la última sesión"]
        )
        try escenario.todosCoinciden()
        #expect(try escenario.servidor("casos", "\(credito)-1")?["estatus"] == "Negativa de firma de convenio")
        #expect(try escenario.servidor("convenios", "\(credito)-1") == nil, "the replaced signature's convenio is undone")
        let historial = try Tables.serverRecords(escenario.server).filter { $0[0] == "historial" }.map { $0[2] }
        #expect(historial.contains { $0.contains("\"accion\":\"firmarConvenio\"") }, "the history keeps both")
        #expect(historial.contains { $0.contains("\"accion\":\"registrarNegativaFirma\"") })
        let resuelto = try #require(try escenario.servidor("conflicts", id))
        #expect(resuelto["resolution"]?["userId"] == "gerencia.uno")
        #expect(resuelto["resolution"]?["choice"] == "replace")
        #expect(try escenario.caso(escenario.mediador, 1)["caso"]?["estatus"] == "Negativa de firma de convenio")
    }

    /// 8. A device's clock is wrong by days: its action counts from its arrival, and the case's
    /// history says so.
    @Test func aDeviceWithAClockDaysAheadIsJudgedAtArrival() throws {
        let escenario = try Escenario("caso-8")
        let reloj = escenario.directory.url.appendingPathComponent("reloj-adelantado")
        try String(5 * 86_400).write(to: reloj, atomically: true, encoding: .utf8)
        let adelantado = DeviceCLI(escenario.directory, "telefono-adelantado", user: "asesor.uno", clockFile: reloj)
        try adelantado.login(escenario.server)
        try adelantado.ok(["sync"])
        try adelantado.ok(["aceptar", Cuentas.credito(3)])
        try adelantado.ok(["sync"])

        let caso = try #require(try escenario.servidor("casos", "\(Cuentas.credito(3))-1"))
        let aceptacion = try #require(caso["fechaAceptacion"]?.stringValue.flatMap(RFC3339.date(from:)))
        #expect(abs(aceptacion.timeIntervalSinceNow) < 3600, "counted from its arrival, not five days ahead")
        let entrada = try #require(
            try Tables.serverRecords(escenario.server).first { $0[0] == "historial" && $0[2].contains(Cuentas.credito(3)) }
        )
        #expect(entrada[2].contains("clock was ahead"))
        #expect(entrada[2].contains("horaReportada"))
        try escenario.todosCoinciden()
    }

    func conflictoAbierto(_ escenario: Escenario, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let abiertos = try Tables.serverRecords(escenario.server).filter { $0[0] == "conflicts" && $0[2].contains("\"status\":\"open\"") }
        return try #require(abiertos.first?[1], "an open conflict", sourceLocation: sourceLocation)
    }
}

enum RFC3339Fixture {
    /// 11:00 Mexico City time `days` after the scenario's today, as RFC 3339.
    static func enDias(_ days: Int, de escenario: Escenario) -> String {
        (try? escenario.fechaHora(enDias: days)).map { $0.replacingOccurrences(of: " ", with: "T") + ":00-06:00" } ?? ""
    }
}
