import Foundation

/// The cell formats of a workbook (`xl/styles.xml`) and which one each cell uses.
struct StyleTable {
    static let general = 0
    static let header = 1
    static let date = 2
    static let dateTime = 3
    static let integer = 4
    /// The first style of the `.decimal(places:)` formats, one per number of places in use.
    private static let firstDecimal = 5
    /// Number format ids from 164 up are the workbook's own.
    private static let dateFormatID = 164
    private static let dateTimeFormatID = 165
    private static let firstDecimalFormatID = 166

    /// The decimal places used by some column, in style order.
    private let decimalPlaces: [Int]

    init(sheets: [Sheet]) {
        var places = Set<Int>()
        for sheet in sheets {
            for column in sheet.columns {
                if case .decimal(let count) = column.kind {
                    places.insert(count)
                }
            }
        }
        decimalPlaces = places.sorted()
    }

    /// The style index of a value cell.
    func style(for cell: Cell, kind: Column.Kind) -> Int {
        switch cell {
        case .number:
            if case .decimal(let places) = kind, let index = decimalPlaces.firstIndex(of: places) {
                return Self.firstDecimal + index
            }
            return Self.general
        case .integer: return Self.integer
        case .date: return Self.date
        case .dateTime: return Self.dateTime
        case .text, .bool, .empty: return Self.general
        }
    }

