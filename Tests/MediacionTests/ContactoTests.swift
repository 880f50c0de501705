import Foundation
import SyncCore
import Testing

@testable import Mediacion

@Suite struct ContactoLWWTests {
    let credito = Fixture.credito

    /// Accepted, distributed to `mediador-1`, privacy notice shown.
    func base() throws -> MemoryStore {
        var store = try Escenario.en(.distribuido).store
        try store.run(RegistrarAvisoPrivacidad(numeroCredito: credito), as: .asesor, user: Escenario.asesor, at: Fixture.dia(1, 10, 5))
        return store
    }

    struct Edicion {
        var mutation: RegistrarDatosContacto
        var rol: Rol
        var user: String
        var device: String
        var hlc: HybridTimestamp
    }

    /// DOMAIN §8.2: the asesor's phone and the mediator's laptop edit the same e-mail offline.
    var asesor: Edicion {
        Edicion(
            mutation: RegistrarDatosContacto(numeroCredito: credito, telefonoCelular: "5511112222", correoElectronico: "uno@ejemplo.mx"),
            rol: .asesor, user: Escenario.asesor, device: "tel-asesor", hlc: HybridTimestamp(millis: 1_800_000_000_000)
        )
    }
    var mediador: Edicion {
        Edicion(
            mutation: RegistrarDatosContacto(numeroCredito: credito, correoElectronico: "dos@ejemplo.mx"), rol: .mediador,
            user: Escenario.mediador, device: "lap-mediador", hlc: HybridTimestamp(millis: 1_800_000_000_500)
        )
    }

    func aplicar(_ ediciones: [Edicion]) throws -> (MemoryStore, [MutationOutcome]) {
        var store = try base()
        var outcomes: [MutationOutcome] = []
        for e in ediciones {
            outcomes.append(
                try store.runWithOutcome(e.mutation, as: e.rol, user: e.user, at: Fixture.dia(2), device: e.device, hlc: e.hlc).outcome
            )
        }
        return (store, outcomes)
    }

    @Test func concurrentEditsConvergeWhateverTheOrder() throws {
        let (unoDos, _) = try aplicar([asesor, mediador])
        let (dosUno, outcomes) = try aplicar([mediador, asesor])
        let a = try #require(unoDos.records[DatosContacto.key(credito)])
        let b = try #require(dosUno.records[DatosContacto.key(credito)])
        #expect(a == b, "same body, stamps included")
        let contacto = try DatosContacto(body: a)
        #expect(contacto.correoElectronico == "dos@ejemplo.mx", "the later hybrid clock wins")
        #expect(contacto.telefonoCelular == "5511112222", "an untouched field is not lost")
        #expect(outcomes.last?.resolution != nil, "the loser is told")

        // The losing value is in the history either way.
        let reemplazo = try #require(try unoDos.historial().last)
        #expect(reemplazo.valoresReemplazados?["correoElectronico"] == "uno@ejemplo.mx")
        let perdida = try #require(try dosUno.historial().last)
        #expect(perdida.valoresPerdidos?["correoElectronico"] == "uno@ejemplo.mx")
        #expect(perdida.detalle?["correoElectronico.vigente"] == "dos@ejemplo.mx")
        #expect(perdida.dispositivo == "tel-asesor")
    }

    @Test func equalClocksAreDecidedByTheDeviceID() throws {
        var primero = asesor
        var segundo = mediador
        primero.hlc = HybridTimestamp(millis: 1_800_000_000_000, counter: 3)
        segundo.hlc = primero.hlc
        let (a, _) = try aplicar([primero, segundo])
        let (b, _) = try aplicar([segundo, primero])
        #expect(a.records[DatosContacto.key(credito)] == b.records[DatosContacto.key(credito)])
        // "tel-asesor" > "lap-mediador": the asesor's value wins the tie.
        #expect(try a.read(DatosContacto.self, credito)?.correoElectronico == "uno@ejemplo.mx")
    }

    @Test func thePrivacyNoticeKeepsTheEarliestTimeWhateverTheOrder() throws {
        let temprano = Fixture.dia(1, 9)
        let tarde = Fixture.dia(3)
        var a = try Fixture.storeWithAccount()
        try a.run(RegistrarAvisoPrivacidad(numeroCredito: credito), as: .asesor, at: tarde)
        try a.run(RegistrarAvisoPrivacidad(numeroCredito: credito), as: .asesor, at: temprano)
        var b = try Fixture.storeWithAccount()
        try b.run(RegistrarAvisoPrivacidad(numeroCredito: credito), as: .asesor, at: temprano)
        try b.run(RegistrarAvisoPrivacidad(numeroCredito: credito), as: .asesor, at: tarde)
        #expect(try a.read(DatosContacto.self, credito)?.avisoPrivacidadMostrado == temprano)
        #expect(a.records[DatosContacto.key(credito)] == b.records[DatosContacto.key(credito)])
    }

    @Test func aMediatorEditsContactDataOnlyOfItsCases() throws {
        var store = try base()
        let edicion = RegistrarDatosContacto(numeroCredito: credito, telefonoFijo: "5550001111")
        #expect(throws: Rechazo.mediadorNoAsignado()) {
            try store.run(edicion, as: .mediador, user: Escenario.otroMediador, at: Fixture.dia(2))
        }
        try store.run(edicion, as: .mediador, user: Escenario.mediador, at: Fixture.dia(2))
        var sinCaso = try Fixture.storeWithAccount()
        #expect(throws: Rechazo.mediadorNoAsignado()) {
            try sinCaso.run(RegistrarAvisoPrivacidad(numeroCredito: credito), as: .mediador, user: Escenario.mediador)
        }
    }

    @Test func contactTargetsAreTheContactRecord() {
        #expect(asesor.mutation.conflictTargets() == [DatosContacto.key(credito)])
        #expect(RegistrarAvisoPrivacidad(numeroCredito: credito).conflictTargets() == [DatosContacto.key(credito)])
        #expect(ImportarCuenta(cuenta: Fixture.cuenta()).conflictTargets() == [Cuenta.key(credito)])
        #expect(AgendarSesion(numeroCredito: credito, fechaHora: Fixture.now, medioConvocatoria: .whatsapp).conflictTargets() == [Caso.key("\(credito)-1")])
        for evento in Muestra.eventosDeCaso {
            #expect(Muestra.mutacion(evento, Fixture.now).conflictTargets().first == Caso.key("\(credito)-1"), "\(evento)")
        }
        #expect(RegistrarIncumplimiento(numeroCredito: credito, ronda: 2).conflictTargets() == [Caso.key("\(credito)-2"), Cuenta.key(credito)])
    }
}
