import Foundation
import SyncCore
import Testing

@testable import Mediacion

/// The reports of DOMAIN.md §7 against a made-up dataset whose right answers are written out by
/// hand (or counted from the dataset's construction), never computed by the code under test.
/// Months are Mexico City months: several records sit late in the evening of a month's last day,
/// which is already the next day (and month) in UTC.
@Suite struct ReportesTests {
    static let enero = Mes("2027-01")!
    static let diciembre = Mes("2026-12")!
    static let febrero = Mes("2027-02")!

    // MARK: Months

    @Test func monthsParseAndKnowTheirDays() throws {
        let febrero = try #require(Mes("2027-02"))
        #expect(febrero.primerDia == FechaCivil(year: 2027, month: 2, day: 1))
        #expect(febrero.ultimoDia == FechaCivil(year: 2027, month: 2, day: 28))
        #expect(Mes("2028-02")?.ultimoDia == FechaCivil(year: 2028, month: 2, day: 29))
        #expect(Mes("2026-12")?.ultimoDia == FechaCivil(year: 2026, month: 12, day: 31))
        #expect(Mes("2026-12")?.siguiente == Mes("2027-01"))
        #expect(Mes("2027-01")?.anterior == Mes("2026-12"))
        #expect(Mes("2027-01")?.description == "2027-01")
        for malo in ["2027-13", "2027-00", "2027-1", "27-01", "2027-01-01", "abcd-ef", "", "2027/01", "+027-01", "1899-12"] {
            #expect(Mes(malo) == nil, "\(malo)")
        }
    }

    @Test func anInstantCountsInItsMexicoCityMonth() {
        // 23:30 on 31 January in Mexico City is 05:30 on 1 February in UTC.
        let tarde = mx(2027, 1, 31, 23, 30)
        #expect(utcComponents(tarde) == [2027, 2, 1, 5, 30])
        #expect(Self.enero.contiene(tarde))
        #expect(!Self.febrero.contiene(tarde))
        // 00:05 on 1 February in Mexico City is February in both.
        #expect(Self.febrero.contiene(mx(2027, 2, 1, 0, 5)))
        #expect(!Self.enero.contiene(mx(2027, 2, 1, 0, 5)))
        #expect(Self.enero.contiene(FechaCivil(year: 2027, month: 1, day: 31)))
        #expect(!Self.enero.contiene(FechaCivil(year: 2026, month: 1, day: 31)))
    }

    // MARK: G32

