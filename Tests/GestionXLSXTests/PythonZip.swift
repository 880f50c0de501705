import Foundation
import Testing

/// One entry as Python's `zipfile` reads it.
struct PythonZipEntry: Decodable, Equatable {
    var name: String
    var size: Int
    var compressedSize: Int
    var crc: UInt32
    var method: Int
    var flags: Int
    var dateTime: [Int]
}

/// Python's verdict on an archive: `testzip()` re-reads every entry and checks its CRC-32.
/// With `parseXML`, every `.xml` and `.rels` entry must also be well-formed XML.
private let script = """
    import json, sys, zipfile
    import xml.etree.ElementTree as ET
    z = zipfile.ZipFile(sys.argv[1])
    bad = z.testzip()
    assert bad is None, "bad CRC in " + bad
    if sys.argv[2] == "xml":
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                ET.fromstring(z.read(name))
    print(json.dumps([{"name": i.filename, "size": i.file_size, "compressedSize": i.compress_size,
        "crc": i.CRC, "method": i.compress_type, "flags": i.flag_bits, "dateTime": list(i.date_time)}
        for i in z.infolist()]))
    """

/// The entries of the archive at `url` according to Python, after its checks pass.
func pythonZipEntries(_ url: URL, parseXML: Bool = false) async throws -> [PythonZipEntry] {
    let python = try #require(ExternalTool.python3)
    let outcome = try await runProcess(python, ["-c", script, url.path, parseXML ? "xml" : "-"], timeout: .seconds(60))
    try #require(outcome.status == 0, "python zipfile rejected the archive: \(outcome.output)")
    let json = try #require(outcome.output.split(separator: "\n").last)
    return try JSONDecoder().decode([PythonZipEntry].self, from: Data(json.utf8))
}

/// Prints why a test that needs Python is skipped.
let pythonAvailable: Bool = {
    if ExternalTool.python3 == nil {
        print("python3 not installed: skipping the ZIP checks by Python's zipfile")
        return false
    }
    return true
}()
