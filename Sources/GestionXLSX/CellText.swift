import Foundation

/// How cells become text: the CSV writer's output, and what a spreadsheet application shows for
/// the formats the workbook writes.
struct CellText {
    let timeZone: TimeZone

    /// Appends the text of `cell` in a column of `kind`.
    func append(_ cell: Cell, kind: Column.Kind, to writer: inout ByteWriter) {
        switch cell {
        case .text(let text):
            writer.append(utf8: removingXMLForbiddenCharacters(text))
        case .number(let value):
            if case .decimal(let places) = kind {
                writer.appendFixed(value, places: places)
            } else {
                writer.appendGeneral(value)
            }
        case .integer(let value):
            writer.appendDecimal(value)
        case .date(let day):
            writer.appendISO(day)
        case .dateTime(let date):
            writer.appendMinutes(LocalTime(date, in: timeZone))
        case .bool(let value):
            writer.append(value ? "TRUE" : "FALSE")
        case .empty:
            break
        }
    }

    /// The text of `cell` in a column of `kind`.
    func string(_ cell: Cell, kind: Column.Kind) -> String {
        if case .text(let text) = cell {
            return removingXMLForbiddenCharacters(text)
        }
        var writer = ByteWriter()
        append(cell, kind: kind, to: &writer)
        return writer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
