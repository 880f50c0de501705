import Foundation

/// Builds a ZIP archive in memory with STORED (uncompressed) entries.
///
/// Each entry gets a local file header, its bytes, and a central directory record; `finish()`
/// appends the central directory and the end-of-central-directory record. File names are
/// UTF-8 (general purpose bit 11). Timestamps come from the caller so that the same input
/// always gives the same bytes. ZIP64 is not written: an archive that would need it (more
/// than 65,535 entries, or 4 GiB or more) is refused with ``ZipError``.
///
///     var zip = ZipWriter(modificationDate: date)
///     try zip.addFile(path: "hola.txt", contents: Array("¡Hola!".utf8))
///     let bytes = try zip.finish()
public struct ZipWriter: Sendable {
    /// The most entries an archive without ZIP64 can list.
    public static let maximumEntryCount = 65_535
    /// The largest archive without ZIP64, in bytes: 4 GiB minus 2, since every offset and
    /// size must fit in 32 bits and all-ones is the ZIP64 marker.
    public static let maximumArchiveSize = Int(UInt32.max) - 1

    private struct Entry {
        var name: [UInt8]
        var crc: UInt32
        var size: UInt32
        var offset: UInt32
        var time: UInt16
        var date: UInt16
    }

    private var output: [UInt8] = []
    private var entries: [Entry] = []
    private var names: Set<[UInt8]> = []
    private var centralDirectorySize = 0
    private let dosTime: UInt16
    private let dosDate: UInt16
    private let sizeLimit: Int
    private let entryLimit: Int

    /// An empty archive whose entries are dated `modificationDate`, read as wall-clock time in
    /// `timeZone` (ZIP timestamps have no zone). Dates before 1980 or after 2107, which the
    /// format cannot hold, are clamped to its range.
    public init(modificationDate: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.init(
            modificationDate: modificationDate, timeZone: timeZone,
            sizeLimit: Self.maximumArchiveSize, entryLimit: Self.maximumEntryCount)
    }

    /// An archive with other limits (so that tests can reach them) and `capacity` bytes
    /// reserved up front.
    init(modificationDate: Date, timeZone: TimeZone, sizeLimit: Int, entryLimit: Int, capacity: Int = 0) {
        (dosTime, dosDate) = Self.dosTimestamp(modificationDate, in: timeZone)
        output.reserveCapacity(capacity)
        self.sizeLimit = sizeLimit
        self.entryLimit = entryLimit
    }

    /// The number of entries added so far.
    public var count: Int { entries.count }

    /// Adds a file. `path` uses `/` between folders and must be unique in the archive.
    public mutating func addFile(path: String, contents: [UInt8]) throws(ZipError) {
        let result = contents.withUnsafeBytes { buffer in
            Result { () throws(ZipError) in try addFile(path: path, bytes: buffer) }
        }
        try result.get()
    }

    mutating func addFile(path: String, bytes contents: UnsafeRawBufferPointer) throws(ZipError) {
        let name = Array(path.utf8)
        guard !name.isEmpty, name.count <= Int(UInt16.max), !path.hasPrefix("/") else {
            throw .invalidPath(path)
        }
        guard !names.contains(name) else { throw .duplicatePath(path) }
        guard entries.count < entryLimit else { throw .tooManyEntries(limit: entryLimit) }
        let headerSize = 30 + name.count
        let centralRecordSize = 46 + name.count
        let projected = output.count + headerSize + contents.count + centralDirectorySize + centralRecordSize + 22
        guard projected <= sizeLimit else { throw .archiveTooLarge(limit: sizeLimit) }

        var crc = CRC32()
        crc.update(contents)
        let entry = Entry(
            name: name, crc: crc.value, size: UInt32(contents.count), offset: UInt32(output.count),
            time: dosTime, date: dosDate)
        appendLittleEndian(0x0403_4B50 as UInt32)  // local file header signature
        appendCommonFields(of: entry)
        appendLittleEndian(0 as UInt16)  // extra field length
        output.append(contentsOf: name)
        output.append(contentsOf: contents)
        entries.append(entry)
        names.insert(name)
        centralDirectorySize += centralRecordSize
    }

