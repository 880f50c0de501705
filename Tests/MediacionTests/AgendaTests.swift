import Foundation
import SyncCore
import Testing

@testable import Mediacion

/// The agenda: each role's deadlines, overdue / today / soon, from `Vencimientos.pendientes`.
/// Acceptance on 2026-11-27 (day 1); the scenarios distribute on day 1 at 12:00.
@Suite struct AgendaTests {
    static let mediador = UserProfile(id: Escenario.mediador, role: "mediador")
    static let otroMediador = UserProfile(id: Escenario.otroMediador, role: "mediador")
    static let agencia = UserProfile(id: Escenario.agencia, role: "agencia", unit: "Agencia Ejemplo")
    static let dr = UserProfile(id: Escenario.dr, role: "delegacion", unit: "Delegación Ficticia Norte")
    static let asesor = UserProfile(id: Escenario.asesor, role: "asesor")
    static let operacion = UserProfile(id: "operacion-1", role: "operacion")

    func agenda(
        _ usuario: UserProfile, _ estatus: EstatusCaso?, _ hoy: String, dias: Int = 3, plazos: Plazos = .procedimiento
    ) throws -> Agenda {
        let store = try Escenario.en(estatus).store
        return agenda(usuario, store, hoy, dias: dias, plazos: plazos)
    }

    func agenda(_ usuario: UserProfile, _ store: MemoryStore, _ hoy: String, dias: Int = 3, plazos: Plazos = .procedimiento) -> Agenda {
        let cuentas = store.records.filter { $0.key.collection == Cuenta.collection }.compactMap { try? Cuenta(body: $0.value) }
        let casos = store.records.filter { $0.key.collection == Caso.collection }.compactMap { try? Caso(body: $0.value) }
        return Agenda.calcular(usuario: usuario, cuentas: cuentas, casos: casos, plazos: plazos, hoy: FechaCivil(hoy)!, diasProximos: dias)
    }

    @Test func theMediatorSeesTheFirstContactDueTheDayAfterTheDistributionThenOverdue() throws {
        let dia1 = try agenda(Self.mediador, .distribuido, "2026-11-27")
        #expect(dia1.vencidos.isEmpty && dia1.paraHoy.isEmpty)
        let contacto = try #require(dia1.proximos.first)
        #expect(dia1.proximos.count == 1, "the day-31 schedule record is not due soon yet")
        #expect(contacto.plazo == .diasPrimerContacto)
        #expect(contacto.fechaLimite == FechaCivil("2026-11-28"))
        #expect(contacto.diasRestantes == 1)
        #expect(contacto.responsable == .mediador)
        #expect(contacto.consecuencia == .alerta)
        #expect(contacto.casoId == "\(Fixture.credito)-1")
        #expect(contacto.estatus == .distribuido)

        #expect(try agenda(Self.mediador, .distribuido, "2026-11-28").paraHoy.map(\.plazo) == [.diasPrimerContacto])
        let dia3 = try agenda(Self.mediador, .distribuido, "2026-11-29")
        #expect(dia3.vencidos.map(\.plazo) == [.diasPrimerContacto])
        #expect(dia3.vencidos.first?.diasRestantes == -1)
    }

    @Test func theDay31RecordIsTheMediatorsAndSaysWhenTheCaseCloses() throws {
        var e = try Escenario.en(.distribuido)
        try e.paso(RegistrarContacto(numeroCredito: Fixture.credito, exitoso: false), .mediador)
        // Day 28 (2026-12-24): day 31 is 2026-12-27, three days ahead.
        let pronto = agenda(Self.mediador, e.store, "2026-12-24")
        let cierre = try #require(pronto.proximos.first)
        #expect(cierre.plazo == .diaCierreSinRegistro)
        #expect(cierre.fechaLimite == FechaCivil("2026-12-27"))
        #expect(cierre.consecuencia == .cierreAutomatico)
        #expect(cierre.reglaCierre == .sinRegistro)
        #expect(cierre.fechaCierre == FechaCivil("2026-12-28"))
        #expect(agenda(Self.mediador, e.store, "2026-12-23").proximos.isEmpty, "four days ahead is not due soon")
        #expect(agenda(Self.mediador, e.store, "2026-12-27").paraHoy.map(\.plazo) == [.diaCierreSinRegistro])
        #expect(agenda(Self.mediador, e.store, "2026-12-23", dias: 4).proximos.map(\.plazo) == [.diaCierreSinRegistro])
        #expect(agenda(Self.mediador, e.store, "2026-12-27", dias: 0).proximos.isEmpty)
    }

