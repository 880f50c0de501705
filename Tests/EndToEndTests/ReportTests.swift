import Foundation
import GestionServer
import Mediacion
import SyncCore
import Testing

/// Issue 5, part 4: the real `gestion-server admin report` for every report, as CSV and as
/// `.xlsx`, on a server whose cases went through the workflow (the domain's mutations applied by
/// the server's store, at chosen Mexico City times). The expected rows are written out by hand
/// from what the test did. LibreOffice (headless) opens every workbook and exports it to CSV; its
/// values must equal ours.
@Suite struct ReportTests {
    static let mes = "2027-01"

    /// The rows each report must hold for January 2027, header first; `delegacion-mensual` has a
    /// second table, written to `<file>-resumen.csv`.
    static let esperado: [String: [[String]]] = [
        "agencia-mensual": [
            [
                "Número de crédito", "Delegación", "Proveedor", "Etiqueta", "Fecha de asignación", "Aceptó el servicio de mediación",
                "Mediador", "Asistió a la sesión de mediación", "Causa de no asistencia", "Firmó convenio", "Tipo de convenio",
                "Solución o producto acordado", "Fecha de la sesión de mediación", "Fecha de firma del convenio",
                "Inscrito o ratificado ante CJA", "Fecha de inscripción ante CJA",
            ],
            [
                "4000000001", "Jalisco", "Agencia Norte", "susceptible de mediación", "2027-01-04", "Sí", "Mediadora Ficticia Uno", "Sí",
                "", "Sí", "Administrativo", "Reestructura con descuento", "2027-01-12", "2027-01-12", "No", "",
            ],
            [
                "4000000002", "Nuevo León", "Agencia Sur", "susceptible de mediación", "2026-12-20", "Sí", "Mediadora Ficticia Uno",
                "Sí", "", "Sí", "Ratificado", "Reestructura a plazo", "2027-01-31", "2027-01-31", "Sí", "2027-02-03",
            ],
            ["4000000003", "Nuevo León", "Agencia Norte", "susceptible de mediación", "2027-01-10", "No"] + Array(repeating: "", count: 10),
            [
                "4000000004", "Jalisco", "Agencia Sur", "susceptible de mediación", "2027-01-15", "Sí", "Mediadora Ficticia Uno", "Sí",
                "", "No", "", "", "2027-01-20", "", "", "",
            ],
            ["4000000005", "Jalisco", "Agencia Norte", "susceptible de mediación", "2027-01-25"] + Array(repeating: "", count: 11),
        ],
        "delegacion-mensual": [
            ["Delegación", "Número de crédito", "Proveedor", "Tipo de convenio", "Fecha de firma", "Primer pago", "Fecha del primer pago"],
            ["Jalisco", "4000000001", "Agencia Norte", "Administrativo", "2027-01-12", "Sí", "2027-01-20"],
            ["Nuevo León", "4000000002", "Agencia Sur", "Ratificado", "2027-01-31", "No", ""],
        ],
        "delegacion-mensual-resumen": [
            ["Delegación", "Convenios firmados", "Convenios con primer pago"], ["Jalisco", "1", "1"], ["Nuevo León", "1", "0"],
        ],
        "als": [
            [
                "Número de Crédito", "Acreditado(a)", "Convenio firmado", "Tipo de convenio", "Fecha de firma", "Factor de Pago",
                "Fecha de aprobación de la solución",
            ],
            ["4000000001", "Persona Ficticia Uno", "Reestructura con descuento", "Administrativo", "2027-01-12", "0.27", "2027-01-13"],
        ],
        "pagos": [
            ["Número de Crédito", "Acreditado(a)", "Monto del pago realizado", "Fecha de pago"],
            ["4000000001", "Persona Ficticia Uno", "1500.50", "2027-01-20"],
        ],
        "anec": [
            [
                "No. De Crédito", "Acreditado(a)", "Gerente de Cobranza de Delegación", "Número de Guía enviada", "Fecha Envío de Guía",
                "Delegación",
            ],
            ["4000000001", "Persona Ficticia Uno", "gerente.jalisco", "GUIA-E2E-1", "2027-01-28", "Jalisco"],
        ],
        "recuperacion-especializada": [
            [
                "Delegación", "Crédito", "Acreditado(a)", "Despacho", "Fecha de Asignación", "Resultado de la mediación",
                "Fecha del resultado",
            ],
            ["Jalisco", "4000000004", "Persona Ficticia Cuatro", "Agencia Sur", "2027-01-15", "Negativa de firma de convenio", "2027-01-20"],
            // Declined at 23:45 on 31 January in Mexico City: 1 February in UTC.
            ["Nuevo León", "4000000003", "Persona Ficticia Tres, con coma", "Agencia Norte", "2027-01-10", "Mediación no aceptada", "2027-01-31"],
        ],
    ]