    var xml: [UInt8] {
        var out = ByteWriter()
        out.append(Parts.xmlDeclaration)
        out.append(#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
        out.append(#"<numFmts count=""#)
        out.appendDecimal(2 + decimalPlaces.count)
        out.append(#""><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>"#)
        out.append(#"<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>"#)
        for (index, places) in decimalPlaces.enumerated() {
            out.append(#"<numFmt numFmtId=""#)
            out.appendDecimal(Self.firstDecimalFormatID + index)
            out.append(#"" formatCode=""#)
            out.append(utf8: places == 0 ? "0" : "0." + String(repeating: "0", count: places))
            out.append(#""/>"#)
        }
        out.append("</numFmts>")
        out.append(#"<fonts count="2">"#)
        out.append(#"<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#)
        out.append(#"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#)
        out.append("</fonts>")
        out.append(#"<fills count="2"><fill><patternFill patternType="none"/></fill>"#)
        out.append(#"<fill><patternFill patternType="gray125"/></fill></fills>"#)
        out.append(#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#)
        out.append(#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#)
        out.append(#"<cellXfs count=""#)
        out.appendDecimal(Self.firstDecimal + decimalPlaces.count)
        out.append(#"">"#)
        out.append(#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#)
        out.append(#"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#)
        for formatID in [Self.dateFormatID, Self.dateTimeFormatID, 1]
            + decimalPlaces.indices.map({ Self.firstDecimalFormatID + $0 })
        {
            out.append(#"<xf numFmtId=""#)
            out.appendDecimal(formatID)
            out.append(#"" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#)
        }
        out.append("</cellXfs>")
        out.append(#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#)
        out.append("</styleSheet>")
        return out.finish()
    }
}

/// Writes one sheet as `xl/worksheets/sheetN.xml`.
struct WorksheetWriter {
    let sheet: Sheet
    let styles: StyleTable
    let cellText: CellText
    /// Whether this is the sheet shown when the workbook opens.
    let selected: Bool

    /// A guess of the XML's size, to reserve memory once.
    static func estimatedSize(of sheet: Sheet) -> Int {
        1024 + (sheet.rows.count + 1) * (16 + sheet.columns.count * 48)
    }

    func write(to out: inout ByteWriter) {
        let columnNames = sheet.columns.indices.map(Self.columnName)
        out.append(Parts.xmlDeclaration)
        out.append(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#)
        out.append(#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        out.append(#"<dimension ref="A1"#)
        if let last = columnNames.last {
            out.append(":")
            out.append(last)
            out.appendDecimal(sheet.rows.count + 1)
        }
        out.append(#""/><sheetViews><sheetView workbookViewId="0""#)
        if selected {
            out.append(#" tabSelected="1""#)
        }
        if sheet.columns.isEmpty {
            out.append("/>")
        } else {
            out.append(#"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#)
            out.append(#"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>"#)
        }
        out.append(#"</sheetViews><sheetFormatPr defaultRowHeight="15"/>"#)
        if !sheet.columns.isEmpty {
            out.append("<cols>")
            for index in sheet.columns.indices {
                out.append(#"<col min=""#)
                out.appendDecimal(index + 1)
                out.append(#"" max=""#)
                out.appendDecimal(index + 1)
                out.append(#"" width=""#)
                out.appendExactNumber(width(of: index))
                out.append(#"" customWidth="1"/>"#)
            }
            out.append("</cols>")
        }
        out.append("<sheetData>")
        if !sheet.columns.isEmpty {
            out.append(#"<row r="1">"#)
            for (index, column) in sheet.columns.enumerated() {
                appendText(column.header, reference: columnNames[index], row: 1, style: StyleTable.header, to: &out)
            }
            out.append("</row>")
        }
        for (index, row) in sheet.rows.enumerated() where row.contains(where: { $0 != .empty }) {
            let rowNumber = index + 2
            out.append(#"<row r=""#)
            out.appendDecimal(rowNumber)
            out.append(#"">"#)
            for (column, cell) in row.enumerated() {
                appendCell(cell, kind: sheet.columns[column].kind, reference: columnNames[column], row: rowNumber, to: &out)
            }
            out.append("</row>")
        }
        out.append("</sheetData>")
        out.append(#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#)
        out.append("</worksheet>")
    }

    private func appendCell(_ cell: Cell, kind: Column.Kind, reference: [UInt8], row: Int, to out: inout ByteWriter) {
        let style = styles.style(for: cell, kind: kind)
        switch cell {
        case .empty:
            return
        case .text(let text):
            appendText(text, reference: reference, row: row, style: style, to: &out)
            return
        case .bool:
            appendCellStart(reference: reference, row: row, style: style, type: "b", to: &out)
        default:
            appendCellStart(reference: reference, row: row, style: style, type: nil, to: &out)
        }
        out.append("<v>")
        switch cell {
        case .number(let value): out.appendExactNumber(value)
        case .integer(let value): out.appendDecimal(value)
        case .date(let day): out.appendDecimal(day.excelSerial)
        case .dateTime(let date): out.appendExactNumber(LocalTime(date, in: cellText.timeZone).excelSerial)
        case .bool(let value): out.append(value ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        case .text, .empty: break
        }
        out.append("</v></c>")
    }

    private func appendText(_ text: String, reference: [UInt8], row: Int, style: Int, to out: inout ByteWriter) {
        guard !text.isEmpty else { return }
        appendCellStart(reference: reference, row: row, style: style, type: "inlineStr", to: &out)
        var text = text
        text.withUTF8 { utf8 in
            // XML parsers may collapse white space (space, tab, CR, LF) at the ends or inside.
            func isXMLSpace(_ byte: UInt8) -> Bool {
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r")
            }
            let needsPreserve = isXMLSpace(utf8[0]) || isXMLSpace(utf8[utf8.count - 1])
                || utf8.contains { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            out.append(needsPreserve ? #"<is><t xml:space="preserve">"# : "<is><t>")
            out.appendXMLEscaped(utf8, escapingOOXMLUnderscores: true)
        }
        out.append("</t></is></c>")
    }

    private func appendCellStart(
        reference: [UInt8], row: Int, style: Int, type: StaticString?, to out: inout ByteWriter
    ) {
        out.append(#"<c r=""#)
        out.append(reference)
        out.appendDecimal(row)
        out.append(#"""#)
        if style != StyleTable.general {
            out.append(#" s=""#)
            out.appendDecimal(style)
            out.append(#"""#)
        }
        if let type {
            out.append(#" t=""#)
            out.append(type)
            out.append(#"""#)
        }
        out.append(">")
    }

    /// The column's width in characters: its own, or one that fits the header and the first
    /// rows (between 8 and 60).
    private func width(of index: Int) -> Double {
        let column = sheet.columns[index]
        if let width = column.width {
            return width
        }
        var widest = Double(column.header.count) * 1.15  // the header is bold
        switch column.kind {
        case .date: widest = max(widest, 10)
        case .dateTime: widest = max(widest, 16)
        default:
            for row in sheet.rows.prefix(200) where index < row.count {
                let text = cellText.string(row[index], kind: column.kind)
                let longestLine = text.split(separator: "\n").map(\.count).max() ?? 0
                widest = max(widest, Double(longestLine))
            }
        }
        return min(max((widest + 2).rounded(.up), 8), 60)
    }

    /// The letters of the column at `index` (0 is A, 25 is Z, 26 is AA, 16,383 is XFD).
    static func columnName(_ index: Int) -> [UInt8] {
        var letters: [UInt8] = []
        var number = index + 1
        while number > 0 {
            number -= 1
            letters.append(UInt8(ascii: "A") + UInt8(number % 26))
            number /= 26
        }
        return letters.reversed()
    }
}
