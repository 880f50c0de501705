import Foundation
import SyncCore
import Testing

@testable import Mediacion

@Suite struct EntradasTests {
    let credito = "1000000077"

    @Test func entryAOnRequestGoesFromProposalToDistribution() throws {
        var e = try Escenario.base()
        let proponer = ProponerMediacion(numeroCredito: credito, delegacion: "Delegación Ficticia Sur", solicitante: .gerenciaCobranzaDR)
        try e.paso(proponer, .delegacion)
        #expect(throws: Rechazo.yaRegistrada("A proposal waiting for review")) { try e.store.run(proponer, as: .delegacion) }
        #expect(throws: MutationRejection.self) {
            try e.store.run(RevisarPropuesta(numeroCredito: credito, susceptible: false), as: .mediacion)
        }
        try e.paso(RevisarPropuesta(numeroCredito: credito, susceptible: true), .mediacion)
        #expect(try e.store.read(Propuesta.self, credito)?.estado == .susceptible)
        #expect(throws: Rechazo.propuestaYaRevisada(.susceptible)) {
            try e.store.run(RevisarPropuesta(numeroCredito: credito, susceptible: true), as: .mediacion)
        }
        // A5: operations labels it; A7: the agency marks it accepted; A8: distribution (G5).
        try e.paso(ImportarCuenta(cuenta: Fixture.cuenta(credito, tipo: .ratificado)), .operacion)
        #expect(throws: Rechazo.cuentaYaEtiquetada()) { try e.store.run(proponer, as: .delegacion) }
        try e.paso(MarcarMediacionAceptada(numeroCredito: credito), .agencia, at: Fixture.dia(2))
        let caso = try #require(try e.store.read(Caso.self, "\(credito)-1"))
        #expect(caso.estatus == .aprobado)
        #expect(caso.asesor == nil)
        #expect(caso.agencia == Escenario.agencia)
        #expect(caso.fechaAceptacion == Fixture.dia(2))
        try e.paso(DistribuirCaso(numeroCredito: credito, mediador: Escenario.mediador), .agencia)
        #expect(try e.store.read(Caso.self, "\(credito)-1")?.estatus == .distribuido)
    }

    @Test func aProposalFoundNotSusceptibleKeepsItsCriterion() throws {
        var store = MemoryStore()
        try store.run(ProponerMediacion(numeroCredito: credito, delegacion: "Norte", solicitante: .acreditado), as: .mediacion)
        try store.run(RevisarPropuesta(numeroCredito: credito, susceptible: false, criterioExclusion: .prorrogaActiva), as: .mediacion)
        let propuesta = try #require(try store.read(Propuesta.self, credito))
        #expect(propuesta.estado == .noSusceptible)
        #expect(propuesta.criterioExclusion == .prorrogaActiva)
    }

    @Test func entryBRecuperacionEspecializadaIsMarkedAcceptedByTheAgency() throws {
        var e = try Escenario.base(segmento: .recuperacionEspecializada)
        try e.paso(MarcarMediacionAceptada(numeroCredito: Fixture.credito), .agencia)
        #expect(try e.store.caso().estatus == .aprobado)
        #expect(try e.store.historial().last?.detalle?["entrada"] == "Anexo 1 B")
    }

    @Test func otherAccountsAreAskedByTheAsesor() throws {
        var e = try Escenario.base()
        #expect(throws: Rechazo.entradaNoPermite()) {
            try e.store.run(MarcarMediacionAceptada(numeroCredito: Fixture.credito), as: .agencia)
        }
    }

    @Test func theAgencyMayFindTheAsesorsRecordNotValid() throws {
        var e = try Escenario.en(.enMediacion)
        #expect(throws: Rechazo.datoInvalido("motivo", "must not be empty")) {
            try e.store.run(NoAprobarCaso(numeroCredito: Fixture.credito, motivo: " "), as: .agencia)
        }
        try e.paso(NoAprobarCaso(numeroCredito: Fixture.credito, motivo: "Visita no realizada"), .agencia)
        #expect(try e.store.caso().estatus == .gestionNoAprobada)
        #expect(try e.store.caso().estatus.isFinal)
    }
}

