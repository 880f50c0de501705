import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// One row of the assignment that passed every check of the file, ready for the domain.
struct AssignmentRow: Sendable {
    /// The line of the file where it starts.
    var line: Int
    var numeroCredito: String
    var criterioExclusion: CriterioExclusion?
    /// The `importarCuenta` arguments.
    var arguments: JSONObject

    var mutation: ServerMutation { ServerMutation(name: ImportarCuenta.name, args: arguments) }
}

/// An assignment file, read and checked row by row: every problem is collected, none stops
/// the reading (except a file that cannot be read as text, or a header that names no columns).
struct AssignmentFile {
    var encoding: TextEncoding
    var separator: UInt8
    /// The data rows (blank ones not counted).
    var rowCount = 0
    /// Rows with only separators, skipped.
    var blankRows = 0
    /// Each column the file has, as its header writes it.
    var headerNames: [AssignmentColumn: String] = [:]
    var rows: [AssignmentRow] = []
    var problems: [ImportProblem] = []

    /// The column's name as the file writes it (for the report), or the system's name.
    func name(_ column: AssignmentColumn) -> String { headerNames[column] ?? column.rawValue }

    /// How the separator is called.
    var separatorName: String {
        switch separator {
        case UInt8(ascii: ","): "',' (comma)"
        case UInt8(ascii: ";"): "';' (semicolon)"
        case UInt8(ascii: "\t"): "tab"
        default: "'\(Character(Unicode.Scalar(separator)))'"
        }
    }

