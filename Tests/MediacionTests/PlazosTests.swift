import Foundation
import SyncCore
import Testing

@testable import Mediacion

@Suite struct ConteoDeDiasTests {
    @Test func theAcceptanceDateIsDayOne() {
        let aceptacion = FechaCivil("2026-11-27")!
        #expect(CalendarioMX.dia(1, desde: aceptacion) == aceptacion)
        #expect(CalendarioMX.dia(30, desde: aceptacion) == FechaCivil("2026-12-26"))
        #expect(CalendarioMX.dia(31, desde: aceptacion) == FechaCivil("2026-12-27"))
        #expect(CalendarioMX.dia(32, desde: aceptacion) == FechaCivil("2026-12-28"))
        #expect(CalendarioMX.dia(90, desde: aceptacion) == FechaCivil("2027-02-24"))
        #expect(CalendarioMX.dia(91, desde: aceptacion) == FechaCivil("2027-02-25"))
        #expect(CalendarioMX.numeroDeDia(FechaCivil("2026-12-28")!, desde: aceptacion) == 32)
        #expect(CalendarioMX.numeroDeDia(aceptacion, desde: aceptacion) == 1)
    }

    @Test(arguments: [
        // (acceptance, day, expected date): month ends, a leap February, the year's end.
        ("2027-01-31", 31, "2027-03-02"),
        ("2027-01-31", 32, "2027-03-03"),
        ("2028-01-31", 31, "2028-03-01"),
        ("2028-01-31", 30, "2028-02-29"),
        ("2026-12-31", 2, "2027-01-01"),
        ("2026-12-02", 91, "2027-03-02"),
        ("2027-04-30", 32, "2027-05-31"),
    ])
    func dayNumbersCrossMonthEnds(aceptacion: String, dia: Int, esperada: String) {
        let inicio = FechaCivil(aceptacion)!
        #expect(CalendarioMX.dia(dia, desde: inicio) == FechaCivil(esperada))
        #expect(CalendarioMX.numeroDeDia(FechaCivil(esperada)!, desde: inicio) == dia)
    }

    @Test func daysChangeAtMidnightInMexicoCityNotInUTC() {
        // Accepted at 23:59 in Mexico City (05:59 UTC the next day): still day 1 on Nov 27.
        let aceptacion = RFC3339.date(from: "2026-11-27T23:59:00-06:00")!
        #expect(CalendarioMX.numeroDeDia(RFC3339.date(from: "2026-11-28T05:58:00Z")!, desde: aceptacion) == 1)
        #expect(CalendarioMX.numeroDeDia(RFC3339.date(from: "2026-11-28T06:00:00Z")!, desde: aceptacion) == 2)
        // 23:30 on day 31 in Mexico City is already day 32 in UTC, but counts as day 31.
        #expect(CalendarioMX.numeroDeDia(RFC3339.date(from: "2026-12-28T05:30:00Z")!, desde: aceptacion) == 31)
    }

    @Test func eventDeadlinesCountFromTheDayAfter() {
        let firma = FechaCivil("2026-12-31")!
        #expect(CalendarioMX.siguiente(0, despuesDe: firma) == firma)
        #expect(CalendarioMX.siguiente(1, despuesDe: firma) == FechaCivil("2027-01-01"))
        #expect(CalendarioMX.siguiente(2, despuesDe: FechaCivil("2027-02-27")!) == FechaCivil("2027-03-01"))
    }
}

