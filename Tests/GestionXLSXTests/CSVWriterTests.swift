import Foundation
import Testing
@testable import GestionXLSX

@Suite struct CSVWriterTests {
    func csv(_ columns: [Column], _ rows: [[Cell]], _ writer: CSVWriter = CSVWriter()) throws -> String {
        String(decoding: try writer.data(columns: columns, rows: rows), as: UTF8.self)
    }

    @Test(arguments: [
        ("simple", "simple"),
        ("", ""),
        ("a,b", #""a,b""#),
        (#"dijo "hola""#, #""dijo ""hola""""#),
        ("línea\nsiguiente", "\"línea\nsiguiente\""),
        ("retorno\r", "\"retorno\r\""),
        ("  espacios  ", "  espacios  "),
        ("tab\there", "tab\there"),
        ("Número; punto y coma", "Número; punto y coma"),
        ("'apóstrofo'", "'apóstrofo'"),
    ])
    func fieldsAreQuotedOnlyWhenNeeded(text: String, field: String) throws {
        #expect(try csv([Column("h")], [[.text(text)]]) == "h\r\n\(field)\r\n")
    }

    @Test func headerAndRowsWithCRLFAndOneFieldPerColumn() throws {
        let columns = [Column("Número de crédito"), Column("Fecha de firma", kind: .date), Column("Delegación")]
        let text = try csv(columns, [["0012", .date(year: 2024, month: 5, day: 31), "Yucatán"], ["0013"], []])
        #expect(text == "Número de crédito,Fecha de firma,Delegación\r\n0012,2024-05-31,Yucatán\r\n0013,,\r\n,,\r\n")
    }

    @Test func byteOrderMarkIsOptional() throws {
        let withBOM = try CSVWriter(byteOrderMark: true).data(columns: [Column("Año")], rows: [])
        #expect(withBOM == [0xEF, 0xBB, 0xBF] + Array("Año\r\n".utf8))
        let without = try CSVWriter().data(columns: [Column("Año")], rows: [])
        #expect(without == Array("Año\r\n".utf8))
    }

    @Test func otherSeparators() throws {
        let text = try csv([Column("a"), Column("b")], [["x;y", "z,w"]], CSVWriter(separator: ";"))
        #expect(text == "a;b\r\n\"x;y\";z,w\r\n")
    }

    @Test func cellsAreWrittenAsTheWorkbookShowsThem() throws {
        let columns = [
            Column("general"), Column("entero", kind: .integer), Column("monto", kind: .decimal(places: 2)),
            Column("sin decimales", kind: .decimal(places: 0)), Column("fecha", kind: .date),
            Column("fecha y hora", kind: .dateTime), Column("sí/no", kind: .bool),
        ]
        let rows: [[Cell]] = [
            [1234.5, -42, 1234.5, 2.5, .date(year: 2024, month: 2, day: 29), .dateTime(utcDate(2024, 5, 31, 18, 45, 59.9)), true],
            [0.1, 0, 1.005, -2.5, .date(year: 1900, month: 3, day: 1), .dateTime(utcDate(2022, 3, 1, 5, 59, 59)), false],
            [.number(1.0 / 3.0), .integer(1 << 53), -0.001, 0.4, .empty, .dateTime(utcDate(2021, 7, 1, 12)), .empty],
        ]
        let text = try csv(columns, rows, CSVWriter(timeZone: mexicoCity))
        #expect(text == """
            general,entero,monto,sin decimales,fecha,fecha y hora,sí/no\r
            1234.5,-42,1234.50,3,2024-02-29,2024-05-31 12:45,TRUE\r
            0.1,0,1.01,-3,1900-03-01,2022-02-28 23:59,FALSE\r
            0.333333333333333,9007199254740992,0.00,0,,2021-07-01 07:00,\r

            """)
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (42.0, "42"), (-7.25, "-7.25"), (0.1, "0.1"), (1234.5, "1234.5"),
        (0.000012, "0.000012"), (1e-9, "0.000000001"), (1.5e-10, "1.5E-10"), (123456789012345.0, "123456789012345"),
        (1e15, "1000000000000000"), (1_234_567_890_123_456, "1234567890123456"), (-1e16, "-1E+16"), (1.5e20, "1.5E+20"), (1.0 / 3.0, "0.333333333333333"),
        (2.0 / 3.0, "0.666666666666667"), (0.1 + 0.2, "0.3"), (9.999999999999999, "10"), (123.456789012345678, "123.456789012346"),
    ])
    func generalNumbersHave15SignificantDigits(value: Double, text: String) {
        var writer = ByteWriter()
        writer.appendGeneral(value)
        #expect(writer.finish() == Array(text.utf8))
    }

    @Test(arguments: [
        (1.005, 2, "1.01"), (2.675, 2, "2.68"), (0.125, 2, "0.13"), (-0.125, 2, "-0.13"), (999.995, 2, "1000.00"),
        (0.004, 2, "0.00"), (1_234_567_890_123_456, 2, "1234567890123456.00"), (-3, 1, "-3.0"), (0.005, 2, "0.01"), (-0.004, 2, "0.00"), (0.0, 3, "0.000"), (1e20, 2, "100000000000000000000.00"),
        (2.5, 0, "3"), (0.5, 0, "1"), (0.49, 0, "0"), (1234.5678, 1, "1234.6"), (1e-20, 2, "0.00"),
    ])
    func fixedDecimalsRoundHalfAwayFromZero(value: Double, places: Int, text: String) {
        var writer = ByteWriter()
        writer.appendFixed(value, places: places)
        #expect(writer.finish() == Array(text.utf8))
    }

    @Test func forbiddenCharactersAreDroppedAsInTheWorkbook() throws {
        #expect(try csv([Column("a\u{1}b")], [["x\u{0}y\u{FFFF}z"]]) == "ab\r\nxyz\r\n")
    }

    @Test func aSheetWithoutColumnsIsEmpty() throws {
        #expect(try CSVWriter().data(columns: [], rows: []) == [])
        #expect(try CSVWriter(byteOrderMark: true).data(columns: [], rows: []) == [0xEF, 0xBB, 0xBF])
    }

    @Test func rowsAreCheckedLikeTheWorkbook() {
        #expect(throws: SheetError.rowTooWide(row: 2, cells: 2, columns: 1)) {
            try CSVWriter().data(columns: [Column("a")], rows: [["x", "y"]])
        }
    }

    @Test func parsingOurOutputGivesTheCellTexts() throws {
        let texts = ["a,b", "c\"d", "e\r\nf", "", "ñ"]
        let text = try csv(texts.indices.map { Column("c\($0)") }, [texts.map(Cell.text)])
        #expect(parseCSV(text) == [texts.indices.map { "c\($0)" }, texts])
    }
}
