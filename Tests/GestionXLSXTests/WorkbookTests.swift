import Foundation
import Testing
@testable import GestionXLSX

@Suite struct WorkbookTests {
    let createdAt = utcDate(2024, 6, 1, 9, 30, 0)

    /// The parts of the package, unzipped by the module's own reader for tests.
    func parts(of workbook: Workbook) throws -> [String: String] {
        try StoredZip.entries(workbook.data(createdAt: createdAt)).mapValues { String(decoding: $0, as: UTF8.self) }
    }

    @Test(arguments: [
        (0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (29, "AD"), (51, "AZ"), (52, "BA"),
        (701, "ZZ"), (702, "AAA"), (16_383, "XFD"),
    ])
    func columnNames(index: Int, expected: String) {
        #expect(String(decoding: WorksheetWriter.columnName(index), as: UTF8.self) == expected)
    }

    @Test(arguments: [
        (CalendarDay(year: 1900, month: 1, day: 1), 1),
        (CalendarDay(year: 1900, month: 2, day: 28), 59),
        (CalendarDay(year: 1900, month: 3, day: 1), 61),  // 60 is Excel's 1900-02-29
        (CalendarDay(year: 1970, month: 1, day: 1), 25_569),
        (CalendarDay(year: 2000, month: 1, day: 1), 36_526),
        (CalendarDay(year: 2024, month: 2, day: 29), 45_351),
        (CalendarDay(year: 9999, month: 12, day: 31), 2_958_465),
    ])
    func serialNumbersOfDays(day: CalendarDay, serial: Int) {
        #expect(day.excelSerial == serial)
    }

    @Test func serialNumbersOfMoments() {
        #expect(LocalTime(utcDate(1970, 1, 1), in: utc).excelSerial == 25_569)
        #expect(LocalTime(utcDate(2024, 5, 31, 18, 0), in: utc).excelSerial == 45_443.75)
        // Mexico City is UTC-6 (no daylight saving time since 2022), UTC-5 in summer before.
        #expect(LocalTime(utcDate(2024, 5, 31, 18, 0), in: mexicoCity).excelSerial == 45_443.5)
        #expect(LocalTime(utcDate(2021, 7, 1, 17, 0), in: mexicoCity).excelSerial == 44_378.5)
        let beforeEpoch = LocalTime(utcDate(1969, 12, 31, 23, 59, 59.5), in: utc)
        #expect(beforeEpoch.day == CalendarDay(year: 1969, month: 12, day: 31))
        #expect((beforeEpoch.hour, beforeEpoch.minute, beforeEpoch.second, beforeEpoch.millisecond) == (23, 59, 59, 500))
    }

    @Test(arguments: [
        ("Créditos", [], "Créditos"),
        ("Reporte 2024/05: [mayo]?*\\", [], "Reporte 2024_05_ _mayo____"),
        ("Un nombre de hoja demasiado largo para Excel", [], "Un nombre de hoja demasiado lar"),
        ("'Citado'", [], "Citado"),
        ("", [], "Hoja 3"),
        ("Con\u{0}control\u{1F}", [], "Concontrol"),
        ("Datos", ["datos"], "Datos (2)"),
        ("Datos", ["Datos", "Datos (2)"], "Datos (3)"),
        ("history", [], "history (2)"),
        ("Un nombre de hoja demasiado largo para Excel", ["Un nombre de hoja demasiado lar"], "Un nombre de hoja demasiado (2)"),
        ("Año 2024 — Delegación Querétaro Norte", [], "Año 2024 — Delegación Querétaro"),
        ("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", [], "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"),
    ] as [(String, [String], String)])
    func sheetNamesAreMadeValidAndUnique(requested: String, taken: [String], expected: String) {
        let name = Workbook.sheetName(requested, position: 3, taken: taken)
        #expect(name == expected)
        #expect(name.utf16.count <= 31)
    }

    @Test func addSheetReturnsTheFinalName() throws {
        var workbook = Workbook()
        #expect(try workbook.addSheet(name: "Pagos", columns: [Column("a")], rows: []) == "Pagos")
        #expect(try workbook.addSheet(name: "pagos", columns: [Column("a")], rows: []) == "pagos (2)")
        #expect(workbook.sheets.map(\.name) == ["Pagos", "pagos (2)"])
    }

    @Test func packageParts() throws {
        var workbook = Workbook(title: "Reporte mensual")
        try workbook.addSheet(name: "Uno", columns: [Column("a")], rows: [["x"]])
        try workbook.addSheet(name: "Dos & <tres>", columns: [Column("b")], rows: [[1]])
        let parts = try parts(of: workbook)
        #expect(Set(parts.keys) == [
            "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
        ])
        let workbookXML = try #require(parts["xl/workbook.xml"])
        #expect(workbookXML.contains(#"<sheet name="Uno" sheetId="1" r:id="rId1"/>"#))
        #expect(workbookXML.contains(#"<sheet name="Dos &amp; &lt;tres&gt;" sheetId="2" r:id="rId2"/>"#))
        let relationships = try #require(parts["xl/_rels/workbook.xml.rels"])
        #expect(relationships.contains(#"Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml""#))
        #expect(relationships.contains(#"Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles""#))
        let contentTypes = try #require(parts["[Content_Types].xml"])
        #expect(contentTypes.contains(#"<Override PartName="/xl/worksheets/sheet2.xml""#))
        let core = try #require(parts["docProps/core.xml"])
        #expect(core.contains("<dc:title>Reporte mensual</dc:title>"))
        #expect(core.contains(#"<dcterms:created xsi:type="dcterms:W3CDTF">2024-06-01T09:30:00Z</dcterms:created>"#))
        #expect(try #require(parts["xl/worksheets/sheet1.xml"]).contains(#"tabSelected="1""#))
        #expect(try #require(parts["xl/worksheets/sheet2.xml"]).contains(#"tabSelected"#) == false)
    }

    @Test func cellsAreTypedValues() throws {
        var workbook = Workbook(timeZone: mexicoCity)
        try workbook.addSheet(
            name: "Tipos",
            columns: [
                Column("Texto"), Column("Número"), Column("Entero", kind: .integer), Column("Fecha", kind: .date),
                Column("Fecha y hora", kind: .dateTime), Column("Sí/No", kind: .bool), Column("Monto", kind: .decimal(places: 2)),
            ],
            rows: [[
                "Ñandú", 2.5, 42, .date(year: 2024, month: 5, day: 31), .dateTime(utcDate(2024, 5, 31, 18)), true, 10.5,
            ]])
        let sheet = try #require(try parts(of: workbook)["xl/worksheets/sheet1.xml"])
        #expect(sheet.contains(#"<c r="A1" s="1" t="inlineStr"><is><t>Texto</t></is></c>"#))
        #expect(sheet.contains(#"<c r="A2" t="inlineStr"><is><t>Ñandú</t></is></c>"#))
        #expect(sheet.contains(#"<c r="B2"><v>2.5</v></c>"#))
        #expect(sheet.contains(#"<c r="C2" s="4"><v>42</v></c>"#))
        #expect(sheet.contains(#"<c r="D2" s="2"><v>45443</v></c>"#))
        #expect(sheet.contains(#"<c r="E2" s="3"><v>45443.5</v></c>"#))
        #expect(sheet.contains(#"<c r="F2" t="b"><v>1</v></c>"#))
        #expect(sheet.contains(#"<c r="G2" s="5"><v>10.5</v></c>"#))
        #expect(sheet.contains(#"<dimension ref="A1:G2"/>"#))
        #expect(sheet.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
        #expect(sheet.contains(#"<col min="4" max="4" width="12" customWidth="1"/>"#))
        let styles = try #require(try parts(of: workbook)["xl/styles.xml"])
        #expect(styles.contains(#"<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>"#))
        #expect(styles.contains(#"<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>"#))
        #expect(styles.contains(#"<numFmt numFmtId="166" formatCode="0.00"/>"#))
        #expect(styles.contains(#"<cellXfs count="6">"#))
    }

    @Test func textIsEscapedAndForbiddenCharactersAreDropped() throws {
        var workbook = Workbook()
        try workbook.addSheet(
            name: "Texto", columns: [Column("A & B <c> \"d\" 'e'")],
            rows: [["Tom & Jerry <S.A.> \"dijo\" 'hola'"], ["a\u{0}b\u{1}c\u{8}d\u{B}e\u{C}f\u{1F}g\u{FFFE}h\u{FFFF}i"], [" uno\ndos\tres "],
                   ["cr\r\n"], ["_x0041_"], ["🇲🇽 ñ"]])
        let sheet = try #require(try parts(of: workbook)["xl/worksheets/sheet1.xml"])
        #expect(sheet.contains("<t>A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;</t>"))
        #expect(sheet.contains("<t>Tom &amp; Jerry &lt;S.A.&gt; &quot;dijo&quot; &apos;hola&apos;</t>"))
        #expect(sheet.contains("<t>abcdefghi</t>"))
        #expect(sheet.contains(#"<t xml:space="preserve"> uno"# + "\n" + "dos\tres </t>"))
        #expect(sheet.contains(#"<t xml:space="preserve">cr&#13;"# + "\n</t>"))
        #expect(sheet.contains("<t>_x005F_x0041_</t>"))
        #expect(sheet.contains("<t>🇲🇽 ñ</t>"))
    }

    @Test func emptyCellsAndRowsAreLeftOut() throws {
        var workbook = Workbook()
        try workbook.addSheet(
            name: "Huecos", columns: [Column("a"), Column("b"), Column("c")],
            rows: [[.empty, 1, .text("")], [], [.empty, .empty], ["x"]])
        let sheet = try #require(try parts(of: workbook)["xl/worksheets/sheet1.xml"])
        #expect(sheet.contains(#"<row r="2"><c r="B2" s="4"><v>1</v></c></row><row r="5"><c r="A5" t="inlineStr">"#))
        #expect(sheet.contains(#"<dimension ref="A1:C5"/>"#))
    }

    @Test func aWorkbookWithoutSheetsGetsAnEmptyOne() throws {
        let parts = try parts(of: Workbook())
        #expect(try #require(parts["xl/workbook.xml"]).contains(#"<sheet name="Hoja 1" sheetId="1" r:id="rId1"/>"#))
        #expect(try #require(parts["xl/worksheets/sheet1.xml"]).contains("<sheetData></sheetData>"))
    }

    @Test func theSameWorkbookAndDateGiveTheSameBytes() throws {
        func make() throws -> [UInt8] {
            var workbook = Workbook(timeZone: mexicoCity)
            try workbook.addSheet(name: "A", columns: [Column("x", kind: .dateTime)], rows: [[.dateTime(createdAt)]])
            return try workbook.data(createdAt: createdAt)
        }
        #expect(try make() == make())
    }

    @Test func limits() throws {
        let maxColumns = Array(repeating: Column("c"), count: Sheet.maximumColumnCount)
        _ = try Sheet(name: "s", columns: maxColumns, rows: [])
        #expect(throws: SheetError.tooManyColumns(16_385)) {
            try Sheet(name: "s", columns: maxColumns + [Column("c")], rows: [])
        }
        let maxRows = [[Cell]](repeating: [], count: Sheet.maximumRowCount - 1)
        _ = try Sheet(name: "s", columns: [Column("c")], rows: maxRows)
        #expect(throws: SheetError.tooManyRows(1_048_576)) {
            try Sheet(name: "s", columns: [Column("c")], rows: maxRows + [[]])
        }
        #expect(WorksheetWriter.columnName(Sheet.maximumColumnCount - 1) == Array("XFD".utf8))
    }

    @Test(arguments: [
        ([["a", "b"]], SheetError.rowTooWide(row: 2, cells: 2, columns: 1)),
        ([[], [.number(.nan)]], .notFinite(row: 3)),
        ([[.number(.infinity)]], .notFinite(row: 2)),
        ([[.integer(1 << 53 + 1)]], .integerOutOfRange(1 << 53 + 1, row: 2)),
        ([[.date(year: 2023, month: 2, day: 29)]], .dateOutOfRange("2023-02-29", row: 2)),
        ([[.date(year: 1899, month: 12, day: 31)]], .dateOutOfRange("1899-12-31", row: 2)),
        ([[.date(year: 10_000, month: 1, day: 1)]], .dateOutOfRange("10000-01-01", row: 2)),
        ([[.dateTime(utcDate(1899, 12, 31))]], .dateOutOfRange("1899-12-31 00:00:00 +0000", row: 2)),
    ] as [([[Cell]], SheetError)])
    func valuesASpreadsheetCannotHoldAreRefused(rows: [[Cell]], error: SheetError) {
        #expect(throws: error) { try Sheet(name: "s", columns: [Column("c")], rows: rows) }
    }

    @Test func textLongerThanACellHoldsIsRefused() {
        let rows: [[Cell]] = [[.text(String(repeating: "x", count: 32_768))]]
        #expect(throws: SheetError.textTooLong(row: 2, length: 32_768)) {
            try Sheet(name: "s", columns: [Column("c")], rows: rows)
        }
    }

    @Test func valuesAtTheLimitsAreAccepted() throws {
        _ = try Sheet(
            name: "s", columns: [Column("c")],
            rows: [
                [.integer(1 << 53)], [.integer(-(1 << 53))], [.date(year: 1900, month: 1, day: 1)],
                [.date(year: 9999, month: 12, day: 31)], [.text(String(repeating: "ñ", count: 32_767))],
                [.number(.greatestFiniteMagnitude)],
            ])
        #expect(throws: SheetError.invalidDecimalPlaces(column: "c", places: 16)) {
            try Sheet(name: "s", columns: [Column("c", kind: .decimal(places: 16))], rows: [])
        }
        _ = try Sheet(name: "s", columns: [Column("c", width: 0), Column("d", width: 255)], rows: [])
        #expect(throws: SheetError.invalidWidth(column: "c", width: 256)) {
            try Sheet(name: "s", columns: [Column("c", width: 256)], rows: [])
        }
        #expect(throws: (any Error).self) { try Sheet(name: "s", columns: [Column("c", width: .nan)], rows: []) }
    }

    @Test(.enabled(if: pythonAvailable, "python3 not installed: skipping"))
    func pythonReadsThePackageAndEveryPartIsWellFormedXML() async throws {
        var workbook = Workbook(timeZone: mexicoCity, title: "Ñ & <título>")
        try workbook.addSheet(
            name: "Créditos & <pagos>", columns: [Column("Número de crédito"), Column("Notas")],
            rows: [["0012345678", "a & b < c > d \" e ' f \u{1} g \r\n h _x0041_"]])
        try workbook.addSheet(name: "Créditos & <pagos>", columns: [], rows: [])
        let directory = try TemporaryDirectory()
        let url = try directory.write(try workbook.data(createdAt: createdAt), to: "libro.xlsx")
        let entries = try await pythonZipEntries(url, parseXML: true)
        #expect(entries.first?.name == "[Content_Types].xml")
        #expect(entries.count == 9)
        #expect(entries.allSatisfy { $0.dateTime == [2024, 6, 1, 3, 30, 0] }, "Mexico City wall time")
    }

    /// 50,000 rows × 10 columns of mixed types (10,000 in debug builds, which are about 20
    /// times slower): the time is printed. Release builds take a fraction of a second; the
    /// bound here only catches quadratic behaviour.
    @Test func largeWorkbook() throws {
        #if DEBUG
            let rowCount = 10_000
        #else
            let rowCount = 50_000
        #endif
        let columns = (1...10).map { Column("Columna \($0)", kind: $0 == 4 ? .decimal(places: 2) : .general) }
        let start = utcDate(2024, 1, 1)
        let rows: [[Cell]] = (0..<rowCount).map { index in
            let optional: Cell = index % 3 == 0 ? .empty : .number(Double(index) / 7)
            let date = CalendarDay(year: 2024, month: index % 12 + 1, day: index % 28 + 1)
            let moment = start.addingTimeInterval(Double(index) * 61)
            let row: [Cell] = [
                .text("150\(1_000_000 + index)"), .text("Acreditado número \(index) — Ñuño"), .integer(Int64(index)),
                .number(Double(index) * 1.25), .date(date), .dateTime(moment), .bool(index % 2 == 0),
                .text("Delegación"), optional, .text("a & b"),
            ]
            return row
        }
        var workbook = Workbook(timeZone: mexicoCity)
        try workbook.addSheet(name: "Grande", columns: columns, rows: rows)
        let clock = ContinuousClock()
        var bytes: [UInt8] = []
        let elapsed = try clock.measure { bytes = try workbook.data(createdAt: createdAt) }
        print("\(rowCount) × 10 workbook: \(bytes.count) bytes in \(elapsed)")
        var csv: [UInt8] = []
        let csvElapsed = clock.measure { csv = CSVWriter(timeZone: mexicoCity).data(for: workbook.sheets[0]) }
        print("\(rowCount) × 10 CSV: \(csv.count) bytes in \(csvElapsed)")
        #expect(elapsed < .seconds(20))
        #expect(csvElapsed < .seconds(20))
        let sheet = try #require(try StoredZip.entries(bytes)["xl/worksheets/sheet1.xml"])
        #expect(String(decoding: sheet.prefix(400), as: UTF8.self).contains(#"<dimension ref="A1:J\#(rowCount + 1)"/>"#))
        #expect(parseCSV(String(decoding: csv, as: UTF8.self)).count == rowCount + 1)
    }
}