@Suite struct VentanasTests {
    @Test func notScheduledIsRecordedOnDay31AroundMidnight() throws {
        let e = try Escenario.en(.distribuido)
        let registro = RegistrarNoAgendada(numeroCredito: Fixture.credito, causa: .negativaExpresa)
        var temprano = e.store
        #expect(throws: Rechazo.antesDePlazo("“Sesión no agendada”", primerDia: 31, dia: 30)) {
            try temprano.run(registro, as: .mediador, user: Escenario.mediador, at: RFC3339.date(from: "2026-12-26T23:59:00-06:00")!)
        }
        var tarde = e.store
        #expect(throws: Rechazo.fueraDePlazo("“Sesión no agendada”", ultimoDia: 31, dia: 32)) {
            try tarde.run(registro, as: .mediador, user: Escenario.mediador, at: RFC3339.date(from: "2026-12-28T00:00:30-06:00")!)
        }
        var justo = e.store
        // 2026-12-28T05:59Z is 23:59 on 2026-12-27 in Mexico City: day 31.
        try justo.run(registro, as: .mediador, user: Escenario.mediador, at: RFC3339.date(from: "2026-12-28T05:59:00Z")!)
        #expect(try justo.caso().estatus == .sesionNoAgendada)
        #expect(try justo.caso().causaNoAgendada?.rawValue == "El acreditado manifestó de manera expresa su negativa para asistir a la sesión")
    }

    @Test func theClosureRunsFromMidnightOfDay32InMexicoCity() throws {
        let e = try Escenario.en(.distribuido)
        var antes = e.store
        // Already 2026-12-28 in UTC, still day 31 in Mexico City.
        let dia31Tarde = RFC3339.date(from: "2026-12-28T05:30:00Z")!
        do {
            try antes.run(CerrarSinRegistro(numeroCredito: Fixture.credito), as: .operacion, at: dia31Tarde)
            Issue.record("closed on day 31")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "cierre_prematuro")
            #expect(rechazo.message.contains("day 32"))
            #expect(rechazo.message.contains("2026-12-28"))
            #expect(rechazo.message.contains("today is day 31"))
        }
        var despues = e.store
        try despues.run(CerrarSinRegistro(numeroCredito: Fixture.credito), as: .operacion, at: RFC3339.date(from: "2026-12-28T00:00:01-06:00")!)
        #expect(try despues.caso().estatus == .retiradoAutomaticamente)
    }

    @Test func changedSettingsMoveTheWindows() throws {
        var e = try Escenario.en(.distribuido)
        try e.store.run(CambiarPlazo(plazo: .diasIntentoAgenda, dias: 20), as: .mediacion, at: Fixture.dia(2))
        try e.store.run(CambiarPlazo(plazo: .diaCierreSinRegistro, dias: 22), as: .mediacion, at: Fixture.dia(2))
        let plazos = try #require(try e.store.read(Plazos.self, "plazos"))
        #expect(plazos.diasIntentoAgenda == 20)
        #expect(plazos.diasParaSesion == 90, "untouched settings keep the procedure's value")

        var cierre = e.store
        try cierre.run(CerrarSinRegistro(numeroCredito: Fixture.credito), as: .operacion, at: Fixture.dia(22, 0, 30))
        #expect(try cierre.caso().cierre?.ultimoDiaPermitido == FechaCivil("2026-12-17"))
        #expect(try cierre.caso().cierre?.dia == 22)

        var registro = e.store
        try registro.run(
            RegistrarNoAgendada(numeroCredito: Fixture.credito, causa: .sinContacto), as: .mediador, user: Escenario.mediador,
            at: Fixture.dia(21)
        )
        #expect(throws: Rechazo.fueraDePlazo("Scheduling the first session", ultimoDia: 21, dia: 25)) {
            var agenda = e.store
            try agenda.run(
                AgendarSesion(numeroCredito: Fixture.credito, fechaHora: Fixture.dia(30), medioConvocatoria: .whatsapp),
                as: .mediador, user: Escenario.mediador, at: Fixture.dia(25)
            )
        }
    }

    @Test func aShorterSessionWindowIsEnforced() throws {
        var e = try Escenario.en(.distribuido)
        try e.store.run(CambiarPlazo(plazo: .diasParaSesion, dias: 60), as: .mediacion, at: Fixture.dia(2))
        try e.store.run(CambiarPlazo(plazo: .diaCierreSinSesion, dias: 61), as: .mediacion, at: Fixture.dia(2))
        let agenda = { (dia: Int) in
            AgendarSesion(numeroCredito: Fixture.credito, fechaHora: Fixture.dia(dia, 11), medioConvocatoria: .whatsapp)
        }
        #expect(throws: Rechazo.fechaFueraDePlazo(dias: 60, limite: FechaCivil("2027-01-25")!)) {
            var copia = e.store
            try copia.run(agenda(61), as: .mediador, user: Escenario.mediador, at: Fixture.dia(3))
        }
        try e.store.run(agenda(60), as: .mediador, user: Escenario.mediador, at: Fixture.dia(3))
        #expect(Vencimientos.siguiente(caso: try e.store.caso(), plazos: try #require(try e.store.read(Plazos.self, "plazos")), hoy: FechaCivil("2026-12-01")!)?.fechaLimite == FechaCivil("2027-01-25"))
    }

    @Test(arguments: [
        (NombrePlazo.diasParaSesion, 0, "diasParaSesion must be between 1 and 365"),
        (.diasPrimerContacto, 61, "diasPrimerContacto must be between 0 and 60"),
        (.diaCierreSinRegistro, 30, "diaCierreSinRegistro (30) must come after the 30 days of diasIntentoAgenda"),
        (.diaCierreSinSesion, 90, "diaCierreSinSesion (90) must come after the 90 days of diasParaSesion"),
        (.diasParaSesion, 20, "diasParaSesion (20) must not end before the last day to record the schedule (day 31)"),
    ])
    func incoherentSettingsAreRefused(plazo: NombrePlazo, dias: Int, motivo: String) throws {
        var store = try Fixture.storeWithAccount()
        #expect(throws: Rechazo.plazoInvalido(motivo)) {
            try store.run(CambiarPlazo(plazo: plazo, dias: dias), as: .mediacion)
        }
        #expect(store.records[Plazos.key("plazos")] == nil)
    }

    @Test func onlyTheGerenciaChangesSettingsAndNamesAreChecked() throws {
        var store = try Fixture.storeWithAccount()
        for rol in Rol.allCases where rol != .mediacion {
            #expect(throws: MutationRejection.roleNotAllowed(mutation: "cambiarPlazo", role: rol.rawValue)) {
                try store.run(CambiarPlazo(plazo: .diasParaSesion, dias: 60), as: rol)
            }
        }
        do {
            try store.run(name: CambiarPlazo.name, arguments: ["plazo": "diasDeGracia", "dias": 3], as: .mediacion)
            Issue.record("unknown setting accepted")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "invalid_arguments")
            #expect(rechazo.message.contains("\"diasParaSesion\""))
        }
        #expect(CambiarPlazo.worksOffline == false)
    }

    @Test func aSettingsRecordWithMissingKeysTakesTheProcedureDefaults() throws {
        let plazos = try Plazos(body: ["diasParaSesion": 75, "algoNuevo": 3])
        #expect(plazos.diasParaSesion == 75)
        #expect(plazos.diaCierreSinRegistro == 32)
        #expect(plazos[.diasDigitalizacionANEC] == 2)
        #expect(try Plazos(body: [:]) == Plazos.procedimiento)
        #expect(try Plazos(body: Plazos([.diasIntentoAgenda: 25]).body)[.diasIntentoAgenda] == 25)
    }
}

