import Foundation

/// Writes a ``Sheet`` as CSV (RFC 4180): a header line, then one line per row, every line with
/// one field per column, ended by CRLF.
///
/// Fields holding the separator, a double quote, CR or LF are quoted, with quotes doubled.
/// Cells become the text a spreadsheet shows for the same cell in the ``Workbook``: dates as
/// `yyyy-mm-dd`, date-times as `yyyy-mm-dd hh:mm` in `timeZone`, booleans as `TRUE`/`FALSE`,
/// numbers in general format or with the column's fixed decimals.
///
/// Turn on `byteOrderMark` for files meant to be opened by double-click in Excel, which reads
/// UTF-8 without a BOM as the ANSI code page (Latin-1 in Mexico).
public struct CSVWriter: Sendable {
    /// The field separator: an ASCII character other than `"`, CR and LF.
    public let separator: Unicode.Scalar
    /// Whether the output starts with the UTF-8 byte order mark (EF BB BF).
    public var byteOrderMark: Bool
    /// The zone in which `.dateTime` cells are written.
    public var timeZone: TimeZone

    public init(
        separator: Unicode.Scalar = ",", byteOrderMark: Bool = false,
        timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        precondition(
            separator.isASCII && !"\"\r\n".unicodeScalars.contains(separator),
            "a CSV separator must be ASCII and not a quote or line break")
        self.separator = separator
        self.byteOrderMark = byteOrderMark
        self.timeZone = timeZone
    }

    /// The CSV bytes of `sheet` (its name is not written).
    public func data(for sheet: Sheet) -> [UInt8] {
        let cellText = CellText(timeZone: timeZone)
        var out = ByteWriter(capacity: 64 + (sheet.rows.count + 1) * sheet.columns.count * 16)
        var field = ByteWriter()
        if byteOrderMark {
            out.append([0xEF, 0xBB, 0xBF])
        }
        guard !sheet.columns.isEmpty else { return out.finish() }
        for (index, column) in sheet.columns.enumerated() {
            field.removeAll()
            field.append(utf8: removingXMLForbiddenCharacters(column.header))
            appendField(field, separatedFromPrevious: index > 0, to: &out)
        }
        out.append("\r\n")
        for row in sheet.rows {
            for (index, column) in sheet.columns.enumerated() {
                field.removeAll()
                if index < row.count {
                    cellText.append(row[index], kind: column.kind, to: &field)
                }
                appendField(field, separatedFromPrevious: index > 0, to: &out)
            }
            out.append("\r\n")
        }
        return out.finish()
    }

    /// Appends one field, quoted if it holds the separator, a quote, CR or LF.
    private func appendField(_ field: borrowing ByteWriter, separatedFromPrevious: Bool, to out: inout ByteWriter) {
        let separatorByte = UInt8(separator.value)
        if separatedFromPrevious {
            out.append(separatorByte)
        }
        field.withUnsafeBytes { bytes in
            let needsQuotes = bytes.contains {
                $0 == separatorByte || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n")
            }
            guard needsQuotes else {
                out.append(bytes)
                return
            }
            out.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") {
                    out.append(byte)
                }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// The CSV bytes of a table with these columns and rows (see ``Sheet/init(name:columns:rows:)``
    /// for the checks).
    public func data(columns: [Column], rows: [[Cell]]) throws(SheetError) -> [UInt8] {
        data(for: try Sheet(name: "", columns: columns, rows: rows))
    }
}