    @Test func agencyMonthlyReportListsTheMonthsAssignmentsAndConvenios() {
        let reporte = Reportes.generar(.agenciaMensual, mes: Self.enero, datos: Dataset.datos())
        #expect(reporte.tablas.count == 1)
        let tabla = reporte.tablas[0]
        #expect(
            tabla.encabezados == [
                "Número de crédito", "Delegación", "Proveedor", "Etiqueta", "Fecha de asignación",
                "Aceptó el servicio de mediación", "Mediador", "Asistió a la sesión de mediación", "Causa de no asistencia",
                "Firmó convenio", "Tipo de convenio", "Solución o producto acordado", "Fecha de la sesión de mediación",
                "Fecha de firma del convenio", "Inscrito o ratificado ante CJA", "Fecha de inscripción ante CJA",
            ]
        )
        let esperado: [[String]] = [
            // Assigned in January: signed, approved, paid, shipped.
            [
                "2000000001", "Jalisco", "Agencia Norte", "susceptible de mediación", "2027-01-04", "Sí", "Mediadora Ficticia Uno",
                "Sí", "", "Sí", "Administrativo", "Reestructura con descuento", "2027-01-12", "2027-01-12", "No", "",
            ],
            // Assigned in December, signed at 23:30 on 31 January (Mexico City); inscribed at the CJA in February.
            [
                "2000000002", "Jalisco", "Agencia Sur", "susceptible de mediación", "2026-12-01", "Sí", "Mediador Ficticio Dos",
                "Sí", "", "Sí", "Ratificado", "Reestructura a plazo", "2027-01-31", "2027-01-31", "Sí", "2027-02-03",
            ],
            // Did not accept.
            ["2000000003", "Nuevo León", "Agencia Norte", "susceptible de mediación", "2027-01-10", "No"] + vacias(10),
            // Accepted; the mediator could not schedule (G9).
            [
                "2000000005", "Yucatán", "Agencia Sur", "susceptible de mediación", "2027-01-20", "Sí", "Mediadora Ficticia Uno",
                "No", "No se logró contacto con el acreditado",
            ] + vacias(7),
            // Assigned, not visited yet.
            ["2000000006", "Yucatán", "Agencia Sur", "susceptible de mediación", "2027-01-25"] + vacias(11),
            // The session was not held (no reason given); the mediator is not in the registry.
            [
                "2000000008", "Nuevo León", "Agencia Sur", "susceptible de mediación", "2027-01-08", "Sí", "med.tres", "No",
                "Sesión no celebrada", "", "", "", "2027-01-15", "", "", "",
            ],
            // A re-mediation round assigned in January: attended, refused to sign.
            [
                "2000000009", "Yucatán", "Agencia Norte", "susceptible de re-mediación", "2027-01-02", "Sí", "Mediadora Ficticia Uno",
                "Sí", "", "No", "", "", "2027-01-18", "", "", "",
            ],
            // Assigned in December; signed at 00:05 on 1 January after a session the evening before.
            [
                "2000000011", "Nuevo León", "Agencia Norte", "susceptible de mediación", "2026-12-10", "Sí", "Mediadora Ficticia Uno",
                "Sí", "", "Sí", "Administrativo", "Quita parcial", "2026-12-31", "2027-01-01", "No", "",
            ],
        ]
        #expect(tabla.filas.map { $0.map(\.description) } == esperado)
        #expect(reporte.filas == 8)
        // Typed cells: dates are dates, not text.
        #expect(tabla.filas[0][4] == .fecha(FechaCivil(year: 2027, month: 1, day: 4)))
        #expect(tabla.filas[1][15] == .fecha(FechaCivil(year: 2027, month: 2, day: 3)))
        #expect(tabla.filas[4][5] == .vacia)
    }

    @Test func theConvenioSignedLateOnTheLastDayIsInThatMonthsAgencyReport() {
        let datos = Dataset.datos()
        let creditos = { (mes: Mes) in
            Reportes.generar(.agenciaMensual, mes: mes, datos: datos).tablas[0].filas.map { $0[0].description }
        }
        // 2000000002 signed at 23:30 on 31 January: January, not February.
        #expect(creditos(Self.enero).contains("2000000002"))
        #expect(!creditos(Self.febrero).contains("2000000002"))
        // 2000000010 signed at 22:00 on 31 December (already 1 January in UTC): December only.
        #expect(creditos(Self.diciembre).contains("2000000010"))
        #expect(!creditos(Self.enero).contains("2000000010"))
    }

    // MARK: Guía 34

    @Test func delegacionMonthlyReportListsConveniosAndCountsThemByDelegacion() {
        let reporte = Reportes.generar(.delegacionMensual, mes: Self.enero, datos: Dataset.datos())
        #expect(reporte.tablas.map(\.nombre) == ["Convenios", "Resumen"])
        #expect(
            reporte.tablas[0].encabezados == [
                "Delegación", "Número de crédito", "Proveedor", "Tipo de convenio", "Fecha de firma", "Primer pago",
                "Fecha del primer pago",
            ]
        )
        #expect(
            reporte.tablas[0].filas.map { $0.map(\.description) } == [
                ["Jalisco", "2000000001", "Agencia Norte", "Administrativo", "2027-01-12", "Sí", "2027-01-20"],
                ["Jalisco", "2000000002", "Agencia Sur", "Ratificado", "2027-01-31", "No", ""],
                // Paid on 1 February: the first payment counts as recorded when the report is made.
                ["Nuevo León", "2000000011", "Agencia Norte", "Administrativo", "2027-01-01", "Sí", "2027-02-01"],
            ]
        )
        #expect(reporte.tablas[1].encabezados == ["Delegación", "Convenios firmados", "Convenios con primer pago"])
        #expect(
            reporte.tablas[1].filas == [
                [.texto("Jalisco"), .entero(2), .entero(1)], [.texto("Nuevo León"), .entero(1), .entero(1)],
                [.texto("Yucatán"), .entero(0), .entero(0)],
            ]
        )
        // December: the convenio signed at 22:00 on 31 December, and the one signed on the 15th.
        let diciembre = Reportes.generar(.delegacionMensual, mes: Self.diciembre, datos: Dataset.datos())
        #expect(diciembre.tablas[0].filas.map { $0[1].description } == ["2000000007", "2000000010"])
    }

    @Test func oneDelegacionIsFoundIgnoringAccentsAndCase() throws {
        let datos = Dataset.datos()
        #expect(datos.delegaciones == ["Jalisco", "Nuevo León", "Yucatán"])
        #expect(datos.delegacion(llamada: " nuevo leon ") == "Nuevo León")
        #expect(datos.delegacion(llamada: "YUCATAN") == "Yucatán")
        #expect(datos.delegacion(llamada: "Sonora") == nil)
        let jalisco = Reportes.generar(.delegacionMensual, mes: Self.enero, datos: datos.soloDe(delegacion: "Jalisco"))
        #expect(jalisco.tablas[0].filas.map { $0[1].description } == ["2000000001", "2000000002"])
        #expect(jalisco.tablas[1].filas == [[.texto("Jalisco"), .entero(2), .entero(1)]])
        let nuevoLeon = Reportes.generar(.recuperacionEspecializada, mes: Self.enero, datos: datos.soloDe(delegacion: "Nuevo León"))
        #expect(nuevoLeon.tablas[0].filas.map { $0[1].description } == ["2000000003"])
    }

    /// Many convenios across delegaciones and months: the counts equal those of the parameters
    /// the dataset was built from.
    @Test func delegacionCountsMatchTheDatasetsConstruction() {
        let delegaciones = ["Campeche", "Ciudad de México", "Zacatecas", "Ñuflo de Chávez"]
        var datos = DatosReporte()
        var firmadosEnero: [String: Int] = [:]
        var pagadosEnero: [String: Int] = [:]
        for n in 1...60 {
            let delegacion = delegaciones[n % delegaciones.count]
            // Every third convenio is signed late on 31 January (February in UTC); every fifth in
            // February; every seventh on 31 December at 23:59; the others mid-January.
            let firma: Date
            let enEnero: Bool
            if n % 7 == 0 {
                firma = mx(2026, 12, 31, 23, 59)
                enEnero = false
            } else if n % 5 == 0 {
                firma = mx(2027, 2, 1, 0, 1)
                enEnero = false
            } else if n % 3 == 0 {
                firma = mx(2027, 1, 31, 23, 59)
                enEnero = true
            } else {
                firma = mx(2027, 1, 1 + n % 28, 10)
                enEnero = true
            }
            let pagado = n % 4 == 0
            Dataset.convenioSimple(&datos, credito: String(3_000_000_000 + n), delegacion: delegacion, firma: firma, pagado: pagado)
            if enEnero {
                firmadosEnero[delegacion, default: 0] += 1
                if pagado { pagadosEnero[delegacion, default: 0] += 1 }
            }
        }
        let reporte = Reportes.generar(.delegacionMensual, mes: Self.enero, datos: datos)
        let resumen = reporte.tablas[1].filas
        #expect(resumen.map { $0[0].description } == ["Campeche", "Ciudad de México", "Ñuflo de Chávez", "Zacatecas"])
        for fila in resumen {
            let delegacion = fila[0].description
            #expect(fila[1] == .entero(firmadosEnero[delegacion] ?? 0), "\(delegacion)")
            #expect(fila[2] == .entero(pagadosEnero[delegacion] ?? 0), "\(delegacion)")
        }
        #expect(reporte.tablas[0].filas.count == firmadosEnero.values.reduce(0, +))
        #expect(firmadosEnero.values.reduce(0, +) == 41, "60, less the 8 signed in December and the 11 in February")
        // Detail rows: grouped by delegación in alphabetical order, credit numbers ascending within.
        let detalle = reporte.tablas[0].filas.map { [$0[0].description, $0[1].description] }
        let orden = delegaciones.sorted { Self.sinAcentos($0) < Self.sinAcentos($1) }
        #expect(detalle == detalle.sorted { (orden.firstIndex(of: $0[0])!, $0[1]) < (orden.firstIndex(of: $1[0])!, $1[1]) })
    }

    // MARK: Outputs

    @Test func alsListsTheSolutionsApprovedInTheMonth() {
        let reporte = Reportes.generar(.als, mes: Self.enero, datos: Dataset.datos())
        let tabla = reporte.tablas[0]
        #expect(
            tabla.encabezados == [
                "Número de Crédito", "Acreditado(a)", "Convenio firmado", "Tipo de convenio", "Fecha de firma", "Factor de Pago",
                "Fecha de aprobación de la solución",
            ]
        )
        #expect(
            tabla.filas == [
                [
                    .texto("2000000001"), .texto("Persona Ficticia Uno"), .texto("Reestructura con descuento"), .texto("Administrativo"),
                    fechaCelda(2027, 1, 12), .numero(0.27), fechaCelda(2027, 1, 14),
                ],
                [
                    .texto("2000000007"), .texto("Persona Ficticia Siete"), .texto("Reestructura a plazo fijo"), .texto("Notarial"),
                    fechaCelda(2026, 12, 15), .numero(0.3125), fechaCelda(2027, 1, 3),
                ],
                // Approved at 23:59 on 31 January in Mexico City.
                [
                    .texto("2000000011"), .texto("Persona Ficticia Once"), .texto("Quita parcial"), .texto("Administrativo"),
                    fechaCelda(2027, 1, 1), .numero(0.2), fechaCelda(2027, 1, 31),
                ],
            ]
        )
        #expect(Reportes.generar(.als, mes: Self.febrero, datos: Dataset.datos()).tablas[0].filas.map { $0[0] } == [.texto("2000000002")])
    }

    @Test func pagosListsTheFirstPaymentsMadeInTheMonth() {
        let tabla = Reportes.generar(.pagos, mes: Self.enero, datos: Dataset.datos()).tablas[0]
        #expect(tabla.encabezados == ["Número de Crédito", "Acreditado(a)", "Monto del pago realizado", "Fecha de pago"])
        #expect(
            tabla.filas == [
                [.texto("2000000001"), .texto("Persona Ficticia Uno"), .dinero(1500.5), fechaCelda(2027, 1, 20)],
                // Paid on 31 January, recorded on 2 February: January, by the payment's date.
                [.texto("2000000007"), .texto("Persona Ficticia Siete"), .dinero(2300), fechaCelda(2027, 1, 31)],
            ]
        )
        #expect(Reportes.generar(.pagos, mes: Self.febrero, datos: Dataset.datos()).tablas[0].filas.map { $0[0] } == [.texto("2000000011")])
    }

    @Test func anecListsTheShipmentsOfTheMonthWithTheManagerWhoRecordedThem() {
        let tabla = Reportes.generar(.anec, mes: Self.enero, datos: Dataset.datos()).tablas[0]
        #expect(
            tabla.encabezados == [
                "No. De Crédito", "Acreditado(a)", "Gerente de Cobranza de Delegación", "Número de Guía enviada", "Fecha Envío de Guía",
                "Delegación",
            ]
        )
        #expect(
            tabla.filas == [
                [
                    .texto("2000000001"), .texto("Persona Ficticia Uno"), .texto("gerente.jalisco"), .texto("GUIA-0001"), fechaCelda(2027, 1, 28),
                    .texto("Jalisco"),
                ],
                [
                    .texto("2000000010"), .texto("Persona Ficticia Diez"), .texto("gerente.nl"), .texto("GUIA-0002"), fechaCelda(2027, 1, 30),
                    .texto("Nuevo León"),
                ],
            ]
        )
        #expect(Reportes.generar(.anec, mes: Self.febrero, datos: Dataset.datos()).tablas[0].filas.map { $0[3] } == [.texto("GUIA-0003")])
    }

    @Test func recuperacionEspecializadaListsWhoDidNotAcceptInTheMonth() {
        let tabla = Reportes.generar(.recuperacionEspecializada, mes: Self.enero, datos: Dataset.datos()).tablas[0]
        #expect(
            tabla.encabezados == [
                "Delegación", "Crédito", "Acreditado(a)", "Despacho", "Fecha de Asignación", "Resultado de la mediación",
                "Fecha del resultado",
            ]
        )
        #expect(
            tabla.filas.map { $0.map(\.description) } == [
                // Declined at 23:45 on 31 January in Mexico City.
                ["Nuevo León", "2000000003", "Persona Ficticia Tres", "Agencia Norte", "2027-01-10", "Mediación no aceptada", "2027-01-31"],
                ["Yucatán", "2000000009", "Persona Ficticia Nueve", "Agencia Norte", "2027-01-02", "Negativa de firma de convenio", "2027-01-18"],
            ]
        )
        // The refusal at 23:50 on 31 December is December's, not January's.
        let diciembre = Reportes.generar(.recuperacionEspecializada, mes: Self.diciembre, datos: Dataset.datos()).tablas[0]
        #expect(diciembre.filas.map { $0[1].description } == ["2000000004"])
        #expect(diciembre.filas.first?[6] == fechaCelda(2026, 12, 31))
        #expect(Reportes.generar(.recuperacionEspecializada, mes: Self.febrero, datos: Dataset.datos()).tablas[0].filas.isEmpty)
    }

    @Test func aMonthWithNothingGivesHeadersOnly() {
        for tipo in TipoReporte.allCases {
            let reporte = Reportes.generar(tipo, mes: Mes("2030-06")!, datos: Dataset.datos())
            #expect(reporte.filas == 0, "\(tipo)")
            #expect(!reporte.tablas[0].columnas.isEmpty)
        }
    }

    @Test func reportsReadOnlyTheCollectionsTheyNeedFromStoredBodies() throws {
        let datos = Dataset.datos()
        var cuerpos: [String: [JSONObject]] = [
            Cuenta.collection: datos.cuentas.map(\.body), Caso.collection: datos.casos.map(\.body),
            Sesion.collection: datos.sesiones.map(\.body), Convenio.collection: datos.convenios.map(\.body),
            Mediador.collection: datos.mediadores.map(\.body), Historial.collection: datos.historial.map(\.body),
        ]
        // History entries of other actions are not decoded (this one would not decode at all).
        cuerpos[Historial.collection]?.append(["accion": "agendarSesion", "roto": true])
        for tipo in TipoReporte.allCases {
            var leidas: [String] = []
            let leidos = try DatosReporte(para: tipo) { coleccion in
                leidas.append(coleccion)
                return cuerpos[coleccion] ?? []
            }
            #expect(leidas == tipo.colecciones)
            #expect(Reportes.generar(tipo, mes: Self.enero, datos: leidos) == Reportes.generar(tipo, mes: Self.enero, datos: datos), "\(tipo)")
        }
        #expect(throws: StoredRecordError.self) {
            try DatosReporte(para: .pagos) { $0 == Caso.collection ? [["id": "roto"]] : [] }
        }
    }

    static func sinAcentos(_ texto: String) -> String {
        String(texto.decomposedStringWithCanonicalMapping.unicodeScalars.filter { !(0x300...0x36F).contains($0.value) }).lowercased()
    }
}

