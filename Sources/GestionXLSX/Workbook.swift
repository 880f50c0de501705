import Foundation

/// An Excel workbook (`.xlsx`, Office Open XML SpreadsheetML) built in memory.
///
/// Each sheet has a bold, frozen header row; numbers, dates and booleans are stored as typed
/// values (dates as serial numbers of the 1900 date system, formatted `yyyy-mm-dd` and
/// `yyyy-mm-dd hh:mm`), text as inline strings. The package is a stored ZIP written by
/// ``ZipWriter``.
///
///     var workbook = Workbook(timeZone: TimeZone(identifier: "America/Mexico_City")!)
///     try workbook.addSheet(
///         name: "Créditos",
///         columns: [Column("Número de crédito", kind: .text), Column("Fecha de firma", kind: .date)],
///         rows: [[.text("1234567890"), .date(year: 2024, month: 5, day: 31)]])
///     let bytes = try workbook.data(createdAt: Date())
public struct Workbook: Sendable {
    /// The zone in which `.dateTime` cells (and the package's timestamps) are shown.
    public var timeZone: TimeZone
    /// The document title in the package properties, if any.
    public var title: String?
    /// The author in the package properties.
    public var creator: String
    /// The sheets, in order, with their final names.
    public private(set) var sheets: [Sheet] = []

    public init(
        timeZone: TimeZone = TimeZone(identifier: "UTC")!, title: String? = nil, creator: String = "GestionSync"
    ) {
        self.timeZone = timeZone
        self.title = title
        self.creator = creator
    }

    /// Adds a sheet after checking its values (see ``Sheet/init(name:columns:rows:)``), and
    /// returns its name as made valid and unique (see ``addSheet(_:)``).
    @discardableResult
    public mutating func addSheet(name: String, columns: [Column], rows: [[Cell]]) throws(SheetError) -> String {
        addSheet(try Sheet(name: name, columns: columns, rows: rows))
    }

    /// Adds a sheet and returns its name as made valid: characters `[]:*?/\` become `_`,
    /// control characters and leading or trailing apostrophes go, an empty name becomes
    /// "Hoja N", and names are cut to 31 characters and made unique ignoring case by
    /// appending " (2)", " (3)"…
    @discardableResult
    public mutating func addSheet(_ sheet: Sheet) -> String {
        var sheet = sheet
        sheet.name = Self.sheetName(sheet.name, position: sheets.count + 1, taken: sheets.map(\.name))
        sheets.append(sheet)
        return sheet.name
    }

    /// The `.xlsx` file. `createdAt` is the document's creation date and every entry's
    /// timestamp, so the same workbook and date always give the same bytes. A workbook
    /// without sheets gets one empty sheet.
    public func data(createdAt: Date) throws(ZipError) -> [UInt8] {
        var sheets = self.sheets
        if sheets.isEmpty {
            sheets = [Sheet(uncheckedName: "Hoja 1", columns: [], rows: [])]
        }
        let styles = StyleTable(sheets: sheets)
        var zip = ZipWriter(
            modificationDate: createdAt, timeZone: timeZone, sizeLimit: ZipWriter.maximumArchiveSize,
            entryLimit: ZipWriter.maximumEntryCount,
            capacity: 16_384 + sheets.reduce(0) { $0 + WorksheetWriter.estimatedSize(of: $1) })
        try zip.addFile(path: "[Content_Types].xml", contents: Parts.contentTypes(sheetCount: sheets.count))
        try zip.addFile(path: "_rels/.rels", contents: Parts.packageRelationships)
        try zip.addFile(
            path: "docProps/core.xml", contents: Parts.coreProperties(title: title, creator: creator, date: createdAt))
        try zip.addFile(path: "docProps/app.xml", contents: Parts.appProperties(sheetNames: sheets.map(\.name)))
        try zip.addFile(path: "xl/workbook.xml", contents: Parts.workbook(sheetNames: sheets.map(\.name)))
        try zip.addFile(
            path: "xl/_rels/workbook.xml.rels", contents: Parts.workbookRelationships(sheetCount: sheets.count))
        try zip.addFile(path: "xl/styles.xml", contents: styles.xml)
        let cellText = CellText(timeZone: timeZone)
        for (index, sheet) in sheets.enumerated() {
            var xml = ByteWriter(capacity: WorksheetWriter.estimatedSize(of: sheet))
            WorksheetWriter(sheet: sheet, styles: styles, cellText: cellText, selected: index == 0).write(to: &xml)
            try xml.withUnsafeBytes { (bytes) throws(ZipError) in
                try zip.addFile(path: "xl/worksheets/sheet\(index + 1).xml", bytes: bytes)
            }
        }
        return try zip.finish()
    }

    // MARK: Sheet names

    static let maximumSheetNameLength = 31

    static func sheetName(_ requested: String, position: Int, taken: [String]) -> String {
        var name = String.UnicodeScalarView()
        for scalar in requested.unicodeScalars {
            if "[]:*?/\\".unicodeScalars.contains(scalar) {
                name.append("_")
            } else if scalar.properties.generalCategory != .control, scalar.value != 0xFFFE, scalar.value != 0xFFFF {
                name.append(scalar)
            }
        }
        var base = String(name)
        while base.hasPrefix("'") { base.removeFirst() }
        while base.hasSuffix("'") { base.removeLast() }
        if base.isEmpty {
            base = "Hoja \(position)"
        }
        // "History" is reserved by Excel.
        let reserved = Set((taken + ["History"]).map { $0.lowercased() })
        var candidate = truncated(base, to: maximumSheetNameLength)
        var number = 2
        while reserved.contains(candidate.lowercased()) {
            let suffix = " (\(number))"
            candidate = truncated(base, to: maximumSheetNameLength - suffix.utf16.count) + suffix
            number += 1
        }
        return candidate
    }

    /// `text` cut to at most `length` UTF-16 code units without splitting a character.
    private static func truncated(_ text: String, to length: Int) -> String {
        var result = ""
        var used = 0
        for character in text {
            used += character.utf16.count
            guard used <= length else { break }
            result.append(character)
        }
        // A name cut before an apostrophe must not end with one.
        while result.hasSuffix("'") { result.removeLast() }
        return result
    }
}
