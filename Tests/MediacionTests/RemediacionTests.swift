import Foundation
import SyncCore
import Testing

@testable import Mediacion

@Suite struct RemediacionTests {
    let credito = Fixture.credito

    @Test func aBreachedConvenioCanBeRemediatedInANewRound() throws {
        var e = try Escenario.en(.convenioIncumplido)
        #expect(try e.store.read(Cuenta.self, credito)?.conveniosIncumplidos == 1)
        try e.paso(EtiquetarRemediacion(numeroCredito: credito, tipoConvenio: .administrativo), .operacion, at: Fixture.dia(60))
        let cuenta = try #require(try e.store.read(Cuenta.self, credito))
        #expect(cuenta.ronda == 2)
        #expect(cuenta.etiqueta == .susceptibleDeRemediacion)
        #expect(cuenta.tipoConvenio == .administrativo)
        #expect(cuenta.casoActual == "\(credito)-2")

        // A device that does not know about the new round is refused, not applied to round 2.
        #expect(throws: Rechazo.rondaNoVigente(pedida: 1, actual: 2)) {
            var copia = e.store
            try copia.run(RegistrarAceptacion(numeroCredito: credito), as: .asesor, at: Fixture.dia(61))
        }
        try e.paso(RegistrarAceptacion(numeroCredito: credito, ronda: 2), .asesor, at: Fixture.dia(61))
        let ronda2 = try e.store.caso(ronda: 2)
        #expect(ronda2.estatus == .enMediacion)
        #expect(ronda2.fechaAceptacion == Fixture.dia(61))
        #expect(try e.store.caso(ronda: 1).estatus == .convenioIncumplido, "round 1 keeps its history")

        // Same rules: the new round's plazos count from its own acceptance.
        try e.paso(AprobarCaso(numeroCredito: credito, ronda: 2), .agencia, at: Fixture.dia(61, 11))
        try e.paso(DistribuirCaso(numeroCredito: credito, ronda: 2, mediador: Escenario.otroMediador), .agencia, at: Fixture.dia(61, 12))
        let caso = try e.store.caso(ronda: 2)
        #expect(Vencimientos.cierrePendiente(caso: caso, plazos: .procedimiento, hoy: CalendarioMX.fecha(Fixture.dia(91))) == nil)
        #expect(Vencimientos.cierrePendiente(caso: caso, plazos: .procedimiento, hoy: CalendarioMX.fecha(Fixture.dia(92))) == .sinRegistro)
        #expect(CerrarSinRegistro(numeroCredito: credito, ronda: 2).conflictTargets() == [Caso.key("\(credito)-2")])

