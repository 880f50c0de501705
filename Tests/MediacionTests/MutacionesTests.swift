import Foundation
import SyncCore
import Testing

@testable import Mediacion

@Suite struct AceptacionTests {
    @Test func acceptanceOpensACaseEnMediacion() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarAceptacion(numeroCredito: Fixture.credito), as: .asesor, user: "asesor-7")
        let caso = try #require(try store.read(Caso.self, "\(Fixture.credito)-1"))
        #expect(caso.estatus == .enMediacion)
        #expect(caso.estatus.rawValue == "En Mediación")
        #expect(caso.asesor == "asesor-7")
        #expect(caso.fechaAceptacion == Fixture.now)
    }

    @Test func refusalEndsTheRound() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarNoAceptacion(numeroCredito: Fixture.credito), as: .asesor)
        let caso = try #require(try store.read(Caso.self, "\(Fixture.credito)-1"))
        #expect(caso.estatus == .mediacionNoAceptada)
        #expect(caso.estatus.isFinal)
        #expect(caso.fechaAceptacion == nil)
    }

    @Test func aSecondAnswerForTheSameRoundIsRefused() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarNoAceptacion(numeroCredito: Fixture.credito), as: .asesor)
        #expect(throws: Rechazo.yaRegistrado(.mediacionNoAceptada)) {
            try store.run(RegistrarAceptacion(numeroCredito: Fixture.credito), as: .asesor)
        }
    }

    @Test func unknownAccountIsRefused() throws {
        var store = try Fixture.storeWithAccount()
        #expect(throws: Rechazo.cuentaNoExiste()) {
            try store.run(RegistrarAceptacion(numeroCredito: "1999999999"), as: .asesor)
        }
    }

    @Test(arguments: ["123", "12345678901", "12345abcde", ""])
    func malformedCreditNumberIsRefused(numero: String) throws {
        var store = try Fixture.storeWithAccount()
        #expect(throws: MutationRejection.self) {
            try store.run(RegistrarAceptacion(numeroCredito: numero), as: .asesor)
        }
    }

    @Test(arguments: [Rol.mediador, .agencia, .delegacion, .operacion, .mediacion])
    func onlyAnAsesorRecordsTheAnswer(role: Rol) throws {
        var store = try Fixture.storeWithAccount()
        do {
            try store.run(RegistrarAceptacion(numeroCredito: Fixture.credito), as: role)
            Issue.record("expected a refusal")
        } catch let rejection as MutationRejection {
            #expect(rejection.code == "role_not_allowed")
        }
    }
}

@Suite struct DatosContactoTests {
    @Test func contactDataNeedsThePrivacyNoticeFirst() throws {
        var store = try Fixture.storeWithAccount()
        let datos = RegistrarDatosContacto(numeroCredito: Fixture.credito, telefonoCelular: "55 1234 5678")
        #expect(throws: Rechazo.avisoPrivacidadPendiente()) { try store.run(datos, as: .asesor) }
        #expect(store.records[DatosContacto.key(Fixture.credito)] == nil)

        try store.run(RegistrarAvisoPrivacidad(numeroCredito: Fixture.credito), as: .asesor)
        try store.run(datos, as: .asesor)
        let contacto = try #require(try store.read(DatosContacto.self, Fixture.credito))
        #expect(contacto.telefonoCelular == "5512345678")
        #expect(contacto.avisoPrivacidadMostrado == Fixture.now)
    }

    @Test func fieldsLeftOutKeepTheirValue() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarAvisoPrivacidad(numeroCredito: Fixture.credito), as: .asesor)
        try store.run(
            RegistrarDatosContacto(numeroCredito: Fixture.credito, telefonoFijo: "5550001111", correoElectronico: "a@b.mx"),
            as: .asesor
        )
        try store.run(RegistrarDatosContacto(numeroCredito: Fixture.credito, correoElectronico: "c@d.mx"), as: .asesor)
        let contacto = try #require(try store.read(DatosContacto.self, Fixture.credito))
        #expect(contacto.telefonoFijo == "5550001111")
        #expect(contacto.correoElectronico == "c@d.mx")
    }

    @Test func thePrivacyNoticeKeepsItsFirstTime() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarAvisoPrivacidad(numeroCredito: Fixture.credito), as: .asesor)
        let later = Fixture.now.addingTimeInterval(3600)
        let changes = try store.run(RegistrarAvisoPrivacidad(numeroCredito: Fixture.credito), as: .asesor, at: later)
        #expect(changes.isEmpty)
        #expect(try store.read(DatosContacto.self, Fixture.credito)?.avisoPrivacidadMostrado == Fixture.now)
    }

    @Test(arguments: [
        ("telefonoFijo", JSONValue.string("12345")),
        ("telefonoCelular", .string("55-1234-567x")),
        ("correoElectronico", .string("sin-arroba.mx")),
        ("correoElectronico", .string("a@b")),
        ("correoElectronico", .string("a b@c.mx")),
        ("telefonoFijo", .int(5_512_345_678)),
    ])
    func malformedContactDataIsRefused(field: String, value: JSONValue) throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarAvisoPrivacidad(numeroCredito: Fixture.credito), as: .asesor)
        #expect(throws: MutationRejection.self) {
            try store.run(
                name: RegistrarDatosContacto.name, arguments: ["numeroCredito": .string(Fixture.credito), field: value],
                as: .asesor
            )
        }
    }

    @Test func noFieldAtAllIsRefused() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarAvisoPrivacidad(numeroCredito: Fixture.credito), as: .asesor)
        #expect(throws: Rechazo.sinDatosDeContacto()) {
            try store.run(RegistrarDatosContacto(numeroCredito: Fixture.credito), as: .asesor)
        }
    }

    @Test func rejectionMessagesCarryNoPersonalData() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarAvisoPrivacidad(numeroCredito: Fixture.credito), as: .asesor)
        do {
            try store.run(
                RegistrarDatosContacto(numeroCredito: Fixture.credito, correoElectronico: "persona.ficticia@@ejemplo"),
                as: .asesor
            )
            Issue.record("expected a refusal")
        } catch let rejection as MutationRejection {
            #expect(!rejection.message.contains("persona.ficticia"))
            #expect(!rejection.message.contains(Fixture.credito))
        }
    }
}