    /// Reads and checks the file at `path`; dates after `today` are refused.
    /// - Throws: `CommandFailure` when the file cannot be read or is not text.
    static func read(path: String, today: FechaCivil) throws -> AssignmentFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("Cannot read \(path).") }
        // A NUL byte is in no spreadsheet's CSV: UTF-16 that lost its byte order mark, or not text
        // at all. Read as Windows-1252 it would give a report of columns named in garbage.
        if !data.starts(with: [0xFF, 0xFE]), !data.starts(with: [0xFE, 0xFF]), let nul = data.firstIndex(of: 0) {
            let line = data[data.startIndex..<nul].filter { $0 == 0x0A }.count + 1
            throw CommandFailure(
                "\(path) is not a CSV text file: line \(line) holds a NUL byte (UTF-16 without its byte order mark, or a "
                    + "spreadsheet's own format). Save it from the spreadsheet as “CSV UTF-8” and import that file."
            )
        }
        let decoded: DecodedText
        do {
            decoded = try TextDecoding.decode(Array(data))
        } catch {
            throw CommandFailure("\(path): \(error.description).")
        }
        var bytes = decoded.utf8
        // Excel's hint line `sep=;` names the separator and is not part of the data.
        var hinted: UInt8?
        var lineOffset = 0
        if bytes.count >= 5, TextKey.fold(String(decoding: bytes.prefix(4), as: UTF8.self)) == "sep",
            bytes[3] == UInt8(ascii: "="), bytes.count == 5 || [0x0A, 0x0D].contains(bytes[5])
        {
            hinted = bytes[4]
            let end = bytes.count > 6 && bytes[5] == 0x0D && bytes[6] == 0x0A ? 7 : 6
            bytes.removeFirst(min(end, bytes.count))
            lineOffset = 1
        }
        let separator = hinted ?? CSV.detectSeparator(utf8: bytes) ?? UInt8(ascii: ",")
        var file = AssignmentFile(encoding: decoded.encoding, separator: separator)
        var records = CSV.records(utf8: bytes, separator: separator)
        if lineOffset > 0 { for index in records.indices { records[index].line += lineOffset } }
        guard let header = records.first else { throw CommandFailure("\(path) is empty.") }
        guard let columns = file.readHeader(header) else { return file }
        var checker = RowChecker(today: today)
        for record in records.dropFirst() {
            file.check(record, columns: columns, checker: &checker)
        }
        if file.rowCount == 0 {
            file.problems.append(
                ImportProblem(row: header.line, field: "", kind: .noRows, reason: "The file has a header but no rows: nothing to import.")
            )
        }
        return file
    }

    /// Maps the header's names to columns; `nil` (with the problems noted) when the rows cannot
    /// be read by it.
    mutating func readHeader(_ header: CSVRecord) -> [AssignmentColumn?]? {
        let row = header.line
        if let problem = header.problem {
            problems.append(ImportProblem(row: row, field: "", kind: .csvSyntax, reason: "The header is not valid CSV: \(problem)."))
            return nil
        }
        var columns: [AssignmentColumn?] = []
        for raw in header.fields {
            let name = Text.trimmed(raw)
            if name.isEmpty {
                columns.append(nil)
                continue
            }
            guard let column = AssignmentColumn.named(name) else {
                problems.append(
                    ImportProblem(
                        row: row, field: name, kind: .unknownColumn,
                        reason: "Unknown column. The columns are: "
                            + AssignmentColumn.allCases.map { "\($0.spanish) (\($0.rawValue))" }.joined(separator: ", ") + "."
                    )
                )
                columns.append(nil)
                continue
            }
            if let earlier = headerNames[column] {
                problems.append(
                    ImportProblem(
                        row: row, field: name, kind: .repeatedColumn,
                        reason: "The column \(column.spanish) is already in the header as “\(earlier)”."
                    )
                )
            } else {
                headerNames[column] = name
            }
            columns.append(column)
        }
        for column in AssignmentColumn.allCases where column.isRequired && headerNames[column] == nil {
            problems.append(
                ImportProblem(
                    row: row, field: column.spanish, kind: .missingColumn,
                    reason: "The header lacks the column \(column.spanish) (or \(column.rawValue)); every row needs it."
                )
            )
        }
        return problems.isEmpty ? columns : nil
    }

    /// Checks one data row: a valid one joins `rows`, a bad one adds its problems.
    mutating func check(_ record: CSVRecord, columns: [AssignmentColumn?], checker: inout RowChecker) {
        let row = record.line
        if let problem = record.problem {
            rowCount += 1
            let field = record.problemField.flatMap { columns.indices.contains($0) ? columns[$0] : nil }.map(name) ?? ""
            problems.append(ImportProblem(row: row, field: field, kind: .csvSyntax, reason: "Not valid CSV: \(problem)."))
            return
        }
        var values = record.fields.map(Text.trimmed)
        if values.allSatisfy(\.isEmpty) {
            blankRows += 1
            return
        }
        rowCount += 1
        if values.count > columns.count, values[columns.count...].contains(where: { !$0.isEmpty }) {
            problems.append(
                ImportProblem(
                    row: row, field: "", kind: .tooManyFields,
                    reason: "\(values.count) values where the header has \(columns.count) columns "
                        + "(a value holding the separator must be enclosed in quotes)."
                )
            )
            return
        }
        // Columns without a name at the end of the header may be missing from a row.
        if values.count < columns.count, columns[values.count...].allSatisfy({ $0 == nil }) {
            values += Array(repeating: "", count: columns.count - values.count)
        }
        if values.count < columns.count {
            problems.append(
                ImportProblem(
                    row: row, field: "", kind: .tooFewFields,
                    reason: "\(values.count) values where the header has \(columns.count) columns."
                )
            )
            return
        }
        var cells: [AssignmentColumn: String] = [:]
        var found: [ImportProblem] = []
        for (index, column) in columns.enumerated() {
            guard let column else {
                if !values[index].isEmpty {
                    found.append(
                        ImportProblem(
                            row: row, field: "column \(index + 1)", kind: .valueInUnnamedColumn,
                            reason: "A value in a column without a name in the header: name the column or empty it."
                        )
                    )
                }
                continue
            }
            if cells[column] == nil { cells[column] = values[index] }
        }
        if let parsed = checker.check(row: row, cells: cells, name: name, problems: &found), found.isEmpty {
            rows.append(parsed)
        }
        problems.append(contentsOf: found)
    }

    /// Checks the asesores the rows name against the users: each must be an enabled user with the
    /// role asesor. Rows naming another are taken out of `rows`.
    mutating func checkAsesores(_ user: (String) -> StoredUser?) {
        var known: [String: ImportProblem?] = [:]
        var kept: [AssignmentRow] = []
        for row in rows {
            guard let asesor = row.arguments["asesor"]?.stringValue else {
                kept.append(row)
                continue
            }
            let problem: ImportProblem?
            if let cached = known[asesor] {
                problem = cached
            } else {
                switch user(asesor) {
                case nil:
                    problem = ImportProblem(
                        row: 0, field: name(.asesor), kind: .asesorUnknown,
                        reason: "There is no user “\(asesor)”; create it (admin user add --role asesor) or correct the name."
                    )
                case let found? where found.role != Rol.asesor.rawValue:
                    problem = ImportProblem(
                        row: 0, field: name(.asesor), kind: .asesorNotAsesor,
                        reason: "The user “\(asesor)” has the role \(found.role), not asesor."
                    )
                case let found? where found.disabled:
                    problem = ImportProblem(
                        row: 0, field: name(.asesor), kind: .asesorDisabled, reason: "The user “\(asesor)” is disabled."
                    )
                default:
                    problem = nil
                }
                known[asesor] = .some(problem)
            }
            if var problem {
                problem.row = row.line
                problems.append(problem)
            } else {
                kept.append(row)
            }
        }
        rows = kept
    }
}

