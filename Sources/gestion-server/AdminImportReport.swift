import CommandLineSupport
import Foundation
import SyncCore

/// One problem of an assignment file: where (row and column) and why, in words a supervisor
/// understands. Never personal data: the borrower's name and the credit number are not repeated.
struct ImportProblem: Sendable, Equatable {
    /// The line of the file where the row starts; 1 is the header.
    var row: Int
    /// The column as the file names it; empty for the whole row.
    var field: String
    var kind: ImportProblemKind
    var reason: String
}

/// The kinds of problem, for the summary's counts.
enum ImportProblemKind: String, CaseIterable, Sendable {
    // The file and its header.
    case unknownColumn, missingColumn, repeatedColumn, noRows
    // The shape of a row.
    case csvSyntax, tooManyFields, tooFewFields, valueInUnnamedColumn
    // Any value.
    case missingValue, lineBreak, controlCharacter, lostCharacter, tooLong
    // The credit number.
    case creditScientific, creditDecimals, creditNotDigits, creditNineDigits, creditLength, creditRepeated
    case nameWithoutLetters
    // The assignment date.
    case dateFormat, dateTwoDigitYear, dateWithTime, dateSerialNumber, dateNotReal, dateDayMonthSwapped, dateFuture
    // Catalogue values.
    case unknownSegmento, unknownEtiqueta, unknownTipoConvenio, unknownCriterio, unknownEntrada
    // Breached convenios.
    case breachesNotWhole, breachesNegative, breachesTooMany
    // What the entry needs.
    case entryNeedsSegment, entryNeedsLabel
    // The asesor.
    case asesorName, asesorUnknown, asesorNotAsesor, asesorDisabled
    // Refused by the domain's rules against what Gestión Móvil holds.
    case noProposal, roundNotEnded, excludedForGood, excluded, refusedByRule

    /// What the kind means, for the summary on screen.
    var title: String {
        switch self {
        case .unknownColumn: "a column the import does not know"
        case .missingColumn: "a required column is missing"
        case .repeatedColumn: "a column appears twice"
        case .noRows: "the file has no rows"
        case .csvSyntax: "the row is not valid CSV (quotes)"
        case .tooManyFields: "more values than columns"
        case .tooFewFields: "fewer values than columns"
        case .valueInUnnamedColumn: "a value in a column without a name"
        case .missingValue: "a required value is empty"
        case .lineBreak: "a line break inside a value"
        case .controlCharacter: "an invisible control character"
        case .lostCharacter: "a character lost in a conversion (�)"
        case .tooLong: "a value too long"
        case .creditScientific: "credit number in scientific notation"
        case .creditDecimals: "credit number with decimals"
        case .creditNotDigits: "credit number with characters other than digits"
        case .creditNineDigits: "credit number of 9 digits (lost leading zero?)"
        case .creditLength: "credit number without 10 digits"
        case .creditRepeated: "credit number repeated in the file"
        case .nameWithoutLetters: "a name without letters"
        case .dateFormat: "a date that is not day/month/year or year-month-day"
        case .dateTwoDigitYear: "a date with a two-digit year"
        case .dateWithTime: "a date with a time"
        case .dateSerialNumber: "a date as a spreadsheet serial number"
        case .dateNotReal: "a date that does not exist"
        case .dateDayMonthSwapped: "a date written month first"
        case .dateFuture: "an assignment date after today"
        case .unknownSegmento: "an unknown segment"
        case .unknownEtiqueta: "an unknown label"
        case .unknownTipoConvenio: "an unknown convenio type"
        case .unknownCriterio: "an unknown exclusion criterion"
        case .unknownEntrada: "an unknown entry"
        case .breachesNotWhole: "breached convenios not a whole number"
        case .breachesNegative: "breached convenios below zero"
        case .breachesTooMany: "more than two breached convenios"
        case .entryNeedsSegment: "entry B needs the segment Recuperación Especializada"
        case .entryNeedsLabel: "the entry and the label disagree"
        case .asesorName: "an asesor user name that is not valid"
        case .asesorUnknown: "an asesor who is not a user"
        case .asesorNotAsesor: "a user who is not an asesor"
        case .asesorDisabled: "an asesor whose user is disabled"
        case .noProposal: "entry A without a proposal reviewed as susceptible"
        case .roundNotEnded: "re-mediation while the current round is open"
        case .excludedForGood: "a credit excluded for two breached convenios"
        case .excluded: "a credit excluded from mediation"
        case .refusedByRule: "refused by a rule of the service"
        }
    }