// MARK: The dataset

/// An instant given as Mexico City wall time: UTC−6 all year (Mexico ended daylight saving time
/// in 2022). Computed without `CalendarioMX`.
func mx(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 12, _ minute: Int = 0) -> Date {
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    return utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
        .addingTimeInterval(6 * 3600)
}

/// [year, month, day, hour, minute] of an instant in UTC.
func utcComponents(_ instant: Date) -> [Int] {
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    let c = utc.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
    return [c.year!, c.month!, c.day!, c.hour!, c.minute!]
}

func fechaCelda(_ year: Int, _ month: Int, _ day: Int) -> Celda { .fecha(FechaCivil(year: year, month: month, day: day)) }

func vacias(_ count: Int) -> [String] { Array(repeating: "", count: count) }

/// Made-up accounts and cases across December 2026, January and February 2027 and three
/// delegaciones. No real people.
enum Dataset {
    static func datos() -> DatosReporte {
        var d = DatosReporte()
        d.mediadores = [mediador("med.uno", "Mediadora Ficticia Uno"), mediador("med.dos", "Mediador Ficticio Dos")]

        // 1: assigned in January; signed, approved, paid and shipped to the ANEC in January.
        cuenta(&d, 1, "Uno", "Jalisco", "Agencia Norte", "2027-01-04")
        var c1 = caso(1, aceptado: mx(2027, 1, 5), mediador: "med.uno")
        sesion(&d, &c1, 1, mx(2027, 1, 12, 10), celebrada: true)
        firmar(&d, &c1, .administrativo, "Reestructura con descuento", mx(2027, 1, 12, 11, 30), monto: 1500.5, factor: 0.27)
        c1.fechaSolucionAprobada = mx(2027, 1, 14)
        c1.primerPago = PrimerPago(monto: 1500.5, fechaPago: FechaCivil(year: 2027, month: 1, day: 20), registrado: mx(2027, 1, 21))
        enviarANEC(&d, &c1, "GUIA-0001", FechaCivil(year: 2027, month: 1, day: 28), por: "gerente.jalisco")
        c1.estatus = .convenioVigente
        d.casos.append(c1)

        // 2: assigned in December; first session not held, the second held on the evening of 31
        // January and the convenio signed at 23:30 (1 February in UTC); approved and inscribed in February.
        cuenta(&d, 2, "Dos", "Jalisco", "Agencia Sur", "2026-12-01", tipo: .ratificado)
        var c2 = caso(2, aceptado: mx(2026, 12, 2), mediador: "med.dos")
        sesion(&d, &c2, 1, mx(2026, 12, 20, 11), celebrada: false, motivo: "El acreditado no se presentó")
        sesion(&d, &c2, 2, mx(2027, 1, 31, 20), celebrada: true)
        firmar(&d, &c2, .ratificado, "Reestructura a plazo", mx(2027, 1, 31, 23, 30), monto: 900, factor: 0.25)
        c2.fechaSolucionAprobada = mx(2027, 2, 2)
        c2.inscripcionCJA = InscripcionCJA(
            fechaInscripcion: FechaCivil(year: 2027, month: 2, day: 3), numeroInscripcion: "CJA-77", autoridad: "CJA Jalisco",
            registrada: mx(2027, 2, 3)
        )
        c2.estatus = .solucionAprobada
        d.casos.append(c2)

        // 3: assigned in January; declined at 23:45 on 31 January.
        cuenta(&d, 3, "Tres", "Nuevo León", "Agencia Norte", "2027-01-10")
        var c3 = Caso(numeroCredito: credito(3), ronda: 1, estatus: .mediacionNoAceptada, asesor: "asesor.uno")
        c3.fechaNoAceptacion = mx(2027, 1, 31, 23, 45)
        d.casos.append(c3)

        // 4: assigned in November; refused to sign at 23:50 on 31 December (1 January in UTC).
        cuenta(&d, 4, "Cuatro", "Nuevo León", "Agencia Norte", "2026-11-15")
        var c4 = caso(4, aceptado: mx(2026, 11, 16), mediador: "med.uno")
        sesion(&d, &c4, 1, mx(2026, 12, 31, 22), celebrada: true)
        c4.causaNegativaFirma = .desacuerdoAdeudo
        c4.fechaNegativaFirma = mx(2026, 12, 31, 23, 50)
        c4.estatus = .negativaFirma
        d.casos.append(c4)

        // 5: assigned in January; accepted; no session could be scheduled.
        cuenta(&d, 5, "Cinco", "Yucatán", "Agencia Sur", "2027-01-20")
        var c5 = caso(5, aceptado: mx(2027, 1, 21), mediador: "med.uno")
        c5.causaNoAgendada = .sinContacto
        c5.fechaNoAgendada = mx(2027, 2, 20)
        c5.estatus = .sesionNoAgendada
        d.casos.append(c5)

        // 6: assigned in January; the asesor has not visited yet (no case).
        cuenta(&d, 6, "Seis", "Yucatán", "Agencia Sur", "2027-01-25")

        // 7: assigned in October, signed on 15 December (Notarial), approved on 3 January, paid on
        // 31 January (recorded on 2 February), shipped to the ANEC on 1 February.
        cuenta(&d, 7, "Siete", "Jalisco", "Agencia Norte", "2026-10-01", tipo: .notarial)
        var c7 = caso(7, aceptado: mx(2026, 10, 20), mediador: "med.dos")
        sesion(&d, &c7, 1, mx(2026, 12, 15, 9), celebrada: true)
        firmar(&d, &c7, .notarial, "Reestructura a plazo fijo", mx(2026, 12, 15, 10), monto: 2300, factor: 0.3125)
        c7.fechaSolucionAprobada = mx(2027, 1, 3)
        c7.primerPago = PrimerPago(monto: 2300, fechaPago: FechaCivil(year: 2027, month: 1, day: 31), registrado: mx(2027, 2, 2))
        enviarANEC(&d, &c7, "GUIA-0003", FechaCivil(year: 2027, month: 2, day: 1), por: "gerente.jalisco")
        c7.estatus = .convenioVigente
        d.casos.append(c7)

        // 8: assigned in January; the session on the 15th was not held (no reason); its mediator
        // is not in the registry.
        cuenta(&d, 8, "Ocho", "Nuevo León", "Agencia Sur", "2027-01-08")
        var c8 = caso(8, aceptado: mx(2027, 1, 9), mediador: "med.tres")
        sesion(&d, &c8, 1, mx(2027, 1, 15, 12), celebrada: false)
        c8.estatus = .sesionNoCelebrada
        d.casos.append(c8)

        // 9: a re-mediation: round 1 signed in June and breached; round 2 assigned in January,
        // attended, refused to sign on 18 January.
        cuenta(&d, 9, "Nueve", "Yucatán", "Agencia Norte", "2027-01-02", etiqueta: .susceptibleDeRemediacion, ronda: 2)
        var c9a = caso(9, aceptado: mx(2026, 5, 20), mediador: "med.uno")
        sesion(&d, &c9a, 1, mx(2026, 6, 1, 9), celebrada: true)
        firmar(&d, &c9a, .administrativo, "Reestructura", mx(2026, 6, 1, 10), monto: 700, factor: 0.3)
        c9a.estatus = .convenioIncumplido
        d.casos.append(c9a)
        var c9 = caso(9, ronda: 2, aceptado: mx(2027, 1, 3), mediador: "med.uno")
        sesion(&d, &c9, 1, mx(2027, 1, 18, 10), celebrada: true)
        c9.causaNegativaFirma = .sinIngresos
        c9.fechaNegativaFirma = mx(2027, 1, 18, 11)
        c9.estatus = .negativaFirma
        d.casos.append(c9)

        // 10: assigned in November; signed at 22:00 on 31 December (1 January in UTC); shipped to
        // the ANEC on 30 January.
        cuenta(&d, 10, "Diez", "Nuevo León", "Agencia Sur", "2026-11-05")
        var c10 = caso(10, aceptado: mx(2026, 11, 6), mediador: "med.dos")
        sesion(&d, &c10, 1, mx(2026, 12, 31, 20), celebrada: true)
        firmar(&d, &c10, .administrativo, "Reestructura", mx(2026, 12, 31, 22), monto: 1000, factor: 0.22)
        c10.fechaSolucionAprobada = mx(2026, 12, 31, 23)
        enviarANEC(&d, &c10, "GUIA-0002", FechaCivil(year: 2027, month: 1, day: 30), por: "gerente.nl")
        c10.estatus = .solucionAprobada
        d.casos.append(c10)

        // 11: assigned in December; session the evening of 31 December, signed at 00:05 on
        // 1 January, approved at 23:59 on 31 January, paid on 1 February.
        cuenta(&d, 11, "Once", "Nuevo León", "Agencia Norte", "2026-12-10")
        var c11 = caso(11, aceptado: mx(2026, 12, 11), mediador: "med.uno")
        sesion(&d, &c11, 1, mx(2026, 12, 31, 23), celebrada: true)
        firmar(&d, &c11, .administrativo, "Quita parcial", mx(2027, 1, 1, 0, 5), monto: 500, factor: 0.2)
        c11.fechaSolucionAprobada = mx(2027, 1, 31, 23, 59)
        c11.primerPago = PrimerPago(monto: 500, fechaPago: FechaCivil(year: 2027, month: 2, day: 1), registrado: mx(2027, 2, 1))
        c11.estatus = .convenioVigente
        d.casos.append(c11)
        return d
    }