@Suite struct HistorialTests {
    @Test func everyEntrySaysWhoWhatWhenAndWhere() throws {
        var store = try Fixture.storeWithAccount()
        try store.run(RegistrarAceptacion(numeroCredito: Fixture.credito), as: .asesor, user: "asesor-7", at: Fixture.dia(1, 9), device: "tel-9")
        let entrada = try #require(try store.historial().last)
        #expect(entrada.id == "tel-9-2")
        #expect(entrada.accion == "registrarAceptacion")
        #expect(entrada.descripcion == RegistrarAceptacion.summary)
        #expect(entrada.usuario == "asesor-7")
        #expect(entrada.rol == "asesor")
        #expect(entrada.dispositivo == "tel-9")
        #expect(entrada.ocurrido == Fixture.dia(1, 9))
        #expect(entrada.casoId == "\(Fixture.credito)-1")
        #expect(entrada.numeroCredito == Fixture.credito)
        #expect(entrada.estatusAnterior == nil)
        #expect(entrada.estatusNuevo == .enMediacion)
        #expect(entrada.horaReportada == nil && entrada.notaHora == nil)
    }

    @Test func anImplausibleTimeIsKeptWithTheServersNote() throws {
        var store = try Fixture.storeWithAccount()
        let reportada = Fixture.dia(5)
        let nota = "The device's clock was ahead: the action counts from its arrival."
        try store.run(
            RegistrarAceptacion(numeroCredito: Fixture.credito), as: .asesor, at: Fixture.dia(1, 9), timeNote: nota, reported: reportada
        )
        let entrada = try #require(try store.historial().last)
        #expect(entrada.ocurrido == Fixture.dia(1, 9))
        #expect(entrada.horaReportada == reportada)
        #expect(entrada.notaHora == nota)
        #expect(try store.caso().fechaAceptacion == Fixture.dia(1, 9), "the case counts from the judged time")
    }

    @Test func actionsThatChangeNothingWriteNothing() throws {
        var e = try Escenario.en(.sesionCelebrada)
        try e.paso(RegistrarEncuesta(numeroCredito: Fixture.credito), .mediador)
        let antes = e.store.records
        let cambios = try e.store.run(RegistrarEncuesta(numeroCredito: Fixture.credito), as: .mediador, user: Escenario.mediador, at: e.ahora)
        #expect(cambios.isEmpty)
        #expect(e.store.records == antes)
        #expect(try e.store.run(ImportarCuenta(cuenta: Fixture.cuenta(tipo: .ratificado)), as: .operacion).isEmpty)
    }

    @Test func theWholeServiceLeavesAnAttributableTrail() throws {
        // The happy path after the first payment to the ANEC, with every entry attributable.
        var e = try Escenario.en(.convenioVigente)
        let c = Fixture.credito
        try e.paso(RegistrarEncuesta(numeroCredito: c), .mediador)
        try e.paso(Muestra.mutacion(.inscripcionCJA, e.ahora), .mediador)
        try e.paso(EntregarExpediente(numeroCredito: c, documentos: DocumentoExpediente.requeridos(firmado: true, tipo: .ratificado)), .mediador)
        try e.paso(SolicitarAclaracionExpediente(numeroCredito: c, motivo: "Copia ilegible"), .delegacion)
        try e.paso(ResponderAclaracionExpediente(numeroCredito: c, documentos: [.otros]), .mediador)
        try e.paso(AceptarExpediente(numeroCredito: c), .delegacion)
        try e.paso(ValidarPagoDerechos(numeroCredito: c, fechaConstancias: CalendarioMX.fecha(e.ahora), monto: 900), .delegacion)
        try e.paso(DigitalizarExpediente(numeroCredito: c), .delegacion)
        try e.paso(EnviarExpedienteANEC(numeroCredito: c, numeroGuia: "GUIA-77", fechaEnvio: CalendarioMX.fecha(e.ahora)), .delegacion)
        let caso = try e.store.caso()
        #expect(caso.estatus == .convenioVigente)
        #expect(caso.expediente == .enviadoANEC)
        #expect(caso.envioANEC?.numeroGuia == "GUIA-77")
        let expediente = try #require(try e.store.read(Expediente.self, "\(c)-1"))
        #expect(expediente.entregas.count == 2)
        #expect(expediente.aclaraciones.first?.respondida != nil)
        #expect(expediente.documentos.contains(.otros))
        let historial = try e.store.historial()
        #expect(Set(historial.map(\.id)).count == historial.count)
        #expect(historial.allSatisfy { !$0.usuario.isEmpty && !$0.dispositivo.isEmpty })
        let acciones = historial.filter { $0.casoId == "\(c)-1" }.map(\.accion)
        #expect(acciones.starts(with: ["registrarAceptacion", "aprobarCaso", "distribuirCaso", "designarRepresentante", "agendarSesion"]))
        #expect(acciones.suffix(4) == ["aceptarExpediente", "validarPagoDerechos", "digitalizarExpediente", "enviarExpedienteANEC"])
        #expect(Vencimientos.siguiente(caso: caso, plazos: .procedimiento, ahora: e.ahora) == nil)
    }
}
