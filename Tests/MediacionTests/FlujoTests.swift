import Foundation
import SyncCore
import Testing

@testable import Mediacion

/// A (status, event) pair; `nil` status: the round has no case yet.
struct Par: Sendable, Hashable, CustomTestStringConvertible {
    var estatus: EstatusCaso?
    var evento: EventoCaso

    var testDescription: String { "\(estatus.map { "\($0)" } ?? "sinCaso") + \(evento)" }
}

/// The workflow as the procedure describes it, written here independently of `FlujoMediacion`:
/// for each event, the statuses where it is legal and where it leads (`nil`: the status stays).
enum Procedimiento {
    static let enSesiones: [EstatusCaso?] = [.distribuido, .sesionAgendada, .sesionNoCelebrada, .sesionCelebrada]
    static let concluido: [EstatusCaso?] = [.solucionAprobada, .convenioVigente, .convenioIncumplido, .negativaFirma, .retirado]
    static let firmado: [EstatusCaso?] = [.solucionAprobada, .convenioVigente, .convenioIncumplido]

    static let legales: [EventoCaso: (desde: [EstatusCaso?], hacia: EstatusCaso?)] = [
        .aceptacion: ([nil], .enMediacion),
        .noAceptacion: ([nil], .mediacionNoAceptada),
        .aceptacionPorAgencia: ([nil], .aprobado),
        .aprobacion: ([.enMediacion], .aprobado),
        .noAprobacion: ([.enMediacion], .gestionNoAprobada),
        .distribucion: ([.aprobado], .distribuido),
        .redistribucion: (enSesiones, nil),
        .designacionRepresentante: ([.aprobado] + enSesiones, nil),
        .contacto: ([.distribuido, .sesionAgendada, .sesionNoCelebrada], nil),
        .noAgendada: ([.distribuido], .sesionNoAgendada),
        .agenda: ([.distribuido, .sesionCelebrada], .sesionAgendada),
        .solicitudConveniosPreliminares: ([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada], nil),
        .entregaConveniosPreliminares: ([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada], nil),
        .sesionNoCelebrada: ([.sesionAgendada], .sesionNoCelebrada),
        .reagenda: ([.sesionNoCelebrada], .sesionAgendada),
        .sesionCelebrada: ([.sesionAgendada], .sesionCelebrada),
        .negativaFirma: ([.sesionCelebrada], .negativaFirma),
        .firmaConvenio: ([.sesionCelebrada], .convenioFirmado),
        .encuesta: (
            [.sesionCelebrada, .negativaFirma, .convenioFirmado, .convenioEnRevision, .cambiosSolicitados, .solucionAprobada, .convenioVigente],
            nil
        ),
        .envioConvenio: ([.convenioFirmado, .cambiosSolicitados], .convenioEnRevision),
        .solicitudCambios: ([.convenioEnRevision], .cambiosSolicitados),
        .aprobacionSolucion: ([.convenioEnRevision], .solucionAprobada),
        .invitacionPago: ([.solucionAprobada], nil),
        .inscripcionCJA: ([.solucionAprobada, .convenioVigente], nil),
        .primerPago: ([.solucionAprobada], .convenioVigente),
        .incumplimiento: ([.solucionAprobada, .convenioVigente], .convenioIncumplido),
        .entregaExpediente: (concluido, nil),
        .solicitudAclaracionExpediente: (concluido, nil),
        .respuestaAclaracionExpediente: (concluido, nil),
        .aceptacionExpediente: (concluido, nil),
        .validacionDerechos: (firmado, nil),
        .digitalizacionExpediente: (firmado, nil),
        .envioANEC: (firmado, nil),
        .retiro: ([.sesionNoAgendada, .negativaFirma], .retirado),
        .cierreSinRegistro: ([.enMediacion, .aprobado, .distribuido], .retiradoAutomaticamente),
        .cierreSinSesion: ([.sesionAgendada, .sesionNoCelebrada, .sesionCelebrada], .retiradoAutomaticamente),
    ]

    static let finales: Set<EstatusCaso> = [
        .mediacionNoAceptada, .gestionNoAprobada, .convenioIncumplido, .retirado, .retiradoAutomaticamente, .excluido,
    ]

    static let todos: [EstatusCaso?] = [nil] + EstatusCaso.allCases.map(Optional.some)

    static let paresLegales: [Par] = Muestra.eventosDeCaso.flatMap { evento in
        legales[evento]!.desde.map { Par(estatus: $0, evento: evento) }
    }

    static let paresIlegales: [Par] = Muestra.eventosDeCaso.flatMap { evento in
        todos.filter { !legales[evento]!.desde.contains($0) }.map { Par(estatus: $0, evento: evento) }
    }

    /// The refusal code an illegal pair must get: the most specific reason.
    static func codigo(_ par: Par) -> String {
        guard let estatus = par.estatus else { return "caso_no_existe" }
        if [.aceptacion, .noAceptacion, .aceptacionPorAgencia].contains(par.evento) {
            return estatus == .excluido ? "cuenta_excluida" : "respuesta_ya_registrada"
        }
        if estatus == .retiradoAutomaticamente { return "caso_cerrado_automaticamente" }
        if finales.contains(estatus) { return "caso_cerrado" }
        if estatus == .sesionAgendada && (par.evento == .agenda || par.evento == .reagenda) { return "sesion_ya_agendada" }
        return "estatus_no_permite"
    }
}

