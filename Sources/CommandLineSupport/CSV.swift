/// A CSV parse failure, with its 1-based line.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }

    /// A failure at `line` (1-based), with the reason in words for people.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// One record of a CSV file, with where it starts and, when it breaks the rules, why.
public struct CSVRecord: Sendable, Equatable {
    /// The 1-based line of the file where the record starts (a spreadsheet's row number while no
    /// cell holds a line break).
    public var line: Int
    /// The fields; for a record with a `problem`, those read before it.
    public var fields: [String]
    /// Why the record is not valid CSV, in words for people; `nil` when it is.
    public var problem: String?
    /// The 0-based position of the field where the problem is.
    public var problemField: Int?

    /// A record starting at `line`; `problem` and `problemField` when it breaks the rules.
    public init(line: Int, fields: [String], problem: String? = nil, problemField: Int? = nil) {
        self.line = line
        self.fields = fields
        self.problem = problem
        self.problemField = problemField
    }
}

/// RFC 4180 CSV: fields separated by a separator, optionally quoted with `"`, a doubled `""`
/// inside quotes for a quote; records end with CRLF, LF or CR; quoted fields may span lines.
/// Spaces before an opening quote and after a closing one are ignored. Empty lines are skipped.
public enum CSV {
    /// The separators spreadsheets write: comma, semicolon (Excel where the decimal mark is a
    /// comma, or set so), and tab ("Unicode text").
    public static let separators: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]

    /// Parses `text` into records of fields.
    /// - Throws: `CSVError` at the first record that breaks the rules.
    public static func parse(_ text: String, separator: Character = ",") throws(CSVError) -> [[String]] {
        guard let byte = separator.asciiValue else {
            preconditionFailure("a CSV separator is an ASCII character")
        }
        let records = records(utf8: Array(text.utf8), separator: byte)
        if let bad = records.first(where: { $0.problem != nil }) {
            throw CSVError(line: bad.line, reason: bad.problem ?? "")
        }
        return records.map(\.fields)
    }

    /// The separator of the first record of `bytes` (UTF-8): the one of `candidates` that occurs
    /// most often outside quotes, the first candidate on a tie; `nil` when none occurs.
    public static func detectSeparator(utf8 bytes: [UInt8], candidates: [UInt8] = separators) -> UInt8? {
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        for b in bytes {
            if b == quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if b == lf || b == cr { break }
                if let index = candidates.firstIndex(of: b) { counts[index] += 1 }
            }
        }
        guard let best = counts.max(), best > 0, let index = counts.firstIndex(of: best) else { return nil }
        return candidates[index]
    }

    static let quote = UInt8(ascii: "\"")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    /// Parses UTF-8 `bytes` into records, reading on after a record that breaks the rules: that
    /// record carries its `problem` and the parser resumes at the next line. An unclosed quote
    /// takes the rest of the file into its field; its record says so.
    public static func records(utf8 bytes: [UInt8], separator: UInt8 = UInt8(ascii: ",")) -> [CSVRecord] {
        precondition(separator != quote && separator != cr && separator != lf, "a CSV separator is not a quote or line break")
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(separator: separator)
            parser.run(buffer)
            return parser.records
        }
    }

    private struct Parser {
        enum State {
            /// At the start of a field; `field` holds only the spaces seen so far.
            case fieldStart
            case unquoted
            case quoted
            case afterClosingQuote
            /// Skipping the rest of a line after a problem.
            case skippingLine
        }

        let separator: UInt8
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var state = State.fieldStart
        /// Whether the record's last field was quoted: a line holding only `""` is a record.
        var lastFieldQuoted = false
        var line = 1
        var recordLine = 1
        var problem: String?
        var problemField: Int?

        init(separator: UInt8) {
            self.separator = separator
            field.reserveCapacity(256)
        }

        mutating func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }

        mutating func endRecord() {
            if state != .skippingLine { endField() }
            let blank = problem == nil && fields.count == 1 && fields[0].isEmpty && !lastFieldQuoted
            if !blank {
                records.append(CSVRecord(line: recordLine, fields: fields, problem: problem, problemField: problemField))
            }
            fields.removeAll(keepingCapacity: true)
            problem = nil
            problemField = nil
            state = .fieldStart
            lastFieldQuoted = false
        }

        mutating func fail(_ reason: String) {
            problem = reason
            problemField = fields.count
            field.removeAll(keepingCapacity: true)
            state = .skippingLine
        }

        mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) {
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                i += 1
                // Line ends outside quotes end the record; CRLF counts once.
                if (b == lf || b == cr) && state != .quoted {
                    if b == cr, i < n, bytes[i] == lf { i += 1 }
                    if state == .afterClosingQuote { lastFieldQuoted = true }
                    endRecord()
                    line += 1
                    recordLine = line
                    continue
                }
                switch state {
                case .skippingLine:
                    continue
                case .fieldStart:
                    if b == quote {
                        field.removeAll(keepingCapacity: true)
                        state = .quoted
                    } else if b == separator {
                        endField()
                    } else {
                        field.append(b)
                        if b != space && b != tab { state = .unquoted }
                    }
                case .unquoted:
                    if b == separator {
                        endField()
                        state = .fieldStart
                    } else if b == quote {
                        fail("a quote inside a field that does not start with one (enclose the field in quotes and double the quote)")
                    } else {
                        field.append(b)
                    }
                case .quoted:
                    if b == quote {
                        if i < n, bytes[i] == quote {
                            field.append(quote)
                            i += 1
                        } else {
                            state = .afterClosingQuote
                        }
                    } else {
                        if b == lf || (b == cr && !(i < n && bytes[i] == lf)) { line += 1 }
                        field.append(b)
                    }
                case .afterClosingQuote:
                    if b == separator {
                        endField()
                        state = .fieldStart
                    } else if b != space && b != tab {
                        fail("text after the closing quote of a field")
                    }
                }
            }
            switch state {
            case .quoted:
                problem = "a quoted field is not closed: the rest of the file was read as part of it"
                problemField = fields.count
                endRecord()
            case .fieldStart where fields.isEmpty && field.isEmpty:
                break
            case .afterClosingQuote:
                lastFieldQuoted = true
                endRecord()
            default:
                endRecord()
            }
        }
    }
}
