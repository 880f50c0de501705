import Foundation
import SyncCore
import Testing

@testable import Mediacion

/// `importarCuenta`: the monthly assignment, the entries of Anexo 1 and the exclusion criteria.
@Suite struct ImportarCuentaTests {
    let credito = Fixture.credito

    func rechazo(_ body: () throws -> Void) -> MutationRejection? {
        do {
            try body()
            return nil
        } catch let rejection as MutationRejection {
            return rejection
        } catch {
            Issue.record("not a rejection: \(error)")
            return nil
        }
    }

    func remediacion(_ numero: String = Fixture.credito, entrada: EntradaServicio? = .remediacion) -> ImportarCuenta {
        var cuenta = Fixture.cuenta(numero, tipo: .notarial)
        cuenta.etiqueta = .susceptibleDeRemediacion
        return ImportarCuenta(cuenta: cuenta, entrada: entrada)
    }

    @Test func loadingTheSameAccountAgainWritesNothing() throws {
        var store = MemoryStore()
        #expect(try store.run(ImportarCuenta(cuenta: Fixture.cuenta()), as: .operacion).map(\.key) == [Cuenta.key(credito)])
        #expect(try store.run(ImportarCuenta(cuenta: Fixture.cuenta()), as: .operacion).isEmpty)
        var cambiada = Fixture.cuenta()
        cambiada.despacho = "Otra Agencia Ejemplo"
        #expect(try store.run(ImportarCuenta(cuenta: cambiada), as: .operacion).count == 1)
    }

    @Test func aCriterionLeavesACreditNotLoadedOut() throws {
        var store = MemoryStore()
        let (changes, outcome) = try store.runWithOutcome(
            ImportarCuenta(cuenta: Fixture.cuenta(), criterioExclusion: .reestructuraActiva), as: .operacion
        )
        #expect(changes.isEmpty)
        #expect(outcome.resolution?.contains("Créditos con reestructura activa") == true)
        #expect(try store.read(Cuenta.self, credito) == nil)
    }

    @Test func aCriterionExcludesAnAccountAlreadyLoadedAndClosesItsCase() throws {
        var store = try Escenario.en(.sesionAgendada).store
        let (changes, outcome) = try store.runWithOutcome(
            ImportarCuenta(cuenta: Fixture.cuenta(tipo: .ratificado), criterioExclusion: .demanda), as: .operacion, at: Fixture.dia(5)
        )
        #expect(outcome.resolution == nil)
        #expect(Set(changes.map(\.collection)) == [Cuenta.collection, Caso.collection, Historial.collection])
        #expect(try store.read(Cuenta.self, credito)?.exclusion == .demanda)
        #expect(try store.caso().estatus == .excluido)
        #expect(try store.historial().last?.accion == ExcluirCuenta.name)
        // The same row again: nothing more to do.
        #expect(try store.run(ImportarCuenta(cuenta: Fixture.cuenta(tipo: .ratificado), criterioExclusion: .demanda), as: .operacion).isEmpty)
    }

    @Test func entryALabelsOnlyACreditProposedAndFoundSusceptible() throws {
        var store = MemoryStore()
        let fila = ImportarCuenta(cuenta: Fixture.cuenta(), entrada: .aSolicitud)
        var sinPropuesta = store
        #expect(rechazo { try sinPropuesta.run(fila, as: .operacion) }?.code == "entrada_sin_propuesta")

        try store.run(
            ProponerMediacion(numeroCredito: credito, delegacion: "Delegación Ficticia Norte", solicitante: .acreditado),
            as: .delegacion
        )
        var pendiente = store
        #expect(rechazo { try pendiente.run(fila, as: .operacion) }?.message.contains("waiting for review") == true)

        var noSusceptible = store
        try noSusceptible.run(RevisarPropuesta(numeroCredito: credito, susceptible: false, criterioExclusion: .tercerizados), as: .mediacion)
        let negativa = rechazo { try noSusceptible.run(fila, as: .operacion) }
        #expect(negativa?.code == "entrada_sin_propuesta")
        #expect(negativa?.message.contains("Créditos tercerizados") == true)

        try store.run(RevisarPropuesta(numeroCredito: credito, susceptible: true), as: .mediacion)
        #expect(try store.run(fila, as: .operacion).count == 1)
        // A7: the agency may now mark the account accepted.
        try store.run(MarcarMediacionAceptada(numeroCredito: credito), as: .agencia)
        #expect(try store.caso().estatus == .aprobado)
    }

    @Test func entryBIsForRecuperacionEspecializada() throws {
        var store = MemoryStore()
        let enCobranza = ImportarCuenta(cuenta: Fixture.cuenta(), entrada: .recuperacionEspecializada)
        let rechazado = rechazo { try store.run(enCobranza, as: .operacion) }
        #expect(rechazado?.code == "dato_invalido")
        #expect(rechazado?.message.hasPrefix("segmento:") == true)
        let enRE = ImportarCuenta(cuenta: Fixture.cuenta(segmento: .recuperacionEspecializada), entrada: .recuperacionEspecializada)
        #expect(try store.run(enRE, as: .operacion).count == 1)
    }