    /// The kind of a refusal by the domain's rules.
    init(rejectionCode code: String) {
        switch code {
        case "entrada_sin_propuesta": self = .noProposal
        case "remediacion_no_permite": self = .roundNotEnded
        case "credito_excluido": self = .excludedForGood
        case "cuenta_excluida": self = .excluded
        default: self = .refusedByRule
        }
    }
}

/// The error report: a CSV file with the columns row, field, reason.
enum ImportReport {
    /// Where the report goes by default: next to the file, `cuentas.csv` → `cuentas.errores.csv`.
    static func defaultPath(for file: String) -> String {
        let url = URL(fileURLWithPath: file)
        let base = url.pathExtension.lowercased() == "csv" ? url.deletingPathExtension() : url
        return base.path + ".errores.csv"
    }

    static let header = ["row", "field", "reason"]

    /// The report's bytes: UTF-8 with a byte order mark (so that Excel shows the accents), with
    /// the separator of the file it reports on (so that the same spreadsheet opens it in columns).
    static func data(_ problems: [ImportProblem], separator: UInt8) -> Data {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        func field(_ text: String) {
            let bytes = Array(text.utf8)
            if bytes.contains(where: { $0 == separator || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
                out.append(UInt8(ascii: "\""))
                for b in bytes {
                    if b == UInt8(ascii: "\"") { out.append(b) }
                    out.append(b)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: bytes)
            }
        }
        func line(_ fields: [String]) {
            for (index, text) in fields.enumerated() {
                if index > 0 { out.append(separator) }
                field(text)
            }
            out.append(contentsOf: [0x0D, 0x0A])
        }
        line(header)
        for problem in problems { line([String(problem.row), problem.field, problem.reason]) }
        return Data(out)
    }

    /// Whether the file at `path` is a report this command wrote (so it may be replaced or removed).
    static func isReport(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: 32)) ?? Data()
        return [",", ";", "\t"].contains { separator in
            start.starts(with: [0xEF, 0xBB, 0xBF] + Array(header.joined(separator: separator).utf8))
        }
    }

    /// The summary for the screen: counts by kind, then the first problems.
    static func summary(_ problems: [ImportProblem], firstCount: Int = 10) -> String {
        var counts: [ImportProblemKind: (count: Int, field: String)] = [:]
        for problem in problems {
            counts[problem.kind, default: (0, problem.field)].count += 1
        }
        let ordered = ImportProblemKind.allCases.compactMap { kind in counts[kind].map { (kind, $0.count, $0.field) } }
        let width = String(ordered.map(\.1).max() ?? 0).count
        var text = "By kind:\n"
        for (kind, count, field) in ordered {
            let number = String(repeating: " ", count: width - String(count).count) + String(count)
            text += "  \(number)  " + (field.isEmpty ? "" : "\(field): ") + kind.title + "\n"
        }
        text += problems.count > firstCount ? "The first \(firstCount):\n" : "Each one:\n"
        for problem in problems.prefix(firstCount) { text += "  " + line(problem) + "\n" }
        return text
    }

    /// `Row 7: fechaAsignacion: …`
    static func line(_ problem: ImportProblem) -> String {
        "Row \(problem.row): " + (problem.field.isEmpty ? "" : "\(problem.field): ") + problem.reason
    }
}