/// The checks of one row's values. Remembers the credit numbers seen and the catalogue values
/// already matched.
struct RowChecker {
    let today: FechaCivil
    var creditRows: [String: Int] = [:]
    var segmentos = AssignmentVocabulary.Matcher<Segmento>(AssignmentVocabulary.segmentos)
    var etiquetas = AssignmentVocabulary.Matcher<Etiqueta>(AssignmentVocabulary.etiquetas)
    var tipos = AssignmentVocabulary.Matcher<TipoConvenio>(AssignmentVocabulary.tiposConvenio)
    var criterios = AssignmentVocabulary.Matcher<CriterioExclusion>(AssignmentVocabulary.criterios)
    var entradas = AssignmentVocabulary.Matcher<EntradaServicio>(AssignmentVocabulary.entradas)
    var dates: [String: Result<FechaCivil, DateProblem>] = [:]

    init(today: FechaCivil) {
        self.today = today
    }

    /// The row, or `nil` with its problems added to `problems`.
    mutating func check(
        row: Int, cells: [AssignmentColumn: String], name: (AssignmentColumn) -> String, problems: inout [ImportProblem]
    ) -> AssignmentRow? {
        let before = problems.count
        func problem(_ column: AssignmentColumn, _ kind: ImportProblemKind, _ reason: String) {
            problems.append(ImportProblem(row: row, field: name(column), kind: kind, reason: reason))
        }
        /// The value of a required column, or `nil` (with the problem) when it is empty.
        func required(_ column: AssignmentColumn) -> String? {
            let value = cells[column] ?? ""
            if value.isEmpty {
                problem(column, .missingValue, "Empty: every row needs the \(column.spanish).")
                return nil
            }
            return value
        }
        /// A free-text value: no line breaks, invisible characters, lost characters; not too long.
        func text(_ column: AssignmentColumn) -> String? {
            guard let value = required(column) else { return nil }
            if let (kind, reason) = Text.problem(value) {
                problem(column, kind, reason)
                return nil
            }
            return value
        }
        /// A catalogue value, or `nil` with the problem.
        func catalogue<Value: Catalogo>(
            _ column: AssignmentColumn, _ matcher: inout AssignmentVocabulary.Matcher<Value>, _ kind: ImportProblemKind,
            what: String, write: String? = nil, optional: Bool = false
        ) -> Value? {
            let value = cells[column] ?? ""
            if value.isEmpty {
                if !optional { problem(column, .missingValue, "Empty: every row needs the \(column.spanish).") }
                return nil
            }
            guard let found = matcher.value(value) else {
                problem(column, kind, "\(Text.quoted(value)) is not \(what); write \(write ?? Value.catalogueList).")
                return nil
            }
            return found
        }

        // Credit number.
        let numero = required(.numeroCredito).flatMap { value -> String? in
            if let (kind, reason) = Text.creditProblem(value) {
                problem(.numeroCredito, kind, reason)
                return nil
            }
            if let earlier = creditRows[value] {
                problem(.numeroCredito, .creditRepeated, "The same credit number is in row \(earlier): each credit appears once.")
                return nil
            }
            creditRows[value] = row
            return value
        }
        let acreditado = text(.acreditado)
        if let acreditado, !acreditado.unicodeScalars.contains(where: \.properties.isAlphabetic) {
            problem(.acreditado, .nameWithoutLetters, "The borrower's name has no letters.")
        }
        let delegacion = text(.delegacion)
        let despacho = text(.despacho)

        // Assignment date.
        var fecha: FechaCivil?
        if let value = required(.fechaAsignacion) {
            if dates[value] == nil { dates[value] = Dates.parse(value) }
            switch dates[value]! {
            case .success(let parsed) where parsed > today:
                problem(.fechaAsignacion, .dateFuture, "\(parsed) is after today (\(today)): an assignment date cannot be in the future.")
            case .success(let parsed):
                fecha = parsed
            case .failure(let bad):
                problem(.fechaAsignacion, bad.kind, bad.reason)
            }
        }

        let segmento = catalogue(.segmento, &segmentos, .unknownSegmento, what: "a segment")
        let etiqueta = catalogue(.etiqueta, &etiquetas, .unknownEtiqueta, what: "a label")
        let tipo = catalogue(.tipoConvenio, &tipos, .unknownTipoConvenio, what: "a convenio type")
        var criterio = catalogue(
            .criterioExclusion, &criterios, .unknownCriterio, what: "an exclusion criterion of the Guía", optional: true
        )
        let entrada = catalogue(
            .entrada, &entradas, .unknownEntrada, what: "an entry",
            write: "A (Anexo 1 A), B (Anexo 1 B), C (Anexo 1 C, re-mediation) or nothing for the monthly assignment",
            optional: true
        )

        // Breached convenios: 0, 1 or 2; two are the first exclusion criterion.
        var incumplidos: Int?
        if let value = cells[.conveniosIncumplidos], !value.isEmpty {
            if let number = Int(value) {
                if number < 0 {
                    problem(.conveniosIncumplidos, .breachesNegative, "\(number) is below zero: write 0, 1 or 2.")
                } else if number > 2 {
                    problem(
                        .conveniosIncumplidos, .breachesTooMany,
                        "\(number) is more than 2: two breached convenios already exclude the credit for good."
                    )
                } else {
                    incumplidos = number
                    if number == 2, criterio == nil { criterio = .dosConveniosIncumplidos }
                }
            } else {
                problem(.conveniosIncumplidos, .breachesNotWhole, "\(Text.quoted(value)) is not a whole number: write 0, 1 or 2.")
            }
        }

        // The asesor: a user name (checked against the users afterwards).
        var asesor: String?
        if let value = cells[.asesor], !value.isEmpty {
            let lowered = value.lowercased()
            if lowered.count >= 3, lowered.count <= 64,
                lowered.unicodeScalars.allSatisfy({ "abcdefghijklmnopqrstuvwxyz0123456789.-_".unicodeScalars.contains($0) })
            {
                asesor = lowered
            } else {
                problem(
                    .asesor, .asesorName,
                    "\(Text.quoted(value)) is not a user name: 3 to 64 lowercase letters, digits, '.', '-' or '_'."
                )
            }
        }

        // What the entry needs of the segment and the label (the domain checks it again).
        if let entrada, criterio == nil {
            if entrada == .recuperacionEspecializada, let segmento, segmento != .recuperacionEspecializada {
                problem(
                    .entrada, .entryNeedsSegment,
                    "Entry B (Anexo 1 B) is for accounts of the segment “\(Segmento.recuperacionEspecializada.rawValue)”, "
                        + "and this row says “\(segmento.rawValue)”."
                )
            }
            let label: Etiqueta = entrada == .remediacion ? .susceptibleDeRemediacion : .susceptibleDeMediacion
            if let etiqueta, etiqueta != label {
                problem(
                    .entrada, .entryNeedsLabel,
                    "The entry “\(entrada.rawValue)” labels accounts “\(label.rawValue)”, and this row says “\(etiqueta.rawValue)”."
                )
            }
        }

        guard problems.count == before, let numero, let acreditado, let delegacion, let despacho, let fecha, let segmento,
            let etiqueta, let tipo
        else { return nil }
        var arguments: JSONObject = [
            "numeroCredito": .string(numero), "acreditado": .string(acreditado), "delegacion": .string(delegacion),
            "despacho": .string(despacho), "fechaAsignacion": .string(fecha.description), "segmento": .string(segmento.rawValue),
            "etiqueta": .string(etiqueta.rawValue), "tipoConvenio": .string(tipo.rawValue),
        ]
        if let incumplidos { arguments["conveniosIncumplidos"] = .int(Int64(incumplidos)) }
        if let asesor { arguments["asesor"] = .string(asesor) }
        if let entrada { arguments["entrada"] = .string(entrada.rawValue) }
        if let criterio { arguments["criterioExclusion"] = .string(criterio.rawValue) }
        return AssignmentRow(line: row, numeroCredito: numero, criterioExclusion: criterio, arguments: arguments)
    }
}

