import Foundation
import SyncCore
import Testing

@testable import Mediacion

/// A mutation's name and a role that may not perform it.
struct RolNoPermitido: Sendable, CustomTestStringConvertible {
    var mutacion: String
    var rol: Rol
    var testDescription: String { "\(rol) → \(mutacion)" }

    static let todos: [RolNoPermitido] = Mediacion.mutaciones.flatMap { tipo in
        Rol.allCases.filter { !tipo.allowedRoles.contains($0.rawValue) }.map { RolNoPermitido(mutacion: tipo.name, rol: $0) }
    }
}

/// A catalogue argument given a value outside its catalogue.
struct ValorFueraDeCatalogo: Sendable, CustomTestStringConvertible {
    var mutacion: String
    var argumentos: JSONObject
    var campo: String
    var lista: String
    var testDescription: String { "\(mutacion).\(campo)" }

    static func caso(_ evento: EventoCaso, _ campo: String, _ lista: String, valor: JSONValue = "Valor inventado") -> ValorFueraDeCatalogo {
        let mutation = Muestra.mutacion(evento, Fixture.dia(10))
        var argumentos = try! JSONValueEncoder().encode(mutation).objectValue!
        argumentos[campo] = valor
        return ValorFueraDeCatalogo(mutacion: type(of: mutation).name, argumentos: argumentos, campo: campo, lista: lista)
    }

    static let todos: [ValorFueraDeCatalogo] = [
        caso(.noAgendada, "causa", CausaNoAgendada.catalogueList),
        caso(.negativaFirma, "causa", CausaNegativaFirma.catalogueList),
        caso(.firmaConvenio, "tipoConvenio", TipoConvenio.catalogueList, valor: "Ratificado ante notario"),
        caso(.sesionCelebrada, "identificacionAcreditado", TipoIdentificacion.catalogueList, valor: "Licencia de conducir"),
        caso(.entregaExpediente, "documentos", DocumentoExpediente.catalogueList, valor: ["Fotografía del domicilio"]),
        caso(.invitacionPago, "medio", MedioInvitacionPago.catalogueList, valor: "Paloma mensajera"),
        caso(.agenda, "medioConvocatoria", MedioConvocatoria.catalogueList, valor: "WhatsApp"),
        caso(.reagenda, "medioConvocatoria", MedioConvocatoria.catalogueList, valor: "Telegram"),
        ValorFueraDeCatalogo(
            mutacion: ExcluirCuenta.name, argumentos: ["numeroCredito": .string(Fixture.credito), "criterio": "Crédito liquidado"],
            campo: "criterio", lista: CriterioExclusion.catalogueList
        ),
        ValorFueraDeCatalogo(
            mutacion: ProponerMediacion.name,
            argumentos: ["numeroCredito": "1000000009", "delegacion": "Norte", "solicitante": "Vecino"],
            campo: "solicitante", lista: Solicitante.catalogueList
        ),
        ValorFueraDeCatalogo(
            mutacion: CambiarPlazo.name, argumentos: ["plazo": "diasParaSesiones", "dias": 60], campo: "plazo",
            lista: NombrePlazo.catalogueList
        ),
        ValorFueraDeCatalogo(
            mutacion: ImportarCuenta.name,
            argumentos: try! JSONValueEncoder().encode(ImportarCuenta(cuenta: Fixture.cuenta())).objectValue!.merging(
                ["tipoConvenio": "administrativo"], uniquingKeysWith: { $1 }),
            campo: "tipoConvenio", lista: TipoConvenio.catalogueList
        ),
    ]
}

@Suite struct CatalogosYRolesTests {
    @Test(arguments: RolNoPermitido.todos)
    func aRoleThatMayNotPerformTheMutationIsRefused(caso: RolNoPermitido) throws {
        var store = try Escenario.en(.sesionCelebrada).store
        do {
            try store.run(name: caso.mutacion, arguments: ["numeroCredito": .string(Fixture.credito)], as: caso.rol)
            Issue.record("applied")
        } catch let rechazo as MutationRejection {
            #expect(rechazo == MutationRejection.roleNotAllowed(mutation: caso.mutacion, role: caso.rol.rawValue))
        }
    }

