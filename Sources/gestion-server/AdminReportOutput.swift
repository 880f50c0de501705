import Foundation
import GestionXLSX
import Mediacion

/// Turns a domain `Reporte` into the files of `admin report`: an `.xlsx` workbook (one sheet per
/// table) or CSV files (one per table).
enum ReportOutput {
    /// The zone in which the institution reads dates.
    static let timeZone = CalendarioMX.zonaHoraria

    /// Writes `reporte` and returns the files written. Every target is checked before anything
    /// is written: an existing file is replaced only with `force`.
    static func write(_ reporte: Reporte, format: AdminReport.Format, to out: URL, force: Bool, createdAt: Date) throws -> [URL] {
        let sheets: [Sheet]
        do {
            sheets = try reporte.tablas.map(sheet)
        } catch {
            throw CommandFailure("The report does not fit in a spreadsheet: \(error)")
        }
        let files: [(URL, [UInt8])]
        switch format {
        case .xlsx:
            var workbook = Workbook(timeZone: timeZone, title: reporte.titulo)
            for sheet in sheets { workbook.addSheet(sheet) }
            do {
                files = [(out, try workbook.data(createdAt: createdAt))]
            } catch {
                throw CommandFailure("The workbook could not be built: \(error)")
            }
        case .csv:
            let writer = CSVWriter(separator: ",", byteOrderMark: true, timeZone: timeZone)
            files = sheets.enumerated().map { index, sheet in
                (index == 0 ? out : companion(of: out, table: sheet.name), writer.data(for: sheet))
            }
        }
        for (url, _) in files { try checkWritable(url, force: force) }
        for (url, bytes) in files {
            do {
                try Data(bytes).write(to: url, options: force ? .atomic : .withoutOverwriting)
            } catch {
                throw CommandFailure("Cannot write \(url.path): \(reason(error)).")
            }
        }
        return files.map(\.0)
    }

    /// The CSV file of a report's second and later tables: `informe.csv` → `informe-resumen.csv`.
    static func companion(of out: URL, table: String) -> URL {
        let slug = table.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        let stem = out.deletingPathExtension().lastPathComponent
        let ext = out.pathExtension.isEmpty ? "csv" : out.pathExtension
        return out.deletingLastPathComponent().appendingPathComponent("\(stem)-\(slug).\(ext)")
    }

    private static func checkWritable(_ url: URL, force: Bool) throws {
        var isDirectory: ObjCBool = false
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure("Cannot write \(url.path): the directory \(parent) does not exist.")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw CommandFailure("Cannot write \(url.path): it is a directory.") }
            if !force { throw CommandFailure("\(url.path) already exists; add --force to replace it.") }
        }
        guard FileManager.default.isWritableFile(atPath: parent) else {
            throw CommandFailure("Cannot write \(url.path): the directory is not writable.")
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.code {
        case .fileWriteFileExists?: "it already exists (add --force to replace it)"
        case .fileWriteNoPermission?: "permission denied"
        case .fileWriteOutOfSpace?: "the disk is full"
        case .fileNoSuchFile?: "no such directory"
        default: "\(error.localizedDescription)"
        }
    }

    // MARK: Cells

    /// A report table as a sheet.
    static func sheet(_ tabla: TablaReporte) throws(SheetError) -> Sheet {
        try Sheet(name: tabla.nombre, columns: tabla.columnas.map(column), rows: tabla.filas.map { $0.map(cell) })
    }

    static func column(_ columna: Columna) -> Column {
        switch columna.tipo {
        case .texto: Column(columna.encabezado, kind: .text)
        case .entero: Column(columna.encabezado, kind: .integer)
        case .dinero: Column(columna.encabezado, kind: .decimal(places: 2))
        case .numero: Column(columna.encabezado, kind: .general)
        case .fecha: Column(columna.encabezado, kind: .date)
        }
    }

    static func cell(_ celda: Celda) -> Cell {
        switch celda {
        case .texto(let texto): .text(texto)
        case .entero(let numero): .integer(Int64(numero))
        case .dinero(let monto): .number(monto)
        case .numero(let numero): .number(numero)
        case .fecha(let fecha): .date(year: fecha.year, month: fecha.month, day: fecha.day)
        case .vacia: .empty
        }
    }
}