/// Why a date cannot be read.
struct DateProblem: Error, Sendable {
    var kind: ImportProblemKind
    var reason: String
}

/// Dates as spreadsheets in Mexico write them: `2026-11-02` and `02/11/2026` (day first).
enum Dates {
    static func parse(_ text: String) -> Result<FechaCivil, DateProblem> {
        let quoted = Text.quoted(text)
        func fail(_ kind: ImportProblemKind, _ reason: String) -> Result<FechaCivil, DateProblem> {
            .failure(DateProblem(kind: kind, reason: reason))
        }
        if let space = text.firstIndex(where: { $0 == " " || $0 == "T" }), case .success = parse(String(text[..<space])) {
            return fail(.dateWithTime, "\(quoted) has a time: write only the date, e.g. 02/11/2026.")
        }
        let digitsOnly = text.allSatisfy { $0.isASCII && $0.isNumber }
        if digitsOnly, text.count == 5, let serial = Int(text) {
            let meant = FechaCivil(year: 1899, month: 12, day: 30).adding(days: serial)
            return fail(
                .dateSerialNumber,
                "\(quoted) is a spreadsheet's number for a date (\(meant)?): format the column as a date, e.g. 02/11/2026."
            )
        }
        let parts: [Substring]
        let dayFirst: Bool
        if let separator = ["/", "-", "."].first(where: { text.contains($0) }) {
            parts = text.split(separator: Character(separator), omittingEmptySubsequences: false)
            dayFirst = !(parts.first?.count == 4)
        } else {
            return fail(.dateFormat, "\(quoted) is not a date: write day/month/year (02/11/2026) or year-month-day (2026-11-02).")
        }
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let a = Int(parts[0]), let b = Int(parts[1]), let c = Int(parts[2])
        else {
            return fail(.dateFormat, "\(quoted) is not a date: write day/month/year (02/11/2026) or year-month-day (2026-11-02).")
        }
        let (year, month, day): (Int, Int, Int)
        if dayFirst {
            guard parts[2].count == 4, parts[0].count <= 2, parts[1].count <= 2 else {
                if parts[2].count == 2 {
                    return fail(.dateTwoDigitYear, "\(quoted) has a two-digit year: write the year with four digits, e.g. 02/11/2026.")
                }
                return fail(.dateFormat, "\(quoted) is not a date: write day/month/year (02/11/2026) or year-month-day (2026-11-02).")
            }
            (year, month, day) = (c, b, a)
            if month > 12, (1...12).contains(day), (1...daysIn(month: day, year: year)).contains(month) {
                return fail(
                    .dateDayMonthSwapped,
                    "\(quoted) puts the month first: dates are day/month/year, e.g. \(String(format: "%02d/%02d/%04d", month, day, year))."
                )
            }
        } else {
            guard parts[1].count <= 2, parts[2].count <= 2 else {
                return fail(.dateFormat, "\(quoted) is not a date: write day/month/year (02/11/2026) or year-month-day (2026-11-02).")
            }
            (year, month, day) = (a, b, c)
        }
        guard year >= 1900, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else {
            return fail(.dateNotReal, "\(quoted) is not a real date.")
        }
        return .success(FechaCivil(year: year, month: month, day: day))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        case 1...12: 31
        default: 0
        }
    }
}