    @Test(arguments: ValorFueraDeCatalogo.todos)
    func aValueOutsideTheCatalogueIsRefusedWithTheValidValues(caso: ValorFueraDeCatalogo) throws {
        var store = try Escenario.en(.sesionCelebrada).store
        let rol = Rol.allCases.first { Mediacion.registry.definition(named: caso.mutacion)!.allowedRoles.contains($0.rawValue) }!
        do {
            try store.run(name: caso.mutacion, arguments: caso.argumentos, as: rol, user: Escenario.usuario(rol))
            Issue.record("applied")
        } catch let rechazo as MutationRejection {
            #expect(rechazo.code == "invalid_arguments")
            #expect(rechazo.message.contains(caso.campo))
            #expect(rechazo.message.contains(caso.lista))
        }
    }

    @Test func catalogueValuesAreWrittenAsTheInstitutionWritesThem() {
        #expect(EstatusCaso.enMediacion.rawValue == "En Mediación")
        #expect(TipoConvenio.catalogueList == "\"Ratificado\", \"Notarial\" or \"Administrativo\"")
        #expect(CausaNoAgendada.allCases.map(\.rawValue) == [
            "No se logró contacto con el acreditado",
            "El acreditado manifestó de manera expresa su negativa para asistir a la sesión",
            "El acreditado no facilitó día y hora para sesión",
        ])
        #expect(CausaNegativaFirma.allCases.count == 5)
        #expect(CriterioExclusion.allCases.count == 10)
        #expect(TipoIdentificacion.credencialParaVotar.rawValue == "Credencial para Votar")
        #expect(DocumentoExpediente.requeridos(firmado: false, tipo: nil) == [.identificaciones, .convenioConfidencialidad])
        #expect(DocumentoExpediente.requeridos(firmado: true, tipo: .ratificado).contains(.constanciasCJA))
        #expect(!DocumentoExpediente.requeridos(firmado: true, tipo: .notarial).contains(.constanciasCJA))
    }

    @Test func mutationsThatNeedTheServerSaySo() {
        let sinConexion = Set(Mediacion.mutaciones.filter { !$0.worksOffline }.map { $0.name })
        #expect(sinConexion == [
            "importarCuenta", "revisarPropuesta", "excluirCuenta", "etiquetarRemediacion", "registrarMediador", "cambiarPlazo",
            "registrarPrimerPago", "registrarIncumplimiento", "retirarCaso", "cerrarSinRegistro", "cerrarSinSesion",
        ])
    }
}

@Suite struct ReglasTests {
    let c = Fixture.credito

    func rechazo(_ body: () throws -> Void) -> MutationRejection? {
        do {
            try body()
            return nil
        } catch {
            return error as? MutationRejection
        }
    }