    static func credito(_ n: Int) -> String { String(2_000_000_000 + n) }

    static func cuenta(
        _ d: inout DatosReporte, _ n: Int, _ nombre: String, _ delegacion: String, _ despacho: String, _ asignada: String,
        tipo: TipoConvenio = .administrativo, etiqueta: Etiqueta = .susceptibleDeMediacion, ronda: Int = 1
    ) {
        d.cuentas.append(
            Cuenta(
                numeroCredito: credito(n), acreditado: "Persona Ficticia \(nombre)", delegacion: delegacion, despacho: despacho,
                fechaAsignacion: asignada, segmento: .cobranzaAdministrativa, etiqueta: etiqueta, tipoConvenio: tipo, ronda: ronda
            )
        )
    }

    static func caso(_ n: Int, ronda: Int = 1, aceptado: Date, mediador: String) -> Caso {
        var caso = Caso(numeroCredito: credito(n), ronda: ronda, estatus: .distribuido, asesor: "asesor.uno")
        caso.fechaAceptacion = aceptado
        caso.agencia = "agencia.uno"
        caso.fechaAprobacion = aceptado
        caso.mediador = mediador
        caso.fechaDistribucion = aceptado
        return caso
    }

    static func sesion(_ d: inout DatosReporte, _ caso: inout Caso, _ numero: Int, _ fechaHora: Date, celebrada: Bool, motivo: String? = nil) {
        var sesion = Sesion(
            casoId: caso.id, numeroCredito: caso.numeroCredito, numero: numero, fechaHora: fechaHora, medioConvocatoria: .whatsapp,
            mediador: caso.mediador ?? "", registrada: fechaHora.addingTimeInterval(-86_400 * 3), reagendada: numero > 1
        )
        sesion.celebrada = celebrada
        sesion.motivoNoCelebrada = motivo
        sesion.fechaResultado = fechaHora
        d.sesiones.append(sesion)
        caso.sesiones = numero
        caso.sesionAgendada = fechaHora
        if celebrada { caso.sesionesCelebradas += 1 }
    }