/// Checks of values as text.
enum Text {
    /// Without spaces (also no-break spaces) at either end.
    static func trimmed(_ value: String) -> String {
        guard let first = value.utf8.first, let last = value.utf8.last else { return value }
        let edge: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 }
        guard edge(first) || edge(last) else { return value }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// A value to show in a message: in quotes, cut at 40 characters.
    static func quoted(_ value: String) -> String {
        "“" + (value.count > 40 ? String(value.prefix(40)) + "…" : value) + "”"
    }

    static let maximumLength = 200

    /// What is wrong with a free-text value, if anything.
    static func problem(_ value: String) -> (ImportProblemKind, String)? {
        let utf8 = value.utf8
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for b in utf8 {
            if b == 0x0A || b == 0x0D { return (.lineBreak, "Holds a line break: a value must fit on one line.") }
            if b < 0x20 || b == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(b)) {
                return (.controlCharacter, "Holds an invisible control character: type the value again.")
            }
            if beforePrevious == 0xEF, previous == 0xBF, b == 0xBD {
                return (
                    .lostCharacter,
                    "Holds the character “�”, left where a letter was lost converting the file: export it again as CSV UTF-8."
                )
            }
            beforePrevious = previous
            previous = b
        }
        if utf8.count > maximumLength, value.count > maximumLength {
            return (.tooLong, "\(value.count) characters: at most \(maximumLength).")
        }
        return nil
    }

    /// What is wrong with a credit number, if anything. Never repeats the number.
    static func creditProblem(_ value: String) -> (ImportProblemKind, String)? {
        let bytes = Array(value.utf8)
        if bytes.allSatisfy({ (0x30...0x39).contains($0) }) {
            if bytes.count == 10 { return nil }
            if bytes.count == 9 {
                return (
                    .creditNineDigits,
                    "Has 9 digits; a credit number has 10. If it began with 0 the spreadsheet dropped it: format the column as text."
                )
            }
            return (.creditLength, "Has \(bytes.count) digits; a credit number has 10.")
        }
        if value.lowercased().contains("e+") {
            return (
                .creditScientific,
                "Written in scientific notation (like 1E+09): the spreadsheet turned it into a number. Format the column as text and type it again."
            )
        }
        if let dot = value.firstIndex(where: { $0 == "." || $0 == "," }),
            value[..<dot].allSatisfy({ $0.isASCII && $0.isNumber }),
            value[value.index(after: dot)...].allSatisfy({ $0 == "0" })
        {
            return (.creditDecimals, "Written with decimals: a credit number is 10 digits; format the column as text.")
        }
        return (.creditNotDigits, "Has characters other than digits; a credit number is 10 digits.")
    }
}
