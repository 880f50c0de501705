/// A CSV parse failure, with its 1-based line.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// RFC 4180 CSV: fields separated by `separator`, optionally quoted with `"`, a doubled `""`
/// inside quotes for a quote; records end with CRLF or LF; quoted fields may span lines.
public enum CSV {
    /// Parses `text` into records of fields. Empty lines are skipped.
    public static func parse(_ text: String, separator: Character = ",") throws(CSVError) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil

        func endRecord() {
            record.append(field)
            if !(record.count == 1 && record[0].isEmpty && !fieldWasQuoted) { records.append(record) }
            record = []
            field = ""
            fieldWasQuoted = false
        }

        while let ch = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if ch == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.append("\"")
                        } else {
                            inQuotes = false
                            pending = next
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if ch == "\n" || ch == "\r\n" { line += 1 }
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"":
                guard field.isEmpty, !fieldWasQuoted else {
                    throw CSVError(line: line, reason: "a quote inside an unquoted field")
                }
                inQuotes = true
                fieldWasQuoted = true
            case separator:
                record.append(field)
                field = ""
                fieldWasQuoted = false
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
            default:
                guard !fieldWasQuoted else {
                    throw CSVError(line: line, reason: "text after a closing quote")
                }
                field.append(ch)
            }
        }
        if inQuotes { throw CSVError(line: line, reason: "a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }
}