    @Test func aMediatorSeesOnlyTheCasesDistributedToItAndTheAgencyNotTheMediatorsWork() throws {
        #expect(try agenda(Self.otroMediador, .distribuido, "2026-11-29").conPlazo.isEmpty)
        #expect(try agenda(Self.agencia, .distribuido, "2026-11-29").conPlazo.isEmpty)
        #expect(try agenda(Self.dr, .distribuido, "2026-11-29").conPlazo.isEmpty)
        #expect(try agenda(Self.asesor, .distribuido, "2026-11-29").conPlazo.isEmpty)
        let supervision = try agenda(Self.operacion, .distribuido, "2026-11-29")
        #expect(supervision.vencidos.map(\.responsable) == [.mediador], "operations oversees every deadline")
        let admin = try agenda(UserProfile(id: "admin-1", role: "admin"), .distribuido, "2026-11-29")
        #expect(admin.vencidos == supervision.vencidos)
        #expect(try agenda(UserProfile(id: "x", role: "desconocido"), .distribuido, "2026-11-29").conPlazo.isEmpty)
    }

    @Test func theAgencyApprovesAndDistributesAndIsWarnedOfTheClosureWhileNoMediatorHasTheCase() throws {
        let aceptado = try agenda(Self.agencia, .enMediacion, "2026-11-28")
        #expect(aceptado.paraHoy.map(\.plazo) == [.diasAprobacionAgencia])
        #expect(aceptado.paraHoy.first?.responsable == .agencia)
        #expect(try agenda(Self.mediador, .enMediacion, "2026-11-28").conPlazo.isEmpty)
        let tarde = try agenda(Self.agencia, .aprobado, "2026-12-25")
        #expect(tarde.vencidos.map(\.plazo) == [.diasAprobacionAgencia])
        let cierre = try #require(tarde.proximos.first)
        #expect(cierre.plazo == .diaCierreSinRegistro && cierre.responsable == .agencia)
        #expect(cierre.fechaCierre == FechaCivil("2026-12-28"))
    }

    @Test func theDelegacionSeesItsReviewsAndTheMediatorItsAnswers() throws {
        // Sent to the DR on day 10 (2026-12-06): reviewed by the next day.
        let revision = try agenda(Self.dr, .convenioEnRevision, "2026-12-07")
        #expect(revision.paraHoy.map(\.plazo) == [.diasRevisionConvenioDR])
        #expect(try agenda(Self.mediador, .convenioEnRevision, "2026-12-07").conPlazo.isEmpty)
        // Changes asked on day 11 (2026-12-07): the mediator answers by the next day.
        let cambios = try agenda(Self.mediador, .cambiosSolicitados, "2026-12-09")
        #expect(cambios.vencidos.map(\.plazo) == [.diasRespuestaCambios])
        #expect(try agenda(Self.dr, .cambiosSolicitados, "2026-12-09").conPlazo.isEmpty)
        // Solution approved on day 11: the agency follows the first payment (the convenio's date, day 40: 2027-01-05).
        let pago = try agenda(Self.agencia, .solucionAprobada, "2027-01-05")
        #expect(pago.paraHoy.first?.consecuencia == .incumplimiento)
        #expect(pago.paraHoy.first?.plazo == nil)
    }

    @Test func theAsesorSeesTheAccountsToVisitAndNothingElse() throws {
        var store = try Fixture.storeWithAccount()
        let otra = Fixture.cuenta("1000000002")
        try store.run(ImportarCuenta(cuenta: otra), as: .operacion)
        var ajena = Fixture.cuenta("1000000003")
        ajena.asesor = "asesor-9"
        try store.run(ImportarCuenta(cuenta: ajena), as: .operacion)
        try store.run(ExcluirCuenta(numeroCredito: "1000000002", criterio: .tercerizados), as: .operacion)
        let visitas = agenda(Self.asesor, store, "2026-11-27")
        #expect(visitas.porVisitar.map(\.numeroCredito) == [Fixture.credito], "not the excluded one, not another asesor's")
        #expect(visitas.porVisitar.first?.fechaLimite == nil)
        #expect(visitas.porVisitar.first?.responsable == .asesor)
        #expect(agenda(UserProfile(id: "asesor-9", role: "asesor"), store, "2026-11-27").porVisitar.map(\.numeroCredito) == [Fixture.credito, "1000000003"])
        try store.run(RegistrarAceptacion(numeroCredito: Fixture.credito), as: .asesor, user: Escenario.asesor)
        #expect(agenda(Self.asesor, store, "2026-11-27").porVisitar.isEmpty, "answered: nothing left to visit")
        #expect(agenda(Self.mediador, store, "2026-11-27").porVisitar.isEmpty, "only asesores visit")
    }