        // The ended round's expediente can still be handled, naming its round.
        try e.paso(
            EntregarExpediente(numeroCredito: credito, ronda: 1, documentos: DocumentoExpediente.allCases), .mediador,
            at: Fixture.dia(62)
        )
        #expect(try e.store.caso(ronda: 1).expediente == .entregado)
        #expect(throws: Rechazo.rondaNoVigente(pedida: 3, actual: 2)) {
            try e.store.run(AprobarCaso(numeroCredito: credito, ronda: 3), as: .agencia, at: Fixture.dia(62))
        }
    }

    @Test func theBorrowerMayRefuseTheRemediation() throws {
        var e = try Escenario.en(.convenioIncumplido)
        try e.paso(EtiquetarRemediacion(numeroCredito: credito), .operacion, at: Fixture.dia(60))
        try e.paso(RegistrarNoAceptacion(numeroCredito: credito, ronda: 2), .asesor, at: Fixture.dia(61))
        #expect(try e.store.caso(ronda: 2).estatus == .mediacionNoAceptada)
    }

    @Test func twoBreachedConveniosExcludeTheCreditForGood() throws {
        var e = try Escenario.en(.convenioIncumplido)
        try e.paso(EtiquetarRemediacion(numeroCredito: credito), .operacion, at: Fixture.dia(60))
        // Round 2, walked quickly to its breach.
        let c = credito
        try e.paso(RegistrarAceptacion(numeroCredito: c, ronda: 2), .asesor, at: Fixture.dia(61))
        try e.paso(AprobarCaso(numeroCredito: c, ronda: 2), .agencia)
        try e.paso(DistribuirCaso(numeroCredito: c, ronda: 2, mediador: Escenario.mediador), .agencia)
        try e.paso(DesignarRepresentante(numeroCredito: c, ronda: 2, representante: "rep-1"), .agencia)
        try e.paso(AgendarSesion(numeroCredito: c, ronda: 2, fechaHora: Fixture.dia(65, 11), medioConvocatoria: .whatsapp), .mediador)
        try e.paso(
            RegistrarSesionCelebrada(
                numeroCredito: c, ronda: 2, verificacion: Escenario.verificacion, identificacionAcreditado: .pasaporte,
                asistioRepresentante: true
            ), .mediador, at: Fixture.dia(65, 13)
        )
        var firma = Escenario.firma(Fixture.dia(65, 14))
        firma.ronda = 2
        try e.paso(firma, .mediador, at: Fixture.dia(65, 14))
        try e.paso(EnviarConvenioDR(numeroCredito: c, ronda: 2), .mediador)
        try e.paso(AprobarSolucion(numeroCredito: c, ronda: 2), .delegacion, at: Fixture.dia(66))
        try e.paso(RegistrarIncumplimiento(numeroCredito: c, ronda: 2), .operacion, at: Fixture.dia(120))

        let cuenta = try #require(try e.store.read(Cuenta.self, c))
        #expect(cuenta.conveniosIncumplidos == 2)
        #expect(cuenta.exclusion == .dosConveniosIncumplidos)
        #expect(try e.store.historial().last?.detalle?["exclusion"] == "Créditos con dos convenios de mediación incumplidos")
        #expect(throws: Rechazo.cuentaExcluida(.dosConveniosIncumplidos)) {
            try e.store.run(EtiquetarRemediacion(numeroCredito: c), as: .operacion, at: Fixture.dia(121))
        }
        #expect(throws: Rechazo.creditoExcluidoPorIncumplimientos()) {
            try e.store.run(ImportarCuenta(cuenta: Fixture.cuenta(tipo: .ratificado)), as: .operacion, at: Fixture.dia(121))
        }
    }

    @Test func anImportWithTwoBreachesIsRefused() throws {
        var store = MemoryStore()
        var cuenta = Fixture.cuenta()
        cuenta.conveniosIncumplidos = 2
        #expect(throws: Rechazo.creditoExcluidoPorIncumplimientos()) { try store.run(ImportarCuenta(cuenta: cuenta), as: .operacion) }
        cuenta.conveniosIncumplidos = 1
        try store.run(ImportarCuenta(cuenta: cuenta), as: .operacion)
        cuenta.conveniosIncumplidos = 0
        try store.run(ImportarCuenta(cuenta: cuenta), as: .operacion)
        #expect(try store.read(Cuenta.self, Fixture.credito)?.conveniosIncumplidos == 1, "a re-import does not forget a breach")
    }

    @Test func aRemediationNeedsTheRoundToHaveEnded() throws {
        var store = try Escenario.en(.sesionAgendada).store
        #expect(throws: Rechazo.remediacionNoPermite(.sesionAgendada)) {
            try store.run(EtiquetarRemediacion(numeroCredito: credito), as: .operacion)
        }
        var nuevo = try Fixture.storeWithAccount()
        #expect(throws: Rechazo.remediacionNoPermite(nil)) {
            try nuevo.run(EtiquetarRemediacion(numeroCredito: credito), as: .operacion)
        }
    }
}

@Suite struct ExclusionTests {
    let credito = Fixture.credito

    @Test func anExclusionClosesACaseBeforeItsConvenio() throws {
        var store = try Escenario.en(.sesionAgendada).store
        try store.run(ExcluirCuenta(numeroCredito: credito, criterio: .demanda), as: .operacion, at: Fixture.dia(5))
        let caso = try store.caso()
        #expect(caso.estatus == .excluido)
        #expect(caso.exclusion == .demanda)
        #expect(try store.read(Cuenta.self, credito)?.exclusion == .demanda)
        #expect(try store.historial().last?.estatusNuevo == .excluido)
    }

    @Test func anAcceptanceAfterAnExclusionIsRefused() throws {
        // DOMAIN §8.4: operations removed the account an hour before the asesor recorded acceptance.
        var store = try Fixture.storeWithAccount()
        try store.run(ExcluirCuenta(numeroCredito: credito, criterio: .viviendaDAVI), as: .operacion, at: Fixture.now)
        do {
            try store.run(RegistrarAceptacion(numeroCredito: credito), as: .asesor, at: Fixture.now.addingTimeInterval(3600))
            Issue.record("accepted an excluded credit")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "cuenta_excluida")
            #expect(rechazo.message.contains("vivienda abandonada"))
        }
    }

    @Test func aSignedConvenioIsNotUndoneByAnExclusion() throws {
        var store = try Escenario.en(.convenioVigente).store
        try store.run(ExcluirCuenta(numeroCredito: credito, criterio: .reestructuraActiva), as: .operacion, at: Fixture.dia(20))
        #expect(try store.caso().estatus == .convenioVigente)
        #expect(try store.read(Cuenta.self, credito)?.exclusion == .reestructuraActiva)
    }
}
