import Foundation
import Testing
@testable import GestionXLSX

/// Whether LibreOffice can be run; prints why its tests are skipped when it cannot.
let libreOfficeAvailable: Bool = {
    if ExternalTool.soffice == nil {
        print("LibreOffice not installed: skipping (apt-get install libreoffice-calc-nogui to run these tests)")
        return false
    }
    return true
}()

/// Opens workbooks written by ``Workbook`` in LibreOffice (headless) and compares its CSV
/// export, cell by cell, with the values expected.
///
/// The export uses the filter options `44,34,76,1,,0,false,true,true,false,false,-1`: comma,
/// double quote, UTF-8, from line 1, no column types, default language, do not quote all text,
/// detect special numbers, save cell contents as shown (so the number formats apply), do not
/// export formulas, do not trim spaces, and `-1` for every sheet, each to `NAME-SHEET.csv`
/// (LibreOffice 7.2 and later).
@Suite(.enabled(if: libreOfficeAvailable, "LibreOffice not installed: skipping"))
struct LibreOfficeTests {
    /// Column headers as the institution writes them, with one value per kind of cell and the
    /// text LibreOffice must show for it.
    static let fixedColumns: [(Column, [(Cell, String)])] = [
        (Column("Número de crédito", kind: .text), [
            (.text("0012345678"), "0012345678"), (.text("1500123456"), "1500123456"),
            (.text("2400000001"), "2400000001"), (.text("9900000000"), "9900000000"),
        ]),
        (Column("Acreditado", kind: .text), [
            (.text("José Ñúñez Müller"), "José Ñúñez Müller"),
            (.text(#"Ana & Cía <S.A.> "La 'Única'""#), #"Ana & Cía <S.A.> "La 'Única'""#),
            (.text("Peña, Ürsula"), "Peña, Ürsula"),
            (.text("Línea 1\nLínea 2"), "Línea 1\nLínea 2"),
        ]),
        (Column("Delegación", kind: .text), [
            (.text("Ciudad de México"), "Ciudad de México"), (.text("Nuevo León"), "Nuevo León"),
            (.text("Yucatán"), "Yucatán"), (.text("Querétaro"), "Querétaro"),
        ]),
        (Column("Fecha de firma", kind: .date), [
            (.date(year: 2024, month: 2, day: 29), "2024-02-29"), (.date(year: 1999, month: 12, day: 31), "1999-12-31"),
            (.date(year: 1900, month: 3, day: 1), "1900-03-01"), (.date(year: 9999, month: 12, day: 31), "9999-12-31"),
        ]),
        (Column("Fecha y hora de registro", kind: .dateTime), [
            (.dateTime(utcDate(2024, 5, 31, 18, 45, 30)), "2024-05-31 12:45"),
            // Minutes are not rounded up: 23:59:59 stays on the same day.
            (.dateTime(utcDate(2022, 3, 1, 5, 59, 59)), "2022-02-28 23:59"),
            // Daylight saving time (UTC-5), which Mexico City kept until October 2022.
            (.dateTime(utcDate(2021, 7, 1, 12, 0, 0)), "2021-07-01 07:00"),
            (.empty, ""),
        ]),
        (Column("Monto", kind: .decimal(places: 2)), [
            (.number(1234.5), "1234.50"), (.number(1.005), "1.01"), (.number(-0.5), "-0.50"),
            (.number(1_000_000), "1000000.00"),
        ]),
        (Column("Pagos", kind: .integer), [
            (.integer(12), "12"), (.integer(0), "0"), (.integer(-3), "-3"), (.integer(123_456_789_012_345), "123456789012345"),
        ]),
        (Column("Vigente", kind: .bool), [(.bool(true), "TRUE"), (.bool(false), "FALSE"), (.empty, ""), (.bool(true), "TRUE")]),
        (Column("Tasa"), [
            (.number(0.1), "0.1"), (.number(3.14159265358979), "3.14159265358979"), (.number(0.000012), "0.000012"),
            (.number(1.0 / 3.0), "0.333333333333333"),
        ]),
        (Column("Observaciones", kind: .text), [
            (.empty, ""), (.text("  espacios  "), "  espacios  "), (.text("tab\taquí"), "tab\taquí"),
            (.text("_x0041_ = literal"), "_x0041_ = literal"),
        ]),
    ]

    /// Headers and rows: the fixed columns, then 20 integer columns up to AD, an empty row
    /// between the second and third data rows, and a short last row.
    static func table() -> (columns: [Column], rows: [[Cell]], expected: [[String]]) {
        var columns = fixedColumns.map(\.0)
        var rows: [[Cell]] = (0..<4).map { row in fixedColumns.map { $0.1[row].0 } }
        var expected: [[String]] = (0..<4).map { row in fixedColumns.map { $0.1[row].1 } }
        for number in 11...30 {
            columns.append(Column("Columna \(number)", kind: .integer))
            for row in 0..<4 {
                rows[row].append(.integer(Int64(row * 100 + number)))
                expected[row].append("\(row * 100 + number)")
            }
        }
        rows.insert([], at: 2)
        expected.insert(Array(repeating: "", count: 30), at: 2)
        rows.append(["0000000001", "Último"])
        expected.append(["0000000001", "Último"] + Array(repeating: "", count: 28))
        return (columns, rows, [columns.map(\.header)] + expected)
    }

    static let summaryColumns = [
        Column("Delegación", kind: .text), Column("Créditos", kind: .integer), Column("Monto total", kind: .decimal(places: 2)),
    ]
    static let summaryRows: [[Cell]] = [["Ciudad de México", 2, 1235.505], ["Nuevo León", 1, 0.999]]
    static let summaryExpected = [
        ["Delegación", "Créditos", "Monto total"], ["Ciudad de México", "2", "1235.51"], ["Nuevo León", "1", "1.00"],
    ]

    @Test func libreOfficeConvertsEverySheetToTheSameValues() async throws {
        let (columns, rows, expected) = Self.table()
        #expect(columns.count == 30)
        var workbook = Workbook(timeZone: mexicoCity, title: "Reporte mensual de la agencia")
        let firstName = try workbook.addSheet(name: "Créditos [mayo]/2024", columns: columns, rows: rows)
        let secondName = try workbook.addSheet(name: "Resumen por delegación", columns: Self.summaryColumns, rows: Self.summaryRows)
        #expect(firstName == "Créditos _mayo__2024")

        let directory = try TemporaryDirectory()
        let input = try directory.write(try workbook.data(createdAt: utcDate(2024, 6, 1, 9)), to: "reporte.xlsx")
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try await convertToCSV(input, allSheets: true, in: directory)
        print("LibreOffice converted the workbook in \(clock.now - started)")
        try #require(outcome.status == 0, "soffice failed: \(outcome.output)")

        let first = try readCSV(directory.file("out/reporte-\(firstName).csv"), output: outcome.output)
        compare(first, expected)
        let second = try readCSV(directory.file("out/reporte-\(secondName).csv"), output: outcome.output)
        compare(second, Self.summaryExpected)

        // The CSV writer gives the same values as LibreOffice shows.
        let ours = CSVWriter(timeZone: mexicoCity).data(for: workbook.sheets[0])
        compare(parseCSV(String(decoding: ours, as: UTF8.self)), first)
    }

    /// Converts with `-1` (all sheets) and checks the names LibreOffice gives the files, and
    /// with the default options (first sheet only) as a cross-check of the option itself.
    @Test func theDefaultExportIsTheFirstSheet() async throws {
        var workbook = Workbook()
        try workbook.addSheet(name: "Resumen", columns: Self.summaryColumns, rows: Self.summaryRows)
        try workbook.addSheet(name: "Otra", columns: [Column("x")], rows: [["y"]])
        let directory = try TemporaryDirectory()
        let input = try directory.write(try workbook.data(createdAt: utcDate(2024, 6, 1)), to: "resumen.xlsx")
        let outcome = try await convertToCSV(input, allSheets: false, in: directory)
        try #require(outcome.status == 0, "soffice failed: \(outcome.output)")
        compare(try readCSV(directory.file("out/resumen.csv"), output: outcome.output), Self.summaryExpected)
    }

    // MARK: Helpers

    private func convertToCSV(_ input: URL, allSheets: Bool, in directory: borrowing TemporaryDirectory) async throws
        -> ProcessOutcome
    {
        let soffice = try #require(ExternalTool.soffice)
        let filter = allSheets
            ? "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
            : "csv:Text - txt - csv (StarCalc):44,34,76,1"
        return try await runProcess(
            soffice,
            [
                "-env:UserInstallation=file://\(directory.url.path)/lo-profile-\(UUID().uuidString)",
                "--headless", "--norestore", "--convert-to", filter,
                "--outdir", directory.file("out").path, input.path,
            ],
            timeout: .seconds(120))
    }

    private func readCSV(_ url: URL, output: String) throws -> [[String]] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("LibreOffice wrote no \(url.lastPathComponent): \(output)")
            return []
        }
        return parseCSV(String(decoding: data, as: UTF8.self))
    }

    private func compare(_ actual: [[String]], _ expected: [[String]], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, "row count", sourceLocation: sourceLocation)
        for (rowIndex, (actualRow, expectedRow)) in zip(actual, expected).enumerated() {
            #expect(actualRow.count == expectedRow.count, "cells in row \(rowIndex + 1)", sourceLocation: sourceLocation)
            for (columnIndex, (value, wanted)) in zip(actualRow, expectedRow).enumerated() where value != wanted {
                let reference = String(decoding: WorksheetWriter.columnName(columnIndex), as: UTF8.self) + "\(rowIndex + 1)"
                Issue.record("\(reference): \"\(value)\" instead of \"\(wanted)\"", sourceLocation: sourceLocation)
            }
        }
    }
}