@Suite struct FlujoTests {
    @Test func theStateMachineMatchesTheProcedure() {
        for evento in EventoCaso.allCases where evento != .exclusion {
            let esperado = Procedimiento.legales[evento]!
            let reales = FlujoMediacion.transiciones.filter { $0.evento == evento }
            #expect(Set(reales.map(\.desde)) == Set(esperado.desde), "origins of \(evento)")
            for t in reales {
                #expect(t.hacia == (esperado.hacia ?? t.desde), "destination of \(evento) from \(String(describing: t.desde))")
            }
        }
    }

    @Test(arguments: Procedimiento.paresIlegales)
    func theMachineRefusesIllegalPairsWithTheirReason(par: Par) {
        switch FlujoMediacion.siguiente(par.estatus, par.evento) {
        case .success(let destino): Issue.record("\(par) should be illegal, leads to \(destino)")
        case .failure(let invalida):
            let esperado = Procedimiento.codigo(par) == "cuenta_excluida" ? "respuesta_ya_registrada" : Procedimiento.codigo(par)
            #expect(invalida.motivo.rawValue == esperado)
            #expect(invalida.rechazo.code == esperado)
        }
    }

    @Test(arguments: Procedimiento.paresLegales)
    func legalTransitionApplies(par: Par) throws {
        var e = try Escenario.en(par.estatus)
        try Muestra.preparar(par.evento, &e)
        let antes = try? e.store.caso()
        let momento = Muestra.momento(par.evento, e)
        let rol = Muestra.rol(par.evento)
        try e.store.run(Muestra.mutacion(par.evento, momento), as: rol, user: Escenario.usuario(rol), at: momento)
        let caso = try e.store.caso()
        let esperado = Procedimiento.legales[par.evento]!.hacia ?? par.estatus
        #expect(caso.estatus == esperado)
        let ultima = try #require(try e.store.historial().last)
        #expect(ultima.accion == Mediacion.mutacionesDeCaso.first { $0.evento == par.evento }!.name)
        #expect(ultima.estatusAnterior == antes?.estatus)
        #expect(ultima.estatusNuevo == esperado)
        #expect(ultima.casoId == "\(Fixture.credito)-1")
        #expect(ultima.ocurrido == momento)
    }

    @Test(arguments: Procedimiento.paresIlegales)
    func illegalPairIsRefusedWithItsReason(par: Par) throws {
        var e = try Escenario.en(par.estatus)
        let momento = Muestra.momento(par.evento, e)
        let rol = Muestra.rol(par.evento)
        let antes = e.store.records
        do {
            try e.store.run(Muestra.mutacion(par.evento, momento), as: rol, user: Escenario.usuario(rol), at: momento)
            Issue.record("\(par) was applied")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == Procedimiento.codigo(par), "\(rechazo.message)")
            if let estatus = par.estatus, ["estatus_no_permite", "caso_cerrado"].contains(rechazo.code) {
                #expect(rechazo.message.contains(estatus.rawValue))
            }
            #expect(!rechazo.message.contains(Fixture.credito))
        }
        #expect(e.store.records == antes)
    }

    @Test func everyStatusIsReachableAndEveryCaseMutationHasAnEvent() throws {
        for estatus in EstatusCaso.allCases {
            let caso = try Escenario.en(estatus).store.caso()
            #expect(caso.estatus == estatus)
        }
        let eventos: [EventoCaso] = Mediacion.mutacionesDeCaso.map { tipo in tipo.evento }
        #expect(Set(eventos).count == eventos.count, "one mutation per event")
        #expect(Set(eventos) == Set(EventoCaso.allCases.filter { $0 != .exclusion }))
    }

    @Test func theExpedienteHasItsOwnOrder() {
        #expect(FlujoExpediente.siguiente(nil, .entregaExpediente) == .entregado)
        #expect(FlujoExpediente.siguiente(.entregado, .solicitudAclaracionExpediente) == .aclaracionSolicitada)
        #expect(FlujoExpediente.siguiente(.aclaracionSolicitada, .respuestaAclaracionExpediente) == .entregado)
        #expect(FlujoExpediente.siguiente(.entregado, .aceptacionExpediente) == .aceptado)
        #expect(FlujoExpediente.siguiente(.aceptado, .digitalizacionExpediente) == .digitalizado)
        #expect(FlujoExpediente.siguiente(.digitalizado, .envioANEC) == .enviadoANEC)
        #expect(FlujoExpediente.siguiente(nil, .aceptacionExpediente) == nil)
        #expect(FlujoExpediente.siguiente(.entregado, .digitalizacionExpediente) == nil)
        #expect(FlujoExpediente.siguiente(.enviadoANEC, .entregaExpediente) == nil)
        #expect(FlujoExpediente.rechazo(.entregado, .envioANEC).code == "expediente_no_permite")
    }

    @Test func anExpedienteStepOutOfOrderIsRefused() throws {
        var e = try Escenario.en(.solucionAprobada)
        do {
            try e.store.run(AceptarExpediente(numeroCredito: Fixture.credito), as: .delegacion, at: e.ahora)
            Issue.record("accepted an expediente never delivered")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "expediente_no_permite")
            #expect(rechazo.message.contains("was not delivered yet"))
        }
    }
}