    /// The sheet names of each workbook, in order, and the expected table of each.
    static let hojas: [String: [(hoja: String, tabla: String)]] = [
        "agencia-mensual": [("Informe mensual", "agencia-mensual")],
        "delegacion-mensual": [("Convenios", "delegacion-mensual"), ("Resumen", "delegacion-mensual-resumen")],
        "als": [("ALS", "als")], "pagos": [("Pagos", "pagos")], "anec": [("ANEC", "anec")],
        "recuperacion-especializada": [("Recuperación Especializada", "recuperacion-especializada")],
    ]

    @Test func everyReportInBothFormatsHasTheWorkflowsFigures() throws {
        let directory = TemporaryDirectory("reports")
        let server = try Self.servidorConCasos(directory)
        let salida = directory.url.appendingPathComponent("informes")
        try FileManager.default.createDirectory(at: salida, withIntermediateDirectories: true)

        var workbooks: [URL] = []
        for nombre in TipoReporte.allCases.map(\.rawValue) {
            let csv = salida.appendingPathComponent("\(nombre).csv")
            let result = try server.admin(["report", nombre, "--month", Self.mes, "--format", "csv", "--out", csv.path])
            let filas = (Self.esperado[nombre]?.count ?? 1) - 1
            #expect(result.stdout.hasPrefix("Wrote \(nombre) for \(Self.mes): \(filas) row\(filas == 1 ? "" : "s")"), "\(result.stdout)")
            #expect(result.stdout.split(separator: "\n").count == 1, "a one-line summary")
            let bytes = try Data(contentsOf: csv)
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "\(nombre).csv starts with the UTF-8 byte order mark")
            #expect(try Self.leerCSV(csv) == Self.esperado[nombre], "\(nombre).csv")

            let xlsx = salida.appendingPathComponent("\(nombre).xlsx")
            try server.admin(["report", nombre, "--month", Self.mes, "--out", xlsx.path])  // the format from the extension
            let zip = try Data(contentsOf: xlsx)
            #expect(zip.starts(with: [0x50, 0x4B, 0x03, 0x04]), "\(nombre).xlsx is a ZIP package")
            workbooks.append(xlsx)
        }
        let resumen = salida.appendingPathComponent("delegacion-mensual-resumen.csv")
        #expect(try Self.leerCSV(resumen) == Self.esperado["delegacion-mensual-resumen"])
        #expect(
            try server.admin(["report", "delegacion-mensual", "--month", Self.mes, "--out", salida.appendingPathComponent("dr.csv").path])
                .stdout.contains("2 rows (Convenios: 2, Resumen: 2)")
        )

        // February: the solution of the convenio signed at 23:30 on 31 January was approved on 2 February.
        let febrero = salida.appendingPathComponent("als-febrero.csv")
        try server.admin(["report", "als", "--month", "2027-02", "--out", febrero.path])
        #expect(try Self.leerCSV(febrero).dropFirst().map { $0.first } == ["4000000002"])

        // The Gerencia de Mediación y Convenios may ask for reports; one delegación only.
        let nuevoLeon = salida.appendingPathComponent("re-nuevo-leon.csv")
        try server.admin(
            ["report", "recuperacion-especializada", "--month", Self.mes, "--delegacion", "nuevo leon", "--out", nuevoLeon.path],
            as: "gerencia.uno"
        )
        #expect(try Self.leerCSV(nuevoLeon) == [Self.esperado["recuperacion-especializada"]![0], Self.esperado["recuperacion-especializada"]![2]])

        try Self.libreOfficeExportsTheSameValues(workbooks, salida: salida, directory: directory)

        // Every request is in the audit trail, which still verifies.
        let auditados = try Self.auditoria(server)
        #expect(auditados.count == TipoReporte.allCases.count * 2 + 3)
        #expect(auditados.contains { $0.actor == "gerencia.uno" && $0.subjects.contains("report/recuperacion-especializada") && $0.subjects.contains("month/2027-01") && $0.outcome == "ok:1 rows, csv" })
        #expect(auditados.allSatisfy { $0.outcome.hasPrefix("ok:") })
        #expect(try server.admin(["audit", "verify"]).status == 0)
    }

    @Test func badRequestsAreRefusedClearly() throws {
        let directory = TemporaryDirectory("reports-errors")
        let server = try TestServer(directory: directory, users: ["gerencia.uno": "mediacion"], accountsCSV: Self.cuentasCSV, importedOn: Self.importacion)
        server.stop()
        let out = directory.path("pagos.csv")

        let desconocido = try server.admin(["report", "informe-anual", "--month", "2027-01", "--out", out], expectSuccess: false)
        #expect(desconocido.status == 64)
        #expect(desconocido.stderr.contains("Unknown report 'informe-anual'. Reports: \(TipoReporte.nombres)."))
        #expect(TipoReporte.nombres == "agencia-mensual, delegacion-mensual, als, pagos, anec, recuperacion-especializada")

        for mes in ["2027-13", "2027-1", "enero", "2027-01-31"] {
            let malo = try server.admin(["report", "pagos", "--month", mes, "--out", out], expectSuccess: false)
            #expect(malo.status == 64, "\(mes)")
            #expect(malo.stderr.contains("'--month' must be a calendar month like 2027-01 (YYYY-MM)."), "\(mes)")
        }
        let sinMes = try server.admin(["report", "pagos", "--out", out], expectSuccess: false)
        #expect(sinMes.status == 64 && sinMes.stderr.contains("Missing '--month'."))
        let formatos = try server.admin(["report", "pagos", "--month", "2027-01", "--format", "csv", "--out", directory.path("p.xlsx")], expectSuccess: false)
        #expect(formatos.status == 64 && formatos.stderr.contains("'--format csv' but '--out' ends in .xlsx."))

        // Never overwrite silently.
        try "no tocar\n".write(toFile: out, atomically: true, encoding: .utf8)
        let existe = try server.admin(["report", "pagos", "--month", "2027-01", "--out", out], expectSuccess: false)
        #expect(existe.status == 1)
        #expect(existe.stderr.contains("already exists; add --force to replace it."))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "no tocar\n")
        try server.admin(["report", "pagos", "--month", "2027-01", "--out", out, "--force"])
        #expect(try Self.leerCSV(URL(fileURLWithPath: out)) == [["Número de Crédito", "Acreditado(a)", "Monto del pago realizado", "Fecha de pago"]])

        let sinDirectorio = try server.admin(["report", "pagos", "--month", "2027-01", "--out", directory.path("no-existe/p.csv")], expectSuccess: false)
        #expect(sinDirectorio.status == 1 && sinDirectorio.stderr.contains("does not exist"))
        let directorio = try server.admin(["report", "pagos", "--month", "2027-01", "--format", "csv", "--out", directory.url.path, "--force"], expectSuccess: false)
        #expect(directorio.status == 1 && directorio.stderr.contains("it is a directory"))

        let delegacion = try server.admin(["report", "pagos", "--month", "2027-01", "--delegacion", "Sonora", "--out", directory.path("s.csv")], expectSuccess: false)
        #expect(delegacion.status == 64)
        #expect(delegacion.stderr.contains("No account belongs to the delegación 'Sonora'. Delegaciones: Jalisco, Nuevo León."))

        // Usage errors stop before the store is opened; the failures after authorization are audited.
        let auditados = try Self.auditoria(server)
        #expect(auditados.filter { $0.outcome.hasPrefix("failed:") }.count == 4)
        #expect(auditados.filter { $0.outcome.hasPrefix("ok:") }.count == 1)
        let ayuda = try server.admin(["report", "--help"])
        #expect(ayuda.stdout.contains("USAGE: gestion-server admin report"))
        #expect(ayuda.stdout.contains("recuperacion-especializada  Asignación a Recuperación Especializada (Requisitos de salidas: PR-SGAC-107)"))
    }

    // MARK: The dataset

    /// The day the assignment is imported: after its last assignment date.
    static let importacion = mx(2027, 1, 26)

    static let cuentasCSV = """
        numeroCredito,acreditado,delegacion,despacho,fechaAsignacion,segmento,etiqueta,tipoConvenio,conveniosIncumplidos
        4000000001,Persona Ficticia Uno,Jalisco,Agencia Norte,2027-01-04,Cobranza Administrativa,susceptible de mediación,Administrativo,0
        4000000002,Persona Ficticia Dos,Nuevo León,Agencia Sur,2026-12-20,Cobranza Administrativa,susceptible de mediación,Ratificado,0
        4000000003,"Persona Ficticia Tres, con coma",Nuevo León,Agencia Norte,2027-01-10,Cobranza Administrativa,susceptible de mediación,Administrativo,0
        4000000004,Persona Ficticia Cuatro,Jalisco,Agencia Sur,2027-01-15,Cobranza Administrativa,susceptible de mediación,Administrativo,0
        4000000005,Persona Ficticia Cinco,Jalisco,Agencia Norte,2027-01-25,Cobranza Administrativa,susceptible de mediación,Administrativo,0

        """

    /// A server whose accounts were imported by the real admin command and whose cases went
    /// through the workflow at chosen Mexico City times.
    static func servidorConCasos(_ directory: TemporaryDirectory) throws -> TestServer {
        let server = try TestServer(
            directory: directory,
            users: [
                "asesor.uno": "asesor", "agencia.uno": "agencia:Agencia Norte", "mediador.uno": "mediador",
                "gerente.jalisco": "delegacion:Jalisco", "gerente.nl": "delegacion:Nuevo León", "gerencia.uno": "mediacion",
            ],
            accountsCSV: cuentasCSV, importedOn: importacion
        )
        server.stop()
        let store = try SQLiteSyncStore(directory: server.dataDirectory)
        defer { store.close() }
        let w = Workflow(store: store)
        let (asesor, agencia, mediador) = (("asesor.uno", Rol.asesor), ("agencia.uno", Rol.agencia), ("mediador.uno", Rol.mediador))
        let (jalisco, nuevoLeon) = (("gerente.jalisco", Rol.delegacion), ("gerente.nl", Rol.delegacion))

        try w.run(
            RegistrarMediador(usuario: "mediador.uno", nombre: "Mediadora Ficticia Uno", numeroLicencia: "LIC-1", certificado: true, numeroCertificado: "CERT-1"),
            agencia, mx(2026, 12, 1)
        )
        try w.run(RegistrarRepresentante(clave: "REP-1", nombre: "Representante Ficticio", poderesLegales: true), agencia, mx(2026, 12, 1))

        // 1: Jalisco, assigned in January: signed, approved, paid, and its expediente shipped to the ANEC.
        let uno = "4000000001"
        try w.distributed(uno, accepted: mx(2027, 1, 5, 10), asesor: asesor, agencia: agencia)
        try w.run(AgendarSesion(numeroCredito: uno, fechaHora: mx(2027, 1, 12, 10), medioConvocatoria: .whatsapp), mediador, mx(2027, 1, 6, 9))
        try w.held(uno, mediador, mx(2027, 1, 12, 11))
        try w.run(w.signature(uno, .administrativo, "Reestructura con descuento", 1500.5, 0.27, limit: "2027-02-11"), mediador, mx(2027, 1, 12, 11, 30))
        try w.run(EnviarConvenioDR(numeroCredito: uno), mediador, mx(2027, 1, 12, 13))
        try w.run(AprobarSolucion(numeroCredito: uno), jalisco, mx(2027, 1, 13, 10))
        try w.run(RegistrarPrimerPago(numeroCredito: uno, monto: 1500.5, fechaPago: FechaCivil("2027-01-20")!), agencia, mx(2027, 1, 20, 12))
        try w.run(
            EntregarExpediente(numeroCredito: uno, documentos: DocumentoExpediente.requeridos(firmado: true, tipo: .administrativo)),
            mediador, mx(2027, 1, 21, 10)
        )
        try w.run(AceptarExpediente(numeroCredito: uno), jalisco, mx(2027, 1, 21, 12))
        try w.run(DigitalizarExpediente(numeroCredito: uno), jalisco, mx(2027, 1, 22, 10))
        try w.run(EnviarExpedienteANEC(numeroCredito: uno, numeroGuia: "GUIA-E2E-1", fechaEnvio: FechaCivil("2027-01-28")!), jalisco, mx(2027, 1, 28, 18))

        // 2: Nuevo León, assigned in December; Ratificado, signed at 23:30 on 31 January in Mexico
        // City (1 February in UTC); approved and inscribed at the CJA in February.
        let dos = "4000000002"
        try w.distributed(dos, accepted: mx(2026, 12, 21, 10), asesor: asesor, agencia: agencia)
        try w.run(AgendarSesion(numeroCredito: dos, fechaHora: mx(2027, 1, 31, 20), medioConvocatoria: .correoElectronico), mediador, mx(2026, 12, 28, 9))
        try w.held(dos, mediador, mx(2027, 1, 31, 21))
        try w.run(w.signature(dos, .ratificado, "Reestructura a plazo", 900, 0.25, limit: "2027-03-02"), mediador, mx(2027, 1, 31, 23, 30))
        try w.run(EnviarConvenioDR(numeroCredito: dos), mediador, mx(2027, 2, 1, 9))
        try w.run(AprobarSolucion(numeroCredito: dos), nuevoLeon, mx(2027, 2, 2, 10))
        try w.run(
            InscribirConvenioCJA(numeroCredito: dos, fechaInscripcion: FechaCivil("2027-02-03")!, numeroInscripcion: "CJA-77", autoridad: "CJA Nuevo León"),
            mediador, mx(2027, 2, 3, 12)
        )

        // 3: Nuevo León; the borrower declined at 23:45 on 31 January.
        try w.run(RegistrarNoAceptacion(numeroCredito: "4000000003"), asesor, mx(2027, 1, 31, 23, 45))

        // 4: Jalisco; attended, refused to sign.
        let cuatro = "4000000004"
        try w.distributed(cuatro, accepted: mx(2027, 1, 16, 10), asesor: asesor, agencia: agencia)
        try w.run(AgendarSesion(numeroCredito: cuatro, fechaHora: mx(2027, 1, 20, 10), medioConvocatoria: .mensajeSMS), mediador, mx(2027, 1, 17, 9))
        try w.held(cuatro, mediador, mx(2027, 1, 20, 11))
        try w.run(RegistrarNegativaFirma(numeroCredito: cuatro, causa: .sinIngresos), mediador, mx(2027, 1, 20, 12))

        // 5: Jalisco, assigned on 25 January, not visited yet.
        return server
    }

    /// Applies the domain's mutations through the server's store, each as its user at its time.
    struct Workflow {
        let store: SQLiteSyncStore

        func run(
            _ mutation: some Mutation, _ actor: (String, Rol), _ at: Date, sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let name = type(of: mutation).name
            let report = try store.applyServerMutations(
                [ServerMutation(name: name, args: try JSONValueEncoder().encode(mutation).objectValue ?? [:])],
                author: MutationAuthor(userID: actor.0, role: actor.1.rawValue, clientID: "prueba-\(actor.0)"),
                registry: Mediacion.registry, at: at, atomically: true
            )
            #expect(report.committed, "\(name): \(report.results.first?.message ?? "")", sourceLocation: sourceLocation)
        }

        /// Accepted, approved, given a representative and distributed to `mediador.uno`.
        func distributed(_ credito: String, accepted: Date, asesor: (String, Rol), agencia: (String, Rol)) throws {
            try run(RegistrarAceptacion(numeroCredito: credito), asesor, accepted)
            try run(AprobarCaso(numeroCredito: credito), agencia, accepted.addingTimeInterval(3600))
            try run(DistribuirCaso(numeroCredito: credito, mediador: "mediador.uno"), agencia, accepted.addingTimeInterval(3700))
            try run(DesignarRepresentante(numeroCredito: credito, representante: "REP-1"), agencia, accepted.addingTimeInterval(3800))
        }

        func held(_ credito: String, _ mediador: (String, Rol), _ at: Date) throws {
            try run(
                RegistrarSesionCelebrada(
                    numeroCredito: credito, verificacion: VerificacionSesion(acuerdosConstruidos: true),
                    identificacionAcreditado: .credencialParaVotar, asistioRepresentante: true
                ),
                mediador, at
            )
        }

        func signature(_ credito: String, _ tipo: TipoConvenio, _ solucion: String, _ monto: Double, _ factor: Double, limit: String) -> FirmarConvenio {
            FirmarConvenio(
                numeroCredito: credito, tipoConvenio: tipo, solucion: solucion, montoPago: monto, fechaLimitePrimerPago: FechaCivil(limit)!,
                factorPago: factor
            )
        }
    }

    /// Mexico City wall time (UTC−6 all year since 2022).
    static func mx(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 12, _ minute: Int = 0) -> Date {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        return utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!.addingTimeInterval(6 * 3600)
    }

    // MARK: LibreOffice

    /// Converts every workbook in one `soffice --headless` run (every sheet to `NAME-SHEET.csv`)
    /// and compares each sheet with the expected rows and with our own CSV.
    static func libreOfficeExportsTheSameValues(_ workbooks: [URL], salida: URL, directory: TemporaryDirectory) throws {
        guard let soffice = buscarPrograma("soffice") else {
            print("LibreOffice not installed: skipping the .xlsx check of the reports (apt-get install libreoffice-calc-nogui to run it)")
            return
        }
        let exportados = directory.url.appendingPathComponent("libreoffice")
        // Options: comma, double quote, UTF-8, from line 1, …, values as shown, …, every sheet (-1).
        let process = try RunningProcess(
            URL(fileURLWithPath: soffice),
            [
                "-env:UserInstallation=file://\(directory.url.path)/perfil-libreoffice", "--headless", "--norestore",
                "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
                "--outdir", exportados.path,
            ] + workbooks.map(\.path)
        )
        let started = Date()
        if !waitUntil(timeout: 300, { !process.process.isRunning }) {
            process.kill()
            Issue.record("LibreOffice did not finish converting the workbooks within 300 s")
            return
        }
        let result = process.wait()
        print("LibreOffice converted \(workbooks.count) workbooks in \(Int(Date().timeIntervalSince(started))) s")
        try #require(result.status == 0, "soffice failed: \(result.stdout) \(result.stderr)")
        for (nombre, hojas) in hojas {
            for (hoja, tabla) in hojas {
                let exportado = exportados.appendingPathComponent("\(nombre)-\(hoja).csv")
                guard FileManager.default.fileExists(atPath: exportado.path) else {
                    Issue.record("LibreOffice wrote no \(exportado.lastPathComponent): \(result.stdout) \(result.stderr)")
                    continue
                }
                let valores = try leerCSV(exportado)
                #expect(valores == esperado[tabla], "\(nombre).xlsx, sheet \(hoja)")
                let nuestro = salida.appendingPathComponent(tabla == nombre ? "\(nombre).csv" : "\(tabla).csv")
                #expect(valores == (try leerCSV(nuestro)), "\(nombre).xlsx, sheet \(hoja) and our CSV")
            }
        }
    }

    static func buscarPrograma(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    // MARK: Reading

    /// A CSV file as rows of fields (RFC 4180), without its byte order mark.
    static func leerCSV(_ url: URL) throws -> [[String]] {
        var text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\r\n" || c == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    struct Auditado {
        var actor: String
        var subjects: String
        var outcome: String
    }

    /// The audit entries of `admin report`.
    static func auditoria(_ server: TestServer) throws -> [Auditado] {
        let path = server.dataDirectory.appendingPathComponent("server.sqlite").path
        let filas = try Tables.value(ofFile: path, "SELECT COUNT(*) FROM audit_log WHERE action = 'report'").flatMap { Int($0) } ?? 0
        return try (0..<filas).map { index in
            func value(_ column: String) throws -> String {
                try Tables.value(ofFile: path, "SELECT \(column) FROM audit_log WHERE action = 'report' ORDER BY seq LIMIT 1 OFFSET \(index)") ?? ""
            }
            return Auditado(actor: try value("actor"), subjects: try value("subjects"), outcome: try value("outcome"))
        }
    }
}