@Suite struct VencimientosTests {
    func siguiente(_ estatus: EstatusCaso, _ hoy: Date) throws -> Vencimiento? {
        Vencimientos.siguiente(caso: try Escenario.en(estatus).store.caso(), plazos: .procedimiento, ahora: hoy)
    }

    @Test func anAcceptedCaseWaitsForTheAgencyTheNextDay() throws {
        let v = try #require(try siguiente(.enMediacion, Fixture.dia(1, 18)))
        #expect(v.plazo == .diasAprobacionAgencia)
        #expect(v.fechaLimite == FechaCivil("2026-11-28"))
        #expect(!v.vencido)
        #expect(try siguiente(.enMediacion, Fixture.dia(2, 23, 59))?.vencido == false)
        #expect(try siguiente(.enMediacion, Fixture.dia(3, 0, 1))?.vencido == true)
    }

    @Test func aDistributedCaseWaitsForContactThenForTheScheduleRecord() throws {
        let sinContacto = try #require(try siguiente(.distribuido, Fixture.dia(1, 13)))
        #expect(sinContacto.plazo == .diasPrimerContacto)
        #expect(sinContacto.fechaLimite == FechaCivil("2026-11-28"))
        var e = try Escenario.en(.distribuido)
        try e.paso(RegistrarContacto(numeroCredito: Fixture.credito, exitoso: false), .mediador)
        let caso = try e.store.caso()
        let v = try #require(Vencimientos.siguiente(caso: caso, plazos: .procedimiento, hoy: FechaCivil("2026-12-27")!))
        #expect(v.consecuencia == .cierreAutomatico(.sinRegistro))
        #expect(v.fechaLimite == FechaCivil("2026-12-27"))
        #expect(!v.vencido)
        #expect(Vencimientos.siguiente(caso: caso, plazos: .procedimiento, hoy: FechaCivil("2026-12-28")!)?.vencido == true)
        #expect(Vencimientos.cierrePendiente(caso: caso, plazos: .procedimiento, hoy: FechaCivil("2026-12-27")!) == nil)
        #expect(Vencimientos.cierrePendiente(caso: caso, plazos: .procedimiento, hoy: FechaCivil("2026-12-28")!) == .sinRegistro)
        let job = try #require(Vencimientos.mutacionDeCierre(caso: caso, plazos: .procedimiento, hoy: FechaCivil("2026-12-28")!))
        #expect(job.name == "cerrarSinRegistro")
        #expect(job.arguments == ["numeroCredito": .string(Fixture.credito), "ronda": 1])
    }