@Suite struct AgendarSesionTests {
    /// Accepted on 2026-11-27 (day 1), approved and distributed to `mediador-1`.
    func distributedStore() throws -> MemoryStore {
        try Escenario.en(.distribuido).store
    }

    @Test func schedulingRecordsTheSessionAndTheConvocation() throws {
        var store = try distributedStore()
        let fecha = RFC3339.date(from: "2026-12-03T11:00:00-06:00")!
        try store.run(
            AgendarSesion(numeroCredito: Fixture.credito, fechaHora: fecha, medioConvocatoria: .whatsapp),
            as: .mediador, user: Escenario.mediador, at: Fixture.dia(2)
        )
        let caso = try #require(try store.read(Caso.self, "\(Fixture.credito)-1"))
        #expect(caso.estatus == .sesionAgendada)
        #expect(caso.mediador == Escenario.mediador)
        #expect(caso.sesiones == 1)
        let sesion = try #require(try store.read(Sesion.self, "\(Fixture.credito)-1-s1"))
        #expect(sesion.fechaHora == fecha)
        #expect(sesion.medioConvocatoria.rawValue == "Whatsapp")
        #expect(sesion.convocatoriaEnviada == Fixture.dia(2))
    }

    @Test func theSessionMustFallWithinNinetyCalendarDaysInMexicoCity() throws {
        // Accepted 2026-11-27 (Mexico City) = day 1: day 90 is 2027-02-24.
        var store = try distributedStore()
        let lastMinute = RFC3339.date(from: "2027-02-24T23:30:00-06:00")!  // already 2027-02-25 in UTC
        let tooLate = RFC3339.date(from: "2027-02-25T00:30:00-06:00")!
        #expect(throws: Rechazo.fechaFueraDePlazo(dias: 90, limite: FechaCivil("2027-02-24")!)) {
            var copy = store
            try copy.run(
                AgendarSesion(numeroCredito: Fixture.credito, fechaHora: tooLate, medioConvocatoria: .mensajeSMS),
                as: .mediador, user: Escenario.mediador, at: Fixture.dia(2)
            )
        }
        try store.run(
            AgendarSesion(numeroCredito: Fixture.credito, fechaHora: lastMinute, medioConvocatoria: .mensajeSMS),
            as: .mediador, user: Escenario.mediador, at: Fixture.dia(2)
        )
    }

    @Test func aSecondScheduleIsRefused() throws {
        var store = try distributedStore()
        let fecha = RFC3339.date(from: "2026-12-03T11:00:00-06:00")!
        let agenda = AgendarSesion(numeroCredito: Fixture.credito, fechaHora: fecha, medioConvocatoria: .correoElectronico)
        try store.run(agenda, as: .mediador, user: Escenario.mediador, at: Fixture.dia(2))
        #expect(throws: Rechazo.sesionYaAgendada()) {
            try store.run(agenda, as: .mediador, user: Escenario.mediador, at: Fixture.dia(2))
        }
    }

    @Test func noCaseNoSession() throws {
        var store = try Fixture.storeWithAccount()
        let fecha = RFC3339.date(from: "2026-12-03T11:00:00-06:00")!
        #expect(throws: Rechazo.casoNoExiste()) {
            try store.run(
                AgendarSesion(numeroCredito: Fixture.credito, fechaHora: fecha, medioConvocatoria: .whatsapp), as: .mediador
            )
        }
    }

    @Test func schedulingNeedsTheCaseDistributedToThatMediator() throws {
        var accepted = try Escenario.en(.aprobado).store
        let fecha = Fixture.dia(10, 11)
        let agenda = AgendarSesion(numeroCredito: Fixture.credito, fechaHora: fecha, medioConvocatoria: .whatsapp)
        do {
            try accepted.run(agenda, as: .mediador, user: Escenario.mediador, at: Fixture.dia(2))
            Issue.record("scheduled a case not distributed")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "estatus_no_permite")
            #expect(rechazo.message.contains("“Distribuido al mediador”"))
        }
        var distributed = try distributedStore()
        #expect(throws: Rechazo.mediadorNoAsignado()) {
            try distributed.run(agenda, as: .mediador, user: Escenario.otroMediador, at: Fixture.dia(2))
        }
    }

    @Test func theFirstScheduleIsRecordedByDay31() throws {
        var store = try distributedStore()
        let agenda = AgendarSesion(numeroCredito: Fixture.credito, fechaHora: Fixture.dia(40, 11), medioConvocatoria: .whatsapp)
        #expect(throws: Rechazo.fueraDePlazo("Scheduling the first session", ultimoDia: 31, dia: 32)) {
            var copy = store
            try copy.run(agenda, as: .mediador, user: Escenario.mediador, at: Fixture.dia(32, 0, 5))
        }
        try store.run(agenda, as: .mediador, user: Escenario.mediador, at: Fixture.dia(31, 23, 55))
    }

    @Test func aSessionInThePastIsRefused() throws {
        var store = try distributedStore()
        #expect(throws: Rechazo.fechaEnElPasado()) {
            try store.run(
                AgendarSesion(numeroCredito: Fixture.credito, fechaHora: Fixture.dia(1, 9), medioConvocatoria: .whatsapp),
                as: .mediador, user: Escenario.mediador, at: Fixture.dia(2)
            )
        }
    }

    @Test func catalogueValuesAreCheckedWithAClearMessage() throws {
        var store = try distributedStore()
        do {
            try store.run(
                name: AgendarSesion.name,
                arguments: [
                    "numeroCredito": .string(Fixture.credito), "fechaHora": "2026-12-03T11:00:00-06:00",
                    "medioConvocatoria": "Paloma mensajera",
                ],
                as: .mediador, user: Escenario.mediador
            )
            Issue.record("expected a refusal")
        } catch let rejection as MutationRejection {
            #expect(rejection.code == "invalid_arguments")
            #expect(rejection.message.contains("medioConvocatoria"))
            #expect(rejection.message.contains("\"Correo electrónico\", \"Mensaje SMS\" or \"Whatsapp\""))
        }
    }
}

