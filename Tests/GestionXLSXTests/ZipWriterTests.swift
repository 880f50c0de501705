import Foundation
import Testing
@testable import GestionXLSX

@Suite struct ZipWriterTests {
    /// 2024-05-31 12:45:31 UTC: the odd second shows the 2-second resolution of DOS times.
    let date = utcDate(2024, 5, 31, 12, 45, 31)

    var sampleFiles: [(String, [UInt8])] {
        [
            ("hola.txt", Array("¡Hola, mundo!\n".utf8)),
            ("vacío.txt", []),
            ("carpeta/Número de crédito.csv", Array("a,b\r\n1,2\r\n".utf8)),
            ("binario.bin", (0...255).map(UInt8.init) + (0...255).map(UInt8.init).reversed()),
            ("grande.dat", (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }),
        ]
    }

    func archive(_ files: [(String, [UInt8])]) throws -> [UInt8] {
        var zip = ZipWriter(modificationDate: date)
        for (path, contents) in files {
            try zip.addFile(path: path, contents: contents)
        }
        return try zip.finish()
    }

    @Test(.enabled(if: pythonAvailable, "python3 not installed: skipping"))
    func pythonZipfileReadsItAndChecksEveryCRC() async throws {
        let files = sampleFiles
        let directory = try TemporaryDirectory()
        let url = try directory.write(try archive(files), to: "muestra.zip")
        let entries = try await pythonZipEntries(url)
        #expect(entries.map(\.name) == files.map(\.0))
        for (entry, (_, contents)) in zip(entries, files) {
            #expect(entry.size == contents.count)
            #expect(entry.compressedSize == contents.count)
            #expect(entry.crc == CRC32.checksum(contents))
            #expect(entry.method == 0, "stored")
            #expect(entry.flags == 0x800, "UTF-8 names, nothing else")
            #expect(entry.dateTime == [2024, 5, 31, 12, 45, 30])
        }
    }

    @Test func layoutOfAStoredEntry() throws {
        let contents = Array("123456789".utf8)
        let bytes = try archive([("a.txt", contents)])
        // Local header (30 + 5 name bytes), data (9), central record (46 + 5), end record (22).
        #expect(bytes.count == 35 + 9 + 51 + 22)
        #expect(Array(bytes[0..<4]) == [0x50, 0x4B, 0x03, 0x04])
        #expect(readUInt16(bytes, 6) == 0x800)  // flags
        #expect(readUInt16(bytes, 8) == 0)  // stored
        #expect(readUInt32(bytes, 14) == 0xCBF4_3926)
        #expect(readUInt32(bytes, 18) == 9)
        #expect(readUInt32(bytes, 22) == 9)
        #expect(Array(bytes[35..<44]) == contents)
        let end = bytes.count - 22
        #expect(Array(bytes[end..<end + 4]) == [0x50, 0x4B, 0x05, 0x06])
        #expect(readUInt16(bytes, end + 10) == 1)  // entries
        #expect(readUInt32(bytes, end + 12) == 51)  // central directory size
        #expect(readUInt32(bytes, end + 16) == 44)  // central directory offset
    }

    @Test func theSameInputGivesTheSameBytes() throws {
        #expect(try archive(sampleFiles) == archive(sampleFiles))
    }

    @Test func anEmptyArchiveIsJustTheEndRecord() throws {
        let bytes = try ZipWriter(modificationDate: date).finish()
        #expect(bytes == [0x50, 0x4B, 0x05, 0x06] + Array(repeating: 0, count: 18))
    }

    @Test(arguments: [
        (utcDate(2024, 5, 31, 12, 45, 31), utc, "2024-05-31 12:45:30"),
        (utcDate(2024, 5, 31, 2, 0, 0), mexicoCity, "2024-05-30 20:00:00"),
        (utcDate(1979, 12, 31, 23, 59, 59), utc, "1980-01-01 00:00:00"),
        (utcDate(2200, 1, 1), utc, "2107-12-31 23:59:58"),
    ])
    func dosTimestamps(date: Date, zone: TimeZone, expected: String) {
        let (time, day) = ZipWriter.dosTimestamp(date, in: zone)
        let text = String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", Int(day >> 9) + 1980, Int(day >> 5 & 0xF), Int(day & 0x1F),
            Int(time >> 11), Int(time >> 5 & 0x3F), Int(time & 0x1F) * 2)
        #expect(text == expected)
    }

    @Test func refusesDuplicateAndInvalidPaths() throws {
        var zip = ZipWriter(modificationDate: date)
        try zip.addFile(path: "a.txt", contents: [])
        #expect(throws: ZipError.duplicatePath("a.txt")) { try zip.addFile(path: "a.txt", contents: [1]) }
        #expect(throws: ZipError.invalidPath("")) { try zip.addFile(path: "", contents: []) }
        #expect(throws: ZipError.invalidPath("/etc/passwd")) { try zip.addFile(path: "/etc/passwd", contents: []) }
        #expect(zip.count == 1)
    }

    @Test func refusesAnArchiveThatWouldNeedZIP64ForItsSize() throws {
        var zip = ZipWriter(modificationDate: date, timeZone: utc, sizeLimit: 1_000, entryLimit: 10)
        try zip.addFile(path: "a", contents: Array(repeating: 0, count: 800))
        #expect(throws: ZipError.archiveTooLarge(limit: 1_000)) {
            try zip.addFile(path: "b", contents: Array(repeating: 0, count: 100))
        }
        #expect(zip.count == 1)
        #expect(ZipWriter.maximumArchiveSize == 0xFFFF_FFFE)
    }

    @Test func refusesMoreEntriesThanTheLimit() throws {
        var zip = ZipWriter(modificationDate: date, timeZone: utc, sizeLimit: 1_000_000, entryLimit: 2)
        try zip.addFile(path: "a", contents: [])
        try zip.addFile(path: "b", contents: [])
        #expect(throws: ZipError.tooManyEntries(limit: 2)) { try zip.addFile(path: "c", contents: []) }
    }

    /// 65,535 is the most a ZIP without ZIP64 can count; Python must read them all.
    @Test func holdsExactly65535EntriesAndRefusesMore() async throws {
        var zip = ZipWriter(modificationDate: date)
        for index in 0..<ZipWriter.maximumEntryCount {
            try zip.addFile(path: "\(index)", contents: [UInt8(truncatingIfNeeded: index)])
        }
        #expect(throws: ZipError.tooManyEntries(limit: 65_535)) { try zip.addFile(path: "uno más", contents: []) }
        let bytes = try zip.finish()
        guard pythonAvailable else {
            #expect(try StoredZip.entries(bytes).count == 65_535)
            return
        }
        let directory = try TemporaryDirectory()
        let entries = try await pythonZipEntries(try directory.write(bytes, to: "muchos.zip"))
        #expect(entries.count == 65_535)
        #expect(entries.last?.name == "65534")
    }

    private func readUInt16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(readUInt16(bytes, offset)) | UInt32(readUInt16(bytes, offset + 2)) << 16
    }
}