    @Test func theEntryAndTheLabelMustAgree() throws {
        var store = MemoryStore()
        var mediacion = ImportarCuenta(cuenta: Fixture.cuenta(), entrada: .remediacion)
        #expect(rechazo { try store.run(mediacion, as: .operacion) }?.message.hasPrefix("etiqueta:") == true)
        mediacion = remediacion(entrada: .asignacionMensual)
        #expect(rechazo { try store.run(mediacion, as: .operacion) }?.message.hasPrefix("etiqueta:") == true)
    }

    @Test func aRemediationLabelOpensANewRoundOnce() throws {
        var e = try Escenario.en(.convenioIncumplido)
        try e.paso(remediacion(), .operacion, at: Fixture.dia(60))
        var cuenta = try #require(try e.store.read(Cuenta.self, credito))
        #expect(cuenta.ronda == 2)
        #expect(cuenta.etiqueta == .susceptibleDeRemediacion)
        #expect(cuenta.tipoConvenio == .notarial)
        #expect(cuenta.conveniosIncumplidos == 1, "the breach recorded is kept")
        // The same file again: the round is open already, nothing changes.
        #expect(try e.store.run(remediacion(), as: .operacion, at: Fixture.dia(61)).isEmpty)
        // The label alone means entry C.
        #expect(try e.store.run(remediacion(entrada: nil), as: .operacion, at: Fixture.dia(61)).isEmpty)
        try e.paso(RegistrarAceptacion(numeroCredito: credito, ronda: 2), .asesor, at: Fixture.dia(62))
        #expect(try e.store.caso(ronda: 2).estatus == .enMediacion)
        // While the new round runs, the label is a reload, whatever the assignment date.
        var siguienteMes = remediacion()
        siguienteMes.fechaAsignacion = "2026-12-01"
        #expect(try e.store.run(siguienteMes, as: .operacion, at: Fixture.dia(63)).map(\.key) == [Cuenta.key(credito)])
        cuenta = try #require(try e.store.read(Cuenta.self, credito))
        #expect(cuenta.ronda == 2)
        #expect(cuenta.fechaAsignacion == "2026-12-01")
    }

    @Test func anEndedRemediationRoundIsReopenedOnlyByANewAssignment() throws {
        var e = try Escenario.en(.convenioIncumplido)
        try e.paso(remediacion(), .operacion, at: Fixture.dia(60))
        try e.paso(RegistrarNoAceptacion(numeroCredito: credito, ronda: 2), .asesor, at: Fixture.dia(61))
        // The same file again after round 2 ended: nothing changes.
        #expect(try e.store.run(remediacion(), as: .operacion, at: Fixture.dia(62)).isEmpty)
        // A later assignment labels it again: round 3.
        var otraAsignacion = remediacion()
        otraAsignacion.fechaAsignacion = "2027-01-04"
        try e.paso(otraAsignacion, .operacion, at: Fixture.dia(62))
        #expect(try e.store.read(Cuenta.self, credito)?.ronda == 3)
    }

    @Test func aRemediationLabelNeedsTheRoundToHaveEnded() throws {
        var store = try Escenario.en(.sesionAgendada).store
        #expect(rechazo { try store.run(remediacion(), as: .operacion) } == Rechazo.remediacionNoPermite(.sesionAgendada))
        #expect(rechazo { try store.run(remediacion(entrada: nil), as: .operacion) } == Rechazo.remediacionNoPermite(.sesionAgendada))
        var nunca = try Fixture.storeWithAccount()
        #expect(rechazo { try nunca.run(remediacion(), as: .operacion) } == Rechazo.remediacionNoPermite(nil))
    }

    @Test func aCreditNotLoadedArrivesLabelledForRemediation() throws {
        // Its earlier mediation happened outside Gestión Móvil; the file carries its breach.
        var store = MemoryStore()
        var fila = remediacion()
        fila.conveniosIncumplidos = 1
        try store.run(fila, as: .operacion)
        let cuenta = try #require(try store.read(Cuenta.self, credito))
        #expect(cuenta.etiqueta == .susceptibleDeRemediacion)
        #expect(cuenta.ronda == 1)
        #expect(cuenta.conveniosIncumplidos == 1)
        #expect(try store.run(fila, as: .operacion).isEmpty)
    }

    @Test func anExcludedCreditIsNotRemediated() throws {
        var e = try Escenario.en(.convenioIncumplido)
        try e.paso(ExcluirCuenta(numeroCredito: credito, criterio: .prorrogaActiva), .operacion, at: Fixture.dia(50))
        #expect(rechazo { try e.store.run(remediacion(), as: .operacion, at: Fixture.dia(60)) } == Rechazo.cuentaExcluida(.prorrogaActiva))
    }
}
