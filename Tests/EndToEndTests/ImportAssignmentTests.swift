import Foundation
import GestionProtocol
import GestionSQLite
import SyncCore
import TestFixtures
import Testing

/// Issue 5, part 1: `gestion-server admin import-assignment`, through the real executable.
@Suite struct ImportAssignmentTests {
    // MARK: Files as operators' spreadsheets write them (made-up people only)

    static let spanishHeader = [
        "Número de crédito", "Acreditado", "Delegación", "Despacho", "Fecha de asignación", "Segmento", "Etiqueta",
        "Tipo de convenio", "Convenios incumplidos", "Asesor", "Entrada", "Criterio de exclusión",
    ]

    /// One row; values default to a valid monthly-assignment row.
    struct Fila {
        var credito: String
        var acreditado = "Persona Ficticia"
        var delegacion = "Delegación Ejemplo"
        var despacho = "Agencia Ejemplo"
        var fecha = "03/11/2025"
        var segmento = "Cobranza Administrativa"
        var etiqueta = "susceptible de mediación"
        var tipo = "Administrativo"
        var incumplidos = ""
        var asesor = ""
        var entrada = ""
        var criterio = ""

        var values: [String] {
            [credito, acreditado, delegacion, despacho, fecha, segmento, etiqueta, tipo, incumplidos, asesor, entrada, criterio]
        }
    }

    /// A CSV line: fields quoted when they need it.
    static func line(_ values: [String], separator: String = ",") -> String {
        values.map { value in
            value.contains(separator) || value.contains("\"") || value.contains("\n") || value.contains("\r")
                ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }.joined(separator: separator)
    }

    static func file(_ filas: [Fila], separator: String = ",") -> String {
        ([spanishHeader] + filas.map(\.values)).map { line($0, separator: separator) }.joined(separator: "\r\n") + "\r\n"
    }