    /// The finished archive: the entries followed by the central directory.
    public consuming func finish() throws(ZipError) -> [UInt8] {
        let directoryOffset = output.count
        guard directoryOffset + centralDirectorySize + 22 <= sizeLimit else {
            throw .archiveTooLarge(limit: sizeLimit)
        }
        for entry in entries {
            appendLittleEndian(0x0201_4B50 as UInt32)  // central header signature
            appendLittleEndian(Self.versionMadeBy)
            appendCommonFields(of: entry)
            appendLittleEndian(0 as UInt16)  // extra field length
            appendLittleEndian(0 as UInt16)  // comment length
            appendLittleEndian(0 as UInt16)  // disk number start
            appendLittleEndian(0 as UInt16)  // internal attributes
            appendLittleEndian(Self.regularFileAttributes)
            appendLittleEndian(entry.offset)
            output.append(contentsOf: entry.name)
        }
        let directorySize = output.count - directoryOffset
        appendLittleEndian(0x0605_4B50 as UInt32)  // end of central directory
        appendLittleEndian(0 as UInt16)  // this disk
        appendLittleEndian(0 as UInt16)  // disk with the central directory
        appendLittleEndian(UInt16(entries.count))
        appendLittleEndian(UInt16(entries.count))
        appendLittleEndian(UInt32(directorySize))
        appendLittleEndian(UInt32(directoryOffset))
        appendLittleEndian(0 as UInt16)  // comment length
        return output
    }

    // MARK: Format details

    /// Version 2.0 of the specification, made on Unix (so that `unzip` applies the mode bits).
    private static let versionMadeBy: UInt16 = 3 << 8 | 20
    /// Version 2.0, as Excel and most writers declare (1.0 would do for stored entries).
    private static let versionNeeded: UInt16 = 20
    /// Bit 11: the file name is UTF-8.
    private static let utf8Flag: UInt16 = 1 << 11
    /// `-rw-r--r--` in the Unix half of the external attributes.
    private static let regularFileAttributes: UInt32 = 0o100644 << 16

    /// The fields shared by the local header and the central directory record, from
    /// "version needed to extract" to "extra field length" (exclusive).
    private mutating func appendCommonFields(of entry: Entry) {
        appendLittleEndian(Self.versionNeeded)
        appendLittleEndian(Self.utf8Flag)
        appendLittleEndian(0 as UInt16)  // method 0: stored
        appendLittleEndian(entry.time)
        appendLittleEndian(entry.date)
        appendLittleEndian(entry.crc)
        appendLittleEndian(entry.size)  // compressed size
        appendLittleEndian(entry.size)  // uncompressed size
        appendLittleEndian(UInt16(entry.name.count))
    }

    private mutating func appendLittleEndian(_ value: UInt16) {
        output.append(UInt8(truncatingIfNeeded: value))
        output.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    private mutating func appendLittleEndian(_ value: UInt32) {
        appendLittleEndian(UInt16(truncatingIfNeeded: value))
        appendLittleEndian(UInt16(truncatingIfNeeded: value >> 16))
    }

    /// MS-DOS time (2-second resolution) and date of `date`'s wall-clock time in `timeZone`.
    static func dosTimestamp(_ date: Date, in timeZone: TimeZone) -> (time: UInt16, date: UInt16) {
        let local = LocalTime(date, in: timeZone)
        if local.day.year < 1980 {
            return (0, 1 << 5 | 1)  // 1980-01-01 00:00:00
        }
        if local.day.year > 2107 {
            return (23 << 11 | 59 << 5 | 29, 127 << 9 | 12 << 5 | 31)  // 2107-12-31 23:59:58
        }
        let time = local.hour << 11 | local.minute << 5 | local.second / 2
        let day = (local.day.year - 1980) << 9 | local.day.month << 5 | local.day.day
        return (UInt16(time), UInt16(day))
    }
}

/// Why ``ZipWriter`` refused an entry or an archive.
public enum ZipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path is empty, absolute, or longer than 65,535 bytes.
    case invalidPath(String)
    /// An entry with this path is already in the archive.
    case duplicatePath(String)
    /// The archive would need ZIP64 to list this many entries.
    case tooManyEntries(limit: Int)
    /// The archive would need ZIP64 to reach this size.
    case archiveTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .invalidPath(let path): "invalid path in ZIP archive: \"\(path)\""
        case .duplicatePath(let path): "duplicate path in ZIP archive: \"\(path)\""
        case .tooManyEntries(let limit): "a ZIP archive without ZIP64 holds at most \(limit) entries"
        case .archiveTooLarge(let limit): "a ZIP archive without ZIP64 holds at most \(limit) bytes"
        }
    }
}