    @Test func aScheduledCaseWaitsForTheSessionByDay90() throws {
        let v = try #require(try siguiente(.sesionAgendada, Fixture.dia(20)))
        #expect(v.consecuencia == .cierreAutomatico(.sinSesion))
        #expect(v.fechaLimite == FechaCivil("2027-02-24"))
        let caso = try Escenario.en(.sesionNoCelebrada).store.caso()
        #expect(Vencimientos.cierrePendiente(caso: caso, plazos: .procedimiento, hoy: FechaCivil("2027-02-24")!) == nil)
        #expect(Vencimientos.cierrePendiente(caso: caso, plazos: .procedimiento, hoy: FechaCivil("2027-02-25")!) == .sinSesion)
    }

    @Test func afterTheSignatureTheDeadlinesAreTheReview() throws {
        let firmado = try #require(try siguiente(.convenioFirmado, Fixture.dia(10, 20)))
        #expect(firmado.plazo == .diasEnvioConvenioDR)
        #expect(firmado.fechaLimite == CalendarioMX.fecha(Fixture.dia(10)))
        #expect(try siguiente(.convenioFirmado, Fixture.dia(11, 0, 1))?.vencido == true)
        #expect(try siguiente(.convenioEnRevision, Fixture.dia(10, 20))?.fechaLimite == CalendarioMX.fecha(Fixture.dia(11)))
        #expect(try siguiente(.cambiosSolicitados, Fixture.dia(11, 20))?.plazo == .diasRespuestaCambios)
        let pago = try #require(try siguiente(.solucionAprobada, Fixture.dia(12)))
        #expect(pago.consecuencia == .incumplimiento)
        #expect(pago.fechaLimite == CalendarioMX.fecha(Fixture.dia(40)))
        #expect(try siguiente(.convenioVigente, Fixture.dia(16)) == nil)
        #expect(try siguiente(.mediacionNoAceptada, Fixture.dia(16)) == nil)
        #expect(Vencimientos.cierrePendiente(caso: try Escenario.en(.convenioFirmado).store.caso(), plazos: .procedimiento, hoy: FechaCivil("2027-12-01")!) == nil)
    }

    @Test func theExpedienteReviewIsDueWithinTwoDays() throws {
        var e = try Escenario.en(.negativaFirma)
        try e.paso(EntregarExpediente(numeroCredito: Fixture.credito, documentos: [.identificaciones, .convenioConfidencialidad]), .mediador, at: Fixture.dia(12))
        let v = try #require(Vencimientos.siguiente(caso: try e.store.caso(), plazos: .procedimiento, ahora: Fixture.dia(13)))
        #expect(v.plazo == .diasSolicitudAclaracionExpediente)
        #expect(v.fechaLimite == CalendarioMX.fecha(Fixture.dia(14)))
    }

    @Test func changedSettingsChangeTheComputedDeadlines() throws {
        let caso = try Escenario.en(.distribuido).store.caso()
        let hoy = FechaCivil("2026-12-10")!
        let pendientes = Vencimientos.pendientes(caso: caso, plazos: Plazos([.diaCierreSinRegistro: 40]), hoy: hoy)
        #expect(pendientes.contains { $0.consecuencia == .cierreAutomatico(.sinRegistro) && $0.fechaLimite == FechaCivil("2027-01-04") })
    }
}
