import CommandLineSupport
import Foundation
import GestionServer
import Mediacion
import SyncCore

/// `gestion-server admin report NAME --month YYYY-MM [--format xlsx|csv] --out FILE`: the
/// institution's monthly reports and outputs to other systems (docs/reports.md).
enum AdminReport {
    static let spec = CommandSpec(
        path: "gestion-server admin report",
        overview: "The institution's monthly reports and outputs to other systems, as .xlsx or CSV.",
        arguments: [("<name>", "One of: \(TipoReporte.nombres).")],
        options: [
            ServerCommandLine.dataDirectoryOption,
            .value("month", "<YYYY-MM>", "The calendar month (Mexico City)."),
            .value("format", "<xlsx|csv>", "The file format (default: from the --out extension, else xlsx)."),
            .value("out", "<file>", "Where to write the report."),
            .value("delegacion", "<name>", "Only the accounts of this delegación (accents and case ignored)."),
            .flag("force", "Replace the output file if it exists."),
        ] + AdminAuthorization.options,
        discussion: """
            REPORTS:
            \(TipoReporte.allCases.map { "  " + $0.rawValue.padding(toLength: 28, withPad: " ", startingAt: 0) + "\($0.titulo) (\($0.fuente))" }.joined(separator: "\n"))

            Months are calendar months in Mexico City. CSV is UTF-8 with a byte order mark,
            comma-separated, dates as YYYY-MM-DD. A report of several tables (delegacion-mensual:
            Convenios and Resumen) is one workbook with a sheet per table, or one CSV file per
            table: FILE for the first, FILE-<table>.csv for the others. See docs/reports.md.
            """
    )

    /// The file formats.
    enum Format: String {
        case xlsx
        case csv
    }

    /// A validated command line.
    struct Request {
        var tipo: TipoReporte
        var mes: Mes
        var format: Format
        var out: URL
        var delegacion: String?
        var force: Bool

        init(_ parsed: ParsedArguments) throws(UsageError) {
            let name = try parsed.positionals(exactly: 2, names: "the report name (\(TipoReporte.nombres))")[1]
            guard let tipo = TipoReporte(rawValue: name) else {
                throw UsageError("Unknown report '\(name)'. Reports: \(TipoReporte.nombres).")
            }
            let monthText = try parsed.required("month")
            guard let mes = Mes(monthText) else {
                throw UsageError("'--month' must be a calendar month like 2027-01 (YYYY-MM).")
            }
            let path = try parsed.required("out")
            let out = URL(fileURLWithPath: path)
            let byExtension = Format(rawValue: out.pathExtension.lowercased())
            var format = byExtension ?? .xlsx
            if let text = parsed.values["format"] {
                guard let chosen = Format(rawValue: text.lowercased()) else {
                    throw UsageError("'--format' must be xlsx or csv.")
                }
                if let byExtension, byExtension != chosen {
                    throw UsageError("'--format \(chosen.rawValue)' but '--out' ends in .\(byExtension.rawValue).")
                }
                format = chosen
            }
            let delegacion = parsed.values["delegacion"]?.trimmingCharacters(in: .whitespaces)
            if let delegacion, delegacion.isEmpty { throw UsageError("'--delegacion' needs a name.") }
            self.tipo = tipo
            self.mes = mes
            self.format = format
            self.out = out
            self.delegacion = delegacion
            self.force = parsed.flags.contains("force")
        }
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let request = try Request(parsed)
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        let actor = try AdminAuthorization.authorize(.report, parsed: parsed, store: store)
        let now = ExecutableClock.fromEnvironment()()
        var subjects = ["report/\(request.tipo)", "month/\(request.mes)"]
        if let delegacion = request.delegacion { subjects.append("delegacion/\(delegacion)") }
        func audit(_ outcome: String) {
            try? store.appendAudit(
                AuditEntry(
                    kind: "admin", action: "report", actor: actor.user, role: actor.role, device: "gestion-server",
                    subjects: subjects, outcome: outcome
                ),
                at: now
            )
        }
        do {
            let reporte = try compute(request, store: store)
            let files = try ReportOutput.write(reporte, format: request.format, to: request.out, force: request.force, createdAt: now)
            audit("ok:\(reporte.filas) rows, \(request.format.rawValue)")
            let tables = reporte.tablas.count > 1
                ? " (" + reporte.tablas.map { "\($0.nombre): \($0.filas.count)" }.joined(separator: ", ") + ")" : ""
            print(
                "Wrote \(request.tipo) for \(request.mes): \(reporte.filas) row\(reporte.filas == 1 ? "" : "s")\(tables) to "
                    + files.map(\.path).joined(separator: " and ") + "."
            )
            return ExitStatus.success
        } catch {
            audit("failed:\(error is UsageError ? "usage" : "error"): \(error)")
            throw error
        }
    }

    /// The report from the store's current records.
    static func compute(_ request: Request, store: any SyncStore) throws -> Reporte {
        var datos: DatosReporte
        do {
            datos = try DatosReporte(para: request.tipo) { collection in Array(try store.records(in: collection).values) }
        } catch let error as SyncStoreError {
            throw CommandFailure(ServerCommandLine.describe(error))
        } catch {
            throw CommandFailure("The records could not be read: \(error)")
        }
        if let wanted = request.delegacion {
            guard let delegacion = datos.delegacion(llamada: wanted) else {
                let known = datos.delegaciones
                throw UsageError(
                    "No account belongs to the delegación '\(wanted)'."
                        + (known.isEmpty ? "" : " Delegaciones: \(known.joined(separator: ", ")).")
                )
            }
            datos = datos.soloDe(delegacion: delegacion)
        }
        return Reportes.generar(request.tipo, mes: request.mes, datos: datos)
    }
}