    /// The rows of a report (UTF-8 with BOM, comma-separated, quoted fields on one line each).
    static func reportRows(_ path: String) throws -> [[String]] {
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]), "the report opens in Excel with its accents")
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        return text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { line in
            var fields: [String] = []
            var field = ""
            var quoted = false
            var iterator = Array(line).makeIterator()
            var pending: Character?
            while let ch = pending ?? iterator.next() {
                pending = nil
                if quoted {
                    if ch == "\"" {
                        if let next = iterator.next(), next == "\"" { field.append("\"") } else { quoted = false; pending = nil }
                    } else {
                        field.append(ch)
                    }
                } else if ch == "\"" {
                    quoted = true
                } else if ch == "," {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(ch)
                }
            }
            fields.append(field)
            return fields
        }
    }

    static func scalar(_ server: TestServer, _ sql: String) throws -> Int64 {
        try Tables.serverScalar(server, sql)?.int64 ?? -1
    }

    /// What an import may change: versions, records, results, audit entries.
    struct Footprint: Equatable {
        var version: Int64
        var records: Int64
        var results: Int64
        var audit: Int64

        init(_ server: TestServer) throws {
            version = try scalar(server, "SELECT COALESCE(MAX(version), 0) FROM change_sets")
            records = try scalar(server, "SELECT COUNT(*) FROM records")
            results = try scalar(server, "SELECT COUNT(*) FROM mutation_results")
            audit = try scalar(server, "SELECT COUNT(*) FROM audit_log")
        }
    }

    // MARK: 50,000 rows

    @Test(.timeLimit(.minutes(10)))
    func fiftyThousandRowsImportThenImportAgainChangesNothing() async throws {
        let directory = TemporaryDirectory("import-50k")
        let server = try TestServer(directory: directory, users: ["operacion.uno": "operacion"])
        let count = 50_000
        // As Excel in Mexico saves "CSV": Windows-1252, semicolons, Spanish headers, day/month/year.
        var text = Self.spanishHeader.prefix(8).joined(separator: ";") + "\r\n"
        let segmentos = ["Cobranza Administrativa", "Recuperación Especializada"]
        let tipos = ["Administrativo", "Ratificado", "Notarial"]
        for n in 1...count {
            text += "\(Fixtures.credito(n));Persona Ficticia Número \(n);Delegación Ejemplo \(n % 7);Agencia Ejemplo;"
                + "\(String(format: "%02d", n % 28 + 1))/10/2025;\(segmentos[n % 2]);susceptible de mediación;\(tipos[n % 3])\r\n"
        }
        let file = directory.path("asignacion-50k.csv")
        try #require(text.data(using: .windowsCP1252)).write(to: URL(fileURLWithPath: file))

        let clock = ContinuousClock()
        var first: ProcessResult?
        let firstTime = try clock.measure { first = try server.admin(["import-assignment", file], as: "operacion.uno") }
        let firstRun = try #require(first)
        #expect(firstRun.status == 0, "\(firstRun.stderr)")
        #expect(firstRun.stdout.contains("Read asignacion-50k.csv: Windows-1252 (Latin-1), separator ';' (semicolon), 50,000 rows."))
        #expect(firstRun.stdout.contains("Imported 50,000 rows: 50,000 new, 0 changed, 0 unchanged"))
        #expect(!firstRun.stderr.contains("\r"), "no progress bar when standard error is not a terminal")
        #expect(try Self.scalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'cuentas'") == Int64(count))
        let acento = try #require(
            try Tables.serverScalar(server, "SELECT body FROM records WHERE collection = 'cuentas' AND id = '\(Fixtures.credito(2))'")?.string
        )
        #expect(acento.contains("\"segmento\":\"Cobranza Administrativa\""))
        #expect(try Tables.serverScalar(server, "SELECT body FROM records WHERE id = '\(Fixtures.credito(1))'")?.string?
            .contains("\"segmento\":\"Recuperación Especializada\"") == true, "Windows-1252 accents arrive as written")
        let afterFirst = try Footprint(server)

        var second: ProcessResult?
        let secondTime = try clock.measure { second = try server.admin(["import-assignment", file], as: "operacion.uno") }
        let secondRun = try #require(second)
        #expect(secondRun.status == 0, "\(secondRun.stderr)")
        #expect(secondRun.stdout.contains("Imported 50,000 rows: 0 new, 0 changed, 50,000 unchanged"))
        var expected = afterFirst
        expected.audit += 1  // the import itself, with its counts
        #expect(try Footprint(server) == expected, "no new version, record, result or audit entry per row")

        // A device that synced after the first import finds nothing to pull.
        let raw = RawClient(base: server.url)
        let clientID = UUID().uuidString.lowercased()
        let token = try await raw.login(user: "operacion.uno", clientID: clientID)
        let pull = try await raw.post(
            "/sync/pull", PullRequest(clientId: clientID, cursor: afterFirst.version, resultsAfter: 0), token: token
        )
        #expect(pull.status == 200)
        #expect(pull.json?["changeSets"]?.arrayValue?.count == 0)
        #expect(pull.json?["cursor"]?.int64Value == afterFirst.version)

        let audit = try server.admin(["audit", "export"]).stdout
        #expect(audit.contains("ok:50000 rows, 50000 new, 0 changed, 0 unchanged"))
        #expect(audit.contains("ok:50000 rows, 0 new, 0 changed, 50000 unchanged"))
        print("import-assignment of \(count) rows: first \(firstTime), again \(secondTime)")
    }

    // MARK: Every kind of bad row

    @Test func everyKindOfBadRowIsReportedAndNothingIsImported() async throws {
        let directory = TemporaryDirectory("import-errors")
        let server = try TestServer(
            directory: directory,
            users: ["asesor.uno": "asesor", "asesor.baja": "asesor", "agencia.uno": "agencia", "operacion.uno": "operacion"]
        )
        // What Gestión Móvil already holds: an account whose round is open, an excluded one.
        let abierta = Fixtures.credito(901)
        let excluida = Fixtures.credito(902)
        let preparacion = directory.path("preparacion.csv")
        try Self.file([Fila(credito: abierta), Fila(credito: excluida)]).write(toFile: preparacion, atomically: true, encoding: .utf8)
        try server.admin(["import-assignment", preparacion])
        try Self.file([Fila(credito: abierta), Fila(credito: excluida, criterio: "Demanda")])
            .write(toFile: preparacion, atomically: true, encoding: .utf8)
        try server.admin(["import-assignment", preparacion])
        let telefono = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try telefono.login(server)
        try telefono.ok(["sync"])
        try telefono.ok(["aceptar", abierta])
        try telefono.ok(["sync"])
        try disable("asesor.baja", in: server)
        let before = try Footprint(server)
        let recordsBefore = try Tables.serverRecords(server)

        // Each bad row: the line of the file where it starts, the column the report names, words of the reason.
        var lines: [String] = []
        var expected: [(row: Int, field: String, reason: String)] = []
        var nextLine = 2
        var n = 100
        @discardableResult
        func raw(_ text: String, _ field: String, _ reason: String) -> Int {
            let row = nextLine
            lines.append(text)
            expected.append((row, field, reason))
            nextLine += 1 + text.filter { $0 == "\n" }.count
            return row
        }
        @discardableResult
        func add(_ fila: (inout Fila) -> Void, _ field: String, _ reason: String, extra: String = "") -> Int {
            n += 1
            var row = Fila(credito: Fixtures.credito(n))
            fila(&row)
            return raw(Self.line(row.values + [extra]), field, reason)
        }
        let valid = Fila(credito: Fixtures.credito(99)).values + [""]
        var rowText = valid
        rowText[1] = "Persona \"Chuy\" Ficticia"
        raw(rowText.joined(separator: ","), "Acreditado", "a quote inside a field")
        raw(Self.line(valid.dropLast() + ["nota", "otra"]), "", "14 values where the header has 13 columns")
        raw(Self.line(Array(valid.prefix(8))), "", "8 values where the header has 13 columns")
        add({ _ in }, "column 13", "column without a name", extra: "nota")
        add({ $0.credito = "" }, "Número de crédito", "Empty: every row needs the Número de crédito")
        add({ $0.credito = "1.00000E+09" }, "Número de crédito", "scientific notation")
        add({ $0.credito = "1000000107.0" }, "Número de crédito", "with decimals")
        add({ $0.credito = "10000-00108" }, "Número de crédito", "characters other than digits")
        add({ $0.credito = "100000109" }, "Número de crédito", "Has 9 digits")
        add({ $0.credito = "12345" }, "Número de crédito", "Has 5 digits; a credit number has 10")
        add({ $0.acreditado = "" }, "Acreditado", "Empty: every row needs the Acreditado")
        let sinLetras = add({ $0.acreditado = "12345" }, "Acreditado", "has no letters")
        let repetido = Fixtures.credito(n)
        add({ $0.credito = repetido }, "Número de crédito", "same credit number is in row \(sinLetras): each credit appears once")
        add({ $0.acreditado = "Persona\nFicticia" }, "Acreditado", "line break")
        add({ $0.delegacion = "Delegación\u{07}Ejemplo" }, "Delegación", "invisible control character")
        add({ $0.despacho = "Agencia Ejempl\u{FFFD}" }, "Despacho", "lost converting the file")
        add({ $0.despacho = String(repeating: "Agencia-", count: 30) }, "Despacho", "240 characters: at most 200")
        add({ $0.fecha = "" }, "Fecha de asignación", "Empty: every row needs the Fecha de asignación")
        add({ $0.fecha = "3 de noviembre de 2025" }, "Fecha de asignación", "is not a date")
        add({ $0.fecha = "03/11/25" }, "Fecha de asignación", "two-digit year")
        add({ $0.fecha = "03/11/2025 10:30" }, "Fecha de asignación", "has a time")
        add({ $0.fecha = "45964" }, "Fecha de asignación", "a spreadsheet's number for a date (2025-11-03?)")
        add({ $0.fecha = "31/11/2025" }, "Fecha de asignación", "“31/11/2025” is not a real date")
        add({ $0.fecha = "11/25/2025" }, "Fecha de asignación", "puts the month first")
        add({ $0.fecha = "03/11/2099" }, "Fecha de asignación", "2099-11-03 is after today")
        add({ $0.segmento = "Cobranza" }, "Segmento", "“Cobranza” is not a segment; write \"Cobranza Administrativa\" or \"Recuperación Especializada\"")
        add({ $0.etiqueta = "Susceptible de conciliación" }, "Etiqueta", "is not a label")
        add({ $0.tipo = "Judicial" }, "Tipo de convenio", "“Judicial” is not a convenio type; write \"Ratificado\", \"Notarial\" or \"Administrativo\"")
        add({ $0.criterio = "Cliente molesto" }, "Criterio de exclusión", "is not an exclusion criterion")
        add({ $0.entrada = "D" }, "Entrada", "“D” is not an entry")
        add({ $0.incumplidos = "uno" }, "Convenios incumplidos", "is not a whole number")
        add({ $0.incumplidos = "-1" }, "Convenios incumplidos", "below zero")
        add({ $0.incumplidos = "3" }, "Convenios incumplidos", "more than 2")
        add({ $0.entrada = "B" }, "Entrada", "Entry B (Anexo 1 B) is for accounts of the segment “Recuperación Especializada”")
        add({ $0.entrada = "C" }, "Entrada", "labels accounts “susceptible de re-mediación”")
        add({ $0.asesor = "Asesor Uno" }, "Asesor", "is not a user name")
        add({ $0.asesor = "asesor.fantasma" }, "Asesor", "There is no user “asesor.fantasma”")
        add({ $0.asesor = "agencia.uno" }, "Asesor", "has the role agencia, not asesor")
        add({ $0.asesor = "asesor.baja" }, "Asesor", "is disabled")
        add({ $0.entrada = "A" }, "Entrada", "this credit has no proposal in Gestión Móvil")
        add(
            { $0.credito = abierta; $0.entrada = "C"; $0.etiqueta = "susceptible de re-mediación" }, "Entrada",
            "starts only after the current round ended; its case has status “En Mediación”"
        )
        add(
            { $0.credito = excluida; $0.entrada = "C"; $0.etiqueta = "susceptible de re-mediación" }, "Entrada",
            "The credit was excluded from mediation (“Créditos con demanda o etapa procesal posterior”)"
        )
        // A good row among the bad ones is not imported either.
        lines.append(Self.line(Fila(credito: Fixtures.credito(98)).values + [""]))

        let file = directory.path("noviembre.csv")
        try ((Self.spanishHeader + [""]).joined(separator: ",") + "\n" + lines.joined(separator: "\n") + "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try server.admin(["import-assignment", file], expectSuccess: false, as: "operacion.uno")
        #expect(result.status == 1)
        #expect(result.stderr.contains("Nothing was imported: \(expected.count) problems in \(expected.count) rows"))
        #expect(result.stderr.contains("the full list is in \(directory.path("noviembre.errores.csv"))"))
        #expect(result.stderr.contains("By kind:"))
        #expect(result.stderr.contains("Row 2: Acreditado: Not valid CSV"))

        let report = try Self.reportRows(directory.path("noviembre.errores.csv"))
        #expect(report.first == ["row", "field", "reason"])
        let problems = report.dropFirst()
        #expect(problems.count == expected.count, "one problem per bad row: \(problems.map { $0.joined(separator: " | ") })")
        for wanted in expected {
            let found = problems.contains { $0.count == 3 && $0[0] == String(wanted.row) && $0[1] == wanted.field && $0[2].contains(wanted.reason) }
            #expect(found, "row \(wanted.row) \(wanted.field): \(wanted.reason)")
        }
        let kinds = result.stderr.components(separatedBy: "By kind:\n").last?.components(separatedBy: "The first").first?
            .split(separator: "\n") ?? []
        #expect(kinds.count >= 30, "thirty kinds of bad rows, counted on screen: \(kinds)")
        let everything = report.flatMap { $0 }.joined(separator: "\n")
        #expect(!everything.contains("Ficticia"), "no borrower's name in the report")
        #expect(!everything.contains(abierta) && !everything.contains(Fixtures.credito(98)), "no credit number either")

        #expect(try Footprint(server) == Footprint(audit: before.audit + 1, of: before), "only the refusal is audited")
        #expect(try Tables.serverRecords(server) == recordsBefore, "nothing was imported")
        let audit = try server.admin(["audit", "export"]).stdout
        #expect(audit.contains("\"outcome\":\"rejected:\(expected.count) problems in \(expected.count) rows\""))
    }

    @Test func aHeaderThatCannotBeReadStopsBeforeTheRows() throws {
        let directory = TemporaryDirectory("import-header")
        let server = try TestServer(directory: directory)
        let file = directory.path("cuentas.csv")
        try "Número de crédito;Nombre completo;Delegación;DELEGACION;Despacho;Segmento;Etiqueta;Tipo de convenio\n1000000001;A;B;C;D;E;F;G\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let report = directory.path("informe.csv")
        let result = try server.admin(["import-assignment", file, "--report", report], expectSuccess: false)
        #expect(result.status == 1)
        let rows = try Self.reportRows(report).dropFirst().map { $0.joined(separator: ";") }
        #expect(rows.count == 4)
        #expect(rows.contains { $0.hasPrefix("1;Nombre completo;Unknown column. The columns are: Número de crédito (numeroCredito)") })
        #expect(rows.contains("1;DELEGACION;The column Delegación is already in the header as “Delegación”."))
        #expect(rows.contains("1;Acreditado;The header lacks the column Acreditado (or acreditado); every row needs it."))
        #expect(rows.contains { $0.hasPrefix("1;Fecha de asignación;The header lacks the column") })
        #expect(!FileManager.default.fileExists(atPath: directory.path("cuentas.errores.csv")), "the report went where asked")

        let original = try String(contentsOfFile: file, encoding: .utf8)
        let overwrite = try server.admin(["import-assignment", file, "--report", file], expectSuccess: false)
        #expect(overwrite.status == 64)
        #expect(overwrite.stderr.contains("'--report' names the file to import"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == original)
    }

    // MARK: Dry run, entries and exclusions

    @Test func aDryRunChangesNothingAndSaysWhatImportingWouldDo() throws {
        let directory = TemporaryDirectory("import-dry-run")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"])
        let setup = directory.path("octubre.csv")
        try Self.file((1...4).map { Fila(credito: Fixtures.credito($0)) }).write(toFile: setup, atomically: true, encoding: .utf8)
        try server.admin(["import-assignment", setup])
        // The borrower of account 3 refused: its round ended; it may be labelled for re-mediation.
        let telefono = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try telefono.login(server)
        try telefono.ok(["sync"])
        try telefono.ok(["no-acepta", Fixtures.credito(3)])
        try telefono.ok(["sync"])

        let file = directory.path("noviembre.csv")
        try Self.file(
            [
                Fila(credito: Fixtures.credito(1)),
                Fila(credito: Fixtures.credito(2), tipo: "Convenio de Mediación Ratificado"),
                Fila(credito: Fixtures.credito(3), fecha: "2025-12-01", etiqueta: "Susceptible de Re-Mediación", tipo: "notarial", entrada: "C"),
                Fila(credito: Fixtures.credito(4), criterio: "Reestructura activa"),
                Fila(credito: Fixtures.credito(60), criterio: "DAVI"),
                Fila(credito: Fixtures.credito(70), segmento: "RE", entrada: "B"),
            ],
            separator: ";"
        ).write(toFile: file, atomically: true, encoding: .utf8)
        let before = try Footprint(server)
        let recordsBefore = try Tables.serverRecords(server)

        let dry = try server.admin(["import-assignment", "--dry-run", file])
        let wouldDo = "1 new, 1 changed, 1 unchanged, 1 re-mediation (new round), 2 excluded (1 in Gestión Móvil excluded now, 1 not loaded)"
        #expect(dry.stdout.contains("Dry run: nothing was changed. Importing 6 rows would give: \(wouldDo)."))
        #expect(try Footprint(server) == before, "no version, record, result or audit entry")
        #expect(try Tables.serverRecords(server) == recordsBefore)

        let real = try server.admin(["import-assignment", file])
        #expect(real.stdout.contains("Imported 6 rows: \(wouldDo)."), "the dry run said what the import did")
        let cuenta3 = try #require(try Tables.serverScalar(server, "SELECT body FROM records WHERE id = '\(Fixtures.credito(3))'")?.string)
        #expect(cuenta3.contains("\"ronda\":2") && cuenta3.contains("susceptible de re-mediación") && cuenta3.contains("\"tipoConvenio\":\"Notarial\""))
        let cuenta4 = try #require(try Tables.serverScalar(server, "SELECT body FROM records WHERE id = '\(Fixtures.credito(4))'")?.string)
        #expect(cuenta4.contains("\"exclusion\":\"Créditos con reestructura activa\""))
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE id = '\(Fixtures.credito(60))'")?.int64 == 0)
        #expect(try Tables.serverScalar(server, "SELECT body FROM records WHERE id = '\(Fixtures.credito(2))'")?.string?.contains("\"Ratificado\"") == true)
        let afterImport = try Footprint(server)
        #expect(afterImport.version == before.version + 4, "one version for each account that changed")

        let again = try server.admin(["import-assignment", file])
        #expect(again.stdout.contains("Imported 6 rows: 0 new, 0 changed, 4 unchanged, 0 re-mediation (new round), 2 excluded (1 already excluded, 1 not loaded)."))
        #expect(try Footprint(server) == Footprint(audit: afterImport.audit + 1, of: afterImport))

        // The asesor asks the borrower about the new round.
        try telefono.ok(["sync"])
        try telefono.ok(["mutate", "registrarAceptacion", "{\"numeroCredito\":\"\(Fixtures.credito(3))\",\"ronda\":2}"])
        try telefono.ok(["sync"])
        #expect(try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'casos' AND id = '\(Fixtures.credito(3))-2'")?.int64 == 1)
    }

    @Test func theSameAccountsReadTheSameFromEverySpreadsheetExport() throws {
        let directory = TemporaryDirectory("import-encodings")
        let server = try TestServer(directory: directory)
        let filas = [
            Fila(credito: Fixtures.credito(1), acreditado: "Persona Ficticia Núñez", despacho: "Agencia Ejemplo – Norte", fecha: "01/10/2025"),
            Fila(credito: Fixtures.credito(2), acreditado: "Persona “Ficticia”, Dos", fecha: "2/10/2025", segmento: "Recuperación Especializada"),
            Fila(credito: Fixtures.credito(3), fecha: "2025-10-03", etiqueta: "SUSCEPTIBLE DE MEDIACION", tipo: "ratificado"),
        ]
        let utf8 = directory.path("utf8.csv")
        try Self.file(filas).write(toFile: utf8, atomically: true, encoding: .utf8)
        let first = try server.admin(["import-assignment", utf8])
        #expect(first.stdout.contains("Imported 3 rows: 3 new"))

        // Excel's "CSV UTF-8" (BOM), plain "CSV" in Windows-1252 with its `sep=` line, "Unicode text".
        let bom = directory.path("bom.csv")
        try (Data([0xEF, 0xBB, 0xBF]) + Data(Self.file(filas, separator: ";").utf8)).write(to: URL(fileURLWithPath: bom))
        let cp1252 = directory.path("cp1252.csv")
        try #require(("sep=;\r\n" + Self.file(filas, separator: ";")).data(using: .windowsCP1252)).write(to: URL(fileURLWithPath: cp1252))
        let utf16 = directory.path("utf16.txt")
        try (Data([0xFF, 0xFE]) + #require(Self.file(filas, separator: "\t").data(using: .utf16LittleEndian)))
            .write(to: URL(fileURLWithPath: utf16))
        for (path, read) in [
            (bom, "UTF-8 (with BOM), separator ';' (semicolon)"), (cp1252, "Windows-1252 (Latin-1), separator ';' (semicolon)"),
            (utf16, "UTF-16, separator tab"),
        ] {
            let result = try server.admin(["import-assignment", path])
            #expect(result.stdout.contains(read), "\(result.stdout)")
            #expect(result.stdout.contains("Imported 3 rows: 0 new, 0 changed, 3 unchanged"), "\(path): \(result.stdout)")
        }
        let body = try #require(try Tables.serverScalar(server, "SELECT body FROM records WHERE id = '\(Fixtures.credito(1))'")?.string)
        #expect(body.contains("Agencia Ejemplo – Norte") && body.contains("\"fechaAsignacion\":\"2025-10-01\""))
    }

    @Test func theExampleFilesImport() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let directory = TemporaryDirectory("import-examples")
        let server = try TestServer(directory: directory)
        let excel = try server.admin(["import-assignment", examples.appendingPathComponent("asignacion-excel-latin1.csv").path])
        #expect(excel.stdout.contains("Read asignacion-excel-latin1.csv: Windows-1252 (Latin-1), separator ';' (semicolon), 5 rows."))
        #expect(excel.stdout.contains("Imported 5 rows: 4 new, 0 changed, 0 unchanged, 0 re-mediation (new round), 1 excluded (1 not loaded)."))
        let sistema = try server.admin(["import-assignment", examples.appendingPathComponent("cuentas-ejemplo.csv").path])
        #expect(sistema.stdout.contains("Imported 4 rows: 4 new"))
        let body = try #require(try Tables.serverScalar(server, "SELECT body FROM records WHERE id = '2000000004'")?.string)
        #expect(body.contains("\"acreditado\":\"Persona Ficticia, Cuatro\"") && body.contains("susceptible de re-mediación"))
    }

    @Test func aCorrectedFileRemovesTheReportOfTheEarlierRun() throws {
        let directory = TemporaryDirectory("import-stale-report")
        let server = try TestServer(directory: directory)
        let file = directory.path("cuentas.csv")
        try Self.file([Fila(credito: "123")]).write(toFile: file, atomically: true, encoding: .utf8)
        _ = try server.admin(["import-assignment", file], expectSuccess: false)
        let report = directory.path("cuentas.errores.csv")
        #expect(FileManager.default.fileExists(atPath: report))
        try Self.file([Fila(credito: Fixtures.credito(1))]).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try server.admin(["import-assignment", file]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: report), "no stale list of problems next to a file that imported")
    }

    /// Disables a user directly in the database (there is no command for it yet).
    func disable(_ user: String, in server: TestServer) throws {
        let connection = try Connection(path: server.dataDirectory.appendingPathComponent("server.sqlite").path)
        defer { connection.close() }
        try connection.run("UPDATE users SET disabled = 1 WHERE id = ?", [user])
    }
}

extension ImportAssignmentTests.Footprint {
    /// `other` with `audit` entries.
    init(audit: Int64, of other: Self) {
        self = other
        self.audit = audit
    }
}
