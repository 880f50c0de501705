import Foundation
import Testing

/// External programs the tests use when the machine has them.
enum ExternalTool {
    /// The full path of the executable `name` on `PATH`, if any.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    static let python3 = find("python3")
    static let soffice = find("soffice")
}

struct ProcessOutcome {
    var status: Int32
    /// Standard output and standard error, interleaved.
    var output: String
}

struct ProcessTimedOut: Error, CustomStringConvertible {
    var command: String
    var timeout: Duration
    var description: String { "\(command) did not finish within \(timeout)" }
}

/// Runs `executable` and waits for it, killing it after `timeout`.
func runProcess(
    _ executable: String, _ arguments: [String], timeout: Duration = .seconds(120)
) async throws -> ProcessOutcome {
    let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-test-\(UUID().uuidString).log")
    try Data().write(to: logURL)
    defer { try? FileManager.default.removeItem(at: logURL) }
    let log = try FileHandle(forWritingTo: logURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now >= deadline {
            process.terminate()
            process.waitUntilExit()
            try? log.close()
            throw ProcessTimedOut(command: ([executable] + arguments).joined(separator: " "), timeout: timeout)
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    try log.close()
    let output = String(decoding: try Data(contentsOf: logURL), as: UTF8.self)
    return ProcessOutcome(status: process.terminationStatus, output: output)
}

/// A new empty directory, removed by `cleanUp`.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gestion-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let fileURL = file(name)
        try Data(bytes).write(to: fileURL)
        return fileURL
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Splits CSV text into records of fields (RFC 4180; lines may end with CRLF or LF).
func parseCSV(_ text: String, separator: Character = ",") -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false
    var afterQuote = false
    var characters = text.makeIterator()
    var pending: Character? = nil
    func next() -> Character? {
        if let character = pending {
            pending = nil
            return character
        }
        return characters.next()
    }
    while let character = next() {
        if inQuotes {
            if character == "\"" {
                if let following = next() {
                    if following == "\"" {
                        field.append("\"")
                    } else {
                        inQuotes = false
                        afterQuote = true
                        pending = following
                    }
                } else {
                    inQuotes = false
                }
            } else {
                field.append(character)
            }
            continue
        }
        switch character {
        case "\"" where field.isEmpty && !afterQuote:
            inQuotes = true
        case separator:
            record.append(field)
            field = ""
            afterQuote = false
        case "\r\n", "\n":
            record.append(field)
            records.append(record)
            record = []
            field = ""
            afterQuote = false
        default:
            field.append(character)
        }
    }
    if !field.isEmpty || !record.isEmpty || afterQuote {
        record.append(field)
        records.append(record)
    }
    return records
}

let utc = TimeZone(identifier: "UTC")!
let mexicoCity = TimeZone(identifier: "America/Mexico_City")!

/// A moment given in UTC.
func utcDate(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Double = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    let midnight = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
    return midnight.addingTimeInterval(second)
}