    @Test func aSessionMayBeRescheduledOnlyOnce() throws {
        // DOMAIN §8.5, including a device that did not know about the first reschedule.
        var e = try Escenario.en(.sesionNoCelebrada)
        let reagenda = { (dia: Int) in ReagendarSesion(numeroCredito: self.c, fechaHora: Fixture.dia(dia, 11), medioConvocatoria: .whatsapp) }
        try e.paso(reagenda(20), .mediador, at: Fixture.dia(12))
        #expect(try e.store.caso().reagendas == 1)
        #expect(try e.store.read(Sesion.self, "\(c)-1-s2")?.reagendada == true)
        var desconocido = e.store
        #expect(throws: Rechazo.reagendaUnica()) {
            try desconocido.run(reagenda(25), as: .mediador, user: Escenario.mediador, at: Fixture.dia(12, 11))
        }
        try e.paso(RegistrarSesionNoCelebrada(numeroCredito: c), .mediador, at: Fixture.dia(20, 13))
        #expect(throws: Rechazo.reagendaUnica()) {
            try e.store.run(reagenda(30), as: .mediador, user: Escenario.mediador, at: Fixture.dia(21))
        }
    }

    @Test func aRepresentativeWithoutPowersOnlyForAdministrativoConvenios() throws {
        var ratificado = try Escenario.en(.distribuido).store
        #expect(throws: Rechazo.representanteSinPoderes(.ratificado)) {
            try ratificado.run(DesignarRepresentante(numeroCredito: c, representante: "rep-2"), as: .agencia)
        }
        var administrativo = try Escenario.construir(.sesionCelebrada, tipo: .administrativo)
        try administrativo.paso(DesignarRepresentante(numeroCredito: c, representante: "rep-2"), .agencia)
        try administrativo.paso(Escenario.firma(administrativo.ahora, tipo: .administrativo), .mediador)
        #expect(try administrativo.store.caso().estatus == .convenioFirmado)
        #expect(try administrativo.store.read(Convenio.self, "\(c)-1")?.representante == "rep-2")
    }

    @Test func aConvenioNeedsTypeAndSolution() throws {
        let e = try Escenario.en(.sesionCelebrada)
        var firma = Escenario.firma(e.ahora)
        firma.tipoConvenio = nil
        firma.solucion = "  "
        var store = e.store
        let r = rechazo { try store.run(firma, as: .mediador, user: Escenario.mediador, at: e.ahora) }
        #expect(r?.code == "convenio_incompleto")
        #expect(r?.message.contains("missing: tipoConvenio, solucion") == true)
        #expect(r?.message.contains(TipoConvenio.catalogueList) == true)
        #expect(store.records == e.store.records)
    }

    @Test func theConvenioMeetsTheProceduresConditions() throws {
        let e = try Escenario.en(.sesionCelebrada)
        func intento(_ cambiar: (inout FirmarConvenio) -> Void) -> String? {
            var firma = Escenario.firma(e.ahora)
            cambiar(&firma)
            var store = e.store
            return rechazo { try store.run(firma, as: .mediador, user: Escenario.mediador, at: e.ahora) }?.code
        }
        #expect(intento { $0.tipoConvenio = .notarial } == "tipo_convenio_distinto")
        #expect(intento { $0.firmadoPorRepresentante = false } == "firmas_incompletas")
        #expect(intento { $0.originales = 2 } == "originales_insuficientes")
        #expect(intento { $0.montoPago = 0 } == "dato_invalido")
        #expect(intento { $0.fechaLimitePrimerPago = CalendarioMX.fecha(Fixture.dia(9)) } == "dato_invalido")
        #expect(intento { _ in } == nil)
    }

    @Test func aRatificadoNeedsACertifiedMediatorAndANotarialANotario() throws {
        var e = try Escenario.en(.sesionCelebrada)
        try e.paso(
            RegistrarMediador(usuario: "mediador-3", nombre: "Mediador Ficticio Tres", numeroLicencia: "LIC-003", certificado: false),
            .agencia
        )
        try e.paso(RedistribuirCaso(numeroCredito: c, mediador: "mediador-3"), .agencia)
        var store = e.store
        #expect(throws: Rechazo.mediadorNoCertificado()) {
            try store.run(Escenario.firma(e.ahora), as: .mediador, user: "mediador-3", at: e.ahora)
        }
        var notarial = try Escenario.construir(.sesionCelebrada, tipo: .notarial)
        try notarial.paso(
            RegistrarMediador(usuario: "mediador-4", nombre: "Mediador Ficticio", numeroLicencia: "LIC-004", certificado: true, numeroCertificado: "C-4"),
            .agencia
        )
        try notarial.paso(RedistribuirCaso(numeroCredito: c, mediador: "mediador-4"), .agencia)
        #expect(throws: Rechazo.mediadorNoNotario()) {
            try notarial.store.run(Escenario.firma(notarial.ahora, tipo: .notarial), as: .mediador, user: "mediador-4", at: notarial.ahora)
        }
    }

    @Test func aConvenioNeedsADesignatedRepresentative() throws {
        var e = try Escenario.base()
        try e.paso(RegistrarAceptacion(numeroCredito: c), .asesor)
        try e.paso(AprobarCaso(numeroCredito: c), .agencia)
        try e.paso(DistribuirCaso(numeroCredito: c, mediador: Escenario.mediador), .agencia)
        try e.paso(AgendarSesion(numeroCredito: c, fechaHora: Fixture.dia(3, 11), medioConvocatoria: .whatsapp), .mediador)
        try e.paso(
            RegistrarSesionCelebrada(numeroCredito: c, verificacion: Escenario.verificacion, identificacionAcreditado: .pasaporte, asistioRepresentante: false),
            .mediador, at: Fixture.dia(3, 13)
        )
        #expect(throws: Rechazo.representanteNoDesignado()) {
            try e.store.run(Escenario.firma(e.ahora), as: .mediador, user: Escenario.mediador, at: e.ahora)
        }
    }

    @Test func theRefusalToSignIsRecordedOnlyAtTheLastSession() throws {
        var e = try Escenario.en(.sesionCelebrada)
        try e.paso(AgendarSesion(numeroCredito: c, fechaHora: Fixture.dia(15, 11), medioConvocatoria: .whatsapp), .mediador)
        #expect(try e.store.read(Sesion.self, "\(c)-1-s1")?.resultado == .continua)
        let r = rechazo {
            try e.store.run(RegistrarNegativaFirma(numeroCredito: c, causa: .sinIngresos), as: .mediador, user: Escenario.mediador, at: e.ahora)
        }
        #expect(r?.code == "estatus_no_permite")
        #expect(r?.message.contains("“Sesión celebrada”") == true)
        try e.paso(
            RegistrarSesionCelebrada(numeroCredito: c, verificacion: Escenario.verificacion, identificacionAcreditado: .pasaporte, asistioRepresentante: true),
            .mediador, at: Fixture.dia(15, 13)
        )
        try e.paso(RegistrarNegativaFirma(numeroCredito: c, causa: .sinIngresos), .mediador)
        #expect(try e.store.caso().sesionesCelebradas == 2)
        #expect(try e.store.read(Sesion.self, "\(c)-1-s2")?.resultado == .negativaFirma)
        #expect(try e.store.historial().last?.detalle?["fechaSesion"] == RFC3339.string(from: Fixture.dia(15, 11)))
    }

    @Test func aSessionIsRecordedHeldOnlyOnOrAfterItsDateAndWithItsSafeguards() throws {
        let e = try Escenario.en(.sesionAgendada)
        var store = e.store
        let celebrada = { (v: VerificacionSesion) in
            RegistrarSesionCelebrada(numeroCredito: self.c, verificacion: v, identificacionAcreditado: .pasaporte, asistioRepresentante: true)
        }
        #expect(throws: Rechazo.sesionAunNoOcurre()) {
            try store.run(celebrada(Escenario.verificacion), as: .mediador, user: Escenario.mediador, at: Fixture.dia(9, 20))
        }
        var sinAviso = Escenario.verificacion
        sinAviso.avisoPrivacidad = false
        sinAviso.mediadorIdentificado = false
        let r = rechazo { try store.run(celebrada(sinAviso), as: .mediador, user: Escenario.mediador, at: e.ahora) }
        #expect(r?.code == "verificacion_incompleta")
        #expect(r?.message.contains("a) Identificación plena del mediador; b) Puesta a disposición del aviso de privacidad") == true)
    }

    @Test func theFirstPaymentIsOneFullPaymentOnTime() throws {
        let e = try Escenario.en(.solucionAprobada)
        var store = e.store
        #expect(throws: Rechazo.primerPagoIncompleto()) {
            try store.run(RegistrarPrimerPago(numeroCredito: c, monto: 4999, fechaPago: CalendarioMX.fecha(Fixture.dia(20))), as: .agencia, at: Fixture.dia(20))
        }
        #expect(throws: Rechazo.primerPagoFueraDePlazo(CalendarioMX.fecha(Fixture.dia(40)))) {
            try store.run(RegistrarPrimerPago(numeroCredito: c, monto: 5000, fechaPago: CalendarioMX.fecha(Fixture.dia(41))), as: .agencia, at: Fixture.dia(42))
        }
        try store.run(RegistrarPrimerPago(numeroCredito: c, monto: 5000, fechaPago: CalendarioMX.fecha(Fixture.dia(40))), as: .agencia, at: Fixture.dia(41))
        #expect(try store.caso().estatus == .convenioVigente)
    }

    @Test func theExpedienteMustHoldItsDocuments() throws {
        var e = try Escenario.en(.solucionAprobada)
        let r = rechazo {
            try e.store.run(EntregarExpediente(numeroCredito: c, documentos: DocumentoExpediente.allCases), as: .mediador, user: Escenario.mediador, at: e.ahora)
        }
        #expect(r?.code == "inscripcion_cja_pendiente")
        try e.paso(Muestra.mutacion(.inscripcionCJA, e.ahora), .mediador)
        let faltan = rechazo {
            try e.store.run(EntregarExpediente(numeroCredito: c, documentos: [.convenioOriginal, .identificaciones]), as: .mediador, user: Escenario.mediador, at: e.ahora)
        }
        #expect(faltan?.code == "documentos_faltantes")
        #expect(faltan?.message.contains("“Acuse donde conste que el acreditado recibió un original del convenio firmado”") == true)
        #expect(faltan?.message.contains("“Constancias de inscripción del convenio ante el CJA y del pago de derechos”") == true)
        #expect(faltan?.message.contains("Original del convenio") == false)
        try e.paso(EntregarExpediente(numeroCredito: c, documentos: DocumentoExpediente.requeridos(firmado: true, tipo: .ratificado)), .mediador)
        try e.paso(AceptarExpediente(numeroCredito: c), .delegacion)
        #expect(throws: Rechazo.derechosPendientes()) {
            try e.store.run(DigitalizarExpediente(numeroCredito: c), as: .delegacion, at: e.ahora)
        }
    }

    @Test func onlyRatificadoConveniosAreInscribed() throws {
        var e = try Escenario.construir(.solucionAprobada, tipo: .administrativo)
        #expect(throws: Rechazo.soloTipos([.ratificado], accion: "The CJA inscription")) {
            try e.store.run(Muestra.mutacion(.inscripcionCJA, e.ahora), as: .mediador, user: Escenario.mediador, at: e.ahora)
        }
        #expect(throws: Rechazo.soloTipos([.ratificado, .notarial], accion: "Validating the CJA or notary fees")) {
            try e.paso(EntregarExpediente(numeroCredito: c, documentos: DocumentoExpediente.allCases), .mediador)
            try e.paso(AceptarExpediente(numeroCredito: c), .delegacion)
            try e.store.run(Muestra.mutacion(.validacionDerechos, e.ahora), as: .delegacion, at: e.ahora)
        }
        try e.paso(DigitalizarExpediente(numeroCredito: c), .delegacion)
        try e.paso(EnviarExpedienteANEC(numeroCredito: c, numeroGuia: "GUIA-1", fechaEnvio: CalendarioMX.fecha(e.ahora)), .delegacion)
        #expect(try e.store.caso().expediente == .enviadoANEC)
    }

    @Test func theAgencyDistributesOnlyToRegisteredMediatorsWithUniqueLicences() throws {
        var e = try Escenario.en(.aprobado)
        #expect(throws: Rechazo.mediadorNoRegistrado()) {
            try e.store.run(DistribuirCaso(numeroCredito: c, mediador: "mediador-9"), as: .agencia, at: e.ahora)
        }
        #expect(throws: Rechazo.licenciaDuplicada()) {
            try e.store.run(
                RegistrarMediador(usuario: "mediador-9", nombre: "Otro Mediador", numeroLicencia: "LIC-001", certificado: false),
                as: .agencia, at: e.ahora
            )
        }
        // A mediator that changes licence frees the old number.
        try e.paso(RegistrarMediador(usuario: Escenario.otroMediador, nombre: "Mediador Ficticio", numeroLicencia: "LIC-022", certificado: false), .agencia)
        #expect(e.store.records[Licencia.key("LIC-002")] == nil)
        #expect(try e.store.read(Licencia.self, "LIC-022")?.mediador == Escenario.otroMediador)
        try e.paso(RegistrarMediador(usuario: "mediador-9", nombre: "Otro Mediador", numeroLicencia: "LIC-002", certificado: false), .agencia)
        try e.paso(DistribuirCaso(numeroCredito: c, mediador: "mediador-9"), .agencia)
        #expect(try e.store.caso().mediador == "mediador-9")
    }

    @Test func aRedistributedCaseIsOutOfThePreviousMediatorsHands() throws {
        // DOMAIN §8.3: the agency redistributes while the first mediator, offline, records a session.
        var e = try Escenario.en(.sesionAgendada)
        try e.paso(RedistribuirCaso(numeroCredito: c, mediador: Escenario.otroMediador), .agencia)
        #expect(throws: Rechazo.mediadorNoAsignado()) {
            try e.store.run(Muestra.mutacion(.sesionCelebrada, e.ahora), as: .mediador, user: Escenario.mediador, at: e.ahora)
        }
        try e.store.run(Muestra.mutacion(.sesionCelebrada, e.ahora), as: .mediador, user: Escenario.otroMediador, at: e.ahora)
        #expect(try e.store.caso().redistribuciones == 1)
    }

    @Test func preliminaryConveniosAreDeliveredAfterTheRequest() throws {
        var e = try Escenario.en(.sesionAgendada)
        #expect(throws: Rechazo.sinSolicitud()) {
            try e.store.run(EntregarConveniosPreliminares(numeroCredito: c), as: .delegacion, at: e.ahora)
        }
        try e.paso(SolicitarConveniosPreliminares(numeroCredito: c), .mediador)
        try e.paso(EntregarConveniosPreliminares(numeroCredito: c), .delegacion)
        #expect(try e.store.caso().conveniosPreliminaresRecibidos != nil)
    }
}