@Suite struct RegistryTests {
    @Test func unknownMutationsAndArgumentsAreRefused() throws {
        var store = try Fixture.storeWithAccount()
        #expect(throws: MutationRejection.unknownMutation("borrarTodo")) {
            try store.run(name: "borrarTodo", arguments: [:], as: .asesor)
        }
        do {
            try store.run(
                name: RegistrarAceptacion.name, arguments: ["numeroCredito": .string(Fixture.credito), "numeroCredtio": "x"],
                as: .asesor
            )
            Issue.record("expected a refusal")
        } catch let rejection as MutationRejection {
            #expect(rejection.code == "invalid_arguments")
            #expect(rejection.message.contains("\"numeroCredtio\""))
        }
        #expect(throws: MutationRejection.self) {
            try store.run(name: RegistrarAceptacion.name, arguments: ["numeroCredito": 1_000_000_001], as: .asesor)
        }
    }

    @Test func importingTheSameAccountTwiceChangesNothing() throws {
        var store = try Fixture.storeWithAccount()
        let changes = try store.run(ImportarCuenta(cuenta: Fixture.cuenta()), as: .operacion)
        #expect(changes.isEmpty)
    }

    @Test func everyMutationIsRegisteredOnce() {
        #expect(Mediacion.registry.definitions.count == Mediacion.mutaciones.count)
        #expect(Mediacion.registry.definition(named: ImportarCuenta.name)?.worksOffline == false)
    }
}

@Suite struct CalendarioTests {
    @Test func calendarDaysAreCountedInMexicoCity() {
        // 23:30 in Mexico City on Nov 27 is already Nov 28 in UTC.
        let lateEvening = RFC3339.date(from: "2026-11-27T23:30:00-06:00")!
        #expect(CalendarioMX.fecha(lateEvening) == FechaCivil(year: 2026, month: 11, day: 27))
        let nextMorning = RFC3339.date(from: "2026-11-28T00:10:00-06:00")!
        #expect(CalendarioMX.diasNaturales(desde: lateEvening, hasta: nextMorning) == 1)
    }

    @Test func datesParseStrictly() {
        #expect(FechaCivil("2026-02-28") != nil)
        #expect(FechaCivil("2026-02-29") == nil)
        #expect(FechaCivil("2026-2-28") == nil)
        #expect(FechaCivil("28/02/2026") == nil)
        #expect(FechaCivil("2026-12-31")?.adding(days: 1) == FechaCivil("2027-01-01"))
    }
}