    static func firmar(
        _ d: inout DatosReporte, _ caso: inout Caso, _ tipo: TipoConvenio, _ solucion: String, _ fecha: Date, monto: Double, factor: Double
    ) {
        let limite = CalendarioMX.fecha(fecha).adding(days: 30)
        d.convenios.append(
            Convenio(
                casoId: caso.id, numeroCredito: caso.numeroCredito, sesionId: Sesion.id(casoId: caso.id, numero: caso.sesiones), tipo: tipo,
                fechaFirma: fecha, solucion: solucion, montoPago: monto, fechaLimitePrimerPago: limite, factorPago: factor,
                firmadoPorAcreditado: true, firmadoPorRepresentante: true, firmadoPorMediador: true, originales: 3, acuseRecibo: true,
                mediador: caso.mediador ?? "", representante: "REP-1"
            )
        )
        caso.convenio = caso.id
        caso.tipoConvenio = tipo
        caso.fechaFirmaConvenio = fecha
        caso.fechaLimitePrimerPago = limite
    }

    static func enviarANEC(_ d: inout DatosReporte, _ caso: inout Caso, _ guia: String, _ fecha: FechaCivil, por usuario: String) {
        caso.expediente = .enviadoANEC
        caso.envioANEC = EnvioANEC(numeroGuia: guia, fechaEnvio: fecha, registrado: mx(fecha.year, fecha.month, fecha.day, 18))
        d.historial.append(
            Historial(
                id: "dr-\(caso.id)", casoId: caso.id, numeroCredito: caso.numeroCredito, accion: "enviarExpedienteANEC",
                descripcion: "Envío al ANEC", usuario: usuario, rol: "delegacion", dispositivo: "oficina-dr", mutacion: 1,
                ocurrido: mx(fecha.year, fecha.month, fecha.day, 18)
            )
        )
        // Another action of the same manager on the case must not be taken for the shipment.
        d.historial.append(
            Historial(
                id: "dr-\(caso.id)-b", casoId: caso.id, numeroCredito: caso.numeroCredito, accion: "digitalizarExpediente",
                descripcion: "Digitalización", usuario: "otra.persona", rol: "delegacion", dispositivo: "oficina-dr", mutacion: 2,
                ocurrido: mx(fecha.year, fecha.month, fecha.day, 19)
            )
        )
    }