    @Test func theSettingsInForceMoveTheDates() throws {
        var e = try Escenario.en(.distribuido)
        try e.paso(RegistrarContacto(numeroCredito: Fixture.credito, exitoso: false), .mediador)
        let plazos = Plazos([.diaCierreSinRegistro: 40])
        let cierre = try #require(agenda(Self.mediador, e.store, "2027-01-03", plazos: plazos).proximos.first)
        #expect(cierre.fechaLimite == FechaCivil("2027-01-04"))
        #expect(cierre.fechaCierre == FechaCivil("2027-01-05"))
        #expect(agenda(Self.mediador, e.store, "2026-12-29", plazos: .procedimiento).vencidos.map(\.plazo) == [.diaCierreSinRegistro])
        #expect(agenda(Self.mediador, e.store, "2026-12-29", plazos: plazos).vencidos.isEmpty)
    }

    @Test func aCaseAcceptedAt2330IsCountedFromItsMexicoCityDate() throws {
        // 2031-01-31 23:30 in Mexico City is already 2031-02-01 in UTC: day 31 is 2031-03-02.
        let aceptado = RFC3339.date(from: "2031-01-31T23:30:00-06:00")!
        var caso = Caso(numeroCredito: Fixture.credito, ronda: 1, estatus: .distribuido, asesor: Escenario.asesor)
        caso.fechaAceptacion = aceptado
        caso.mediador = Escenario.mediador
        caso.fechaDistribucion = aceptado.addingTimeInterval(600)
        caso.primerContacto = aceptado.addingTimeInterval(1200)
        let agenda = Agenda.calcular(
            usuario: Self.mediador, cuentas: [], casos: [caso], plazos: .procedimiento, hoy: FechaCivil("2031-03-02")!
        )
        #expect(agenda.paraHoy.first?.fechaCierre == FechaCivil("2031-03-03"))
    }

    @Test func rawRecordsGiveTheSameAgendaAndTheSettingsRecordIsRead() throws {
        var e = try Escenario.en(.distribuido)
        try e.paso(RegistrarContacto(numeroCredito: Fixture.credito, exitoso: false), .mediador)
        try e.paso(CambiarPlazo(plazo: .diaCierreSinRegistro, dias: 40), .mediacion)
        var registros = e.store.records
        registros[Caso.key("9999999999-1")] = ["estatus": "no es un caso"]  // damaged: left out on both sides
        let desdeRegistros = Agenda.calcular(usuario: Self.mediador, registros: registros, hoy: FechaCivil("2027-01-03")!)
        let directa = agenda(Self.mediador, e.store, "2027-01-03", plazos: Plazos([.diaCierreSinRegistro: 40]))
        #expect(desdeRegistros == directa)
        #expect(desdeRegistros.proximos.first?.fechaLimite == FechaCivil("2027-01-04"))
    }

    @Test func theAgendaCarriesNoPersonalDataAndPrintsEachSection() throws {
        let agenda = try agenda(Self.operacion, .distribuido, "2026-11-29")
        let json = JSONSerializer.string(try JSONValueEncoder().encode(agenda))
        #expect(!json.contains("Persona Ficticia"))
        #expect(json.contains("\"vencidos\":[{"))
        let decoded = try JSONValueDecoder().decode(Agenda.self, from: try JSONParser.parse(json))
        #expect(decoded == agenda)
        let texto = agenda.texto
        #expect(texto.contains("VENCIDOS (1)"))
        #expect(texto.contains("PARA HOY (0)"))
        #expect(texto.contains("2026-11-28 (1 day(s) late)  \(Fixture.credito)-1 “Distribuido al mediador”"))
        #expect(texto.contains("[Mediador; overdue alert]"))
        #expect(!texto.contains("Persona Ficticia"))
    }
}