    /// A signed convenio of a new account in `delegacion`, paid or not.
    static func convenioSimple(_ d: inout DatosReporte, credito: String, delegacion: String, firma: Date, pagado: Bool) {
        d.cuentas.append(
            Cuenta(
                numeroCredito: credito, acreditado: "Persona Ficticia", delegacion: delegacion, despacho: "Agencia Norte",
                fechaAsignacion: "2026-11-02", segmento: .cobranzaAdministrativa, etiqueta: .susceptibleDeMediacion,
                tipoConvenio: .administrativo
            )
        )
        var caso = Caso(numeroCredito: credito, ronda: 1, estatus: .convenioFirmado, asesor: nil)
        caso.fechaAceptacion = firma.addingTimeInterval(-20 * 86_400)
        caso.mediador = "med.uno"
        sesion(&d, &caso, 1, firma.addingTimeInterval(-3600), celebrada: true)
        firmar(&d, &caso, .administrativo, "Reestructura", firma, monto: 100, factor: 0.1)
        if pagado {
            caso.primerPago = PrimerPago(monto: 100, fechaPago: CalendarioMX.fecha(firma).adding(days: 40), registrado: firma)
        }
        d.casos.append(caso)
    }

    static func mediador(_ usuario: String, _ nombre: String) -> Mediador {
        Mediador(
            usuario: usuario, nombre: nombre, numeroLicencia: "LIC-\(usuario)", certificado: true, numeroCertificado: "CERT-1", notario: true,
            agencia: "agencia.uno", registrado: mx(2026, 1, 1)
        )
    }
}
