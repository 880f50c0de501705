import Foundation
import Synchronization

/// Severity of a log line, lowest first.
public enum LogLevel: Int, Sendable, Comparable, CustomStringConvertible {
    case debug, info, notice, warning, error

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// Parses `debug`, `info`, `notice`, `warning` or `error`.
    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "notice": self = .notice
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }
}

/// One structured log line: an event name plus dotted-key metadata.
///
/// Metadata values must never carry borrowers' personal data (names, phones, e-mails):
/// log identifiers and counts, not content.
public struct LogRecord: Sendable, Equatable {
    public var level: LogLevel
    public var label: String
    public var event: String
    public var metadata: [String: String]
    public var time: Date
}

/// Where log records go. Libraries never choose a handler; executables and tests do.
public protocol LogHandler: Sendable {
    func write(_ record: LogRecord)
}

/// A value-type logger: a label, a minimum level and a handler. Pass it into libraries.
public struct Logger: Sendable {
    public var label: String
    public var minimumLevel: LogLevel
    public var handler: any LogHandler
    /// Metadata added to every line this logger writes (e.g. `request.id`).
    public var metadata: [String: String]

    public init(
        label: String, minimumLevel: LogLevel = .info, handler: any LogHandler,
        metadata: [String: String] = [:]
    ) {
        self.label = label
        self.minimumLevel = minimumLevel
        self.handler = handler
        self.metadata = metadata
    }

    /// A logger that drops everything.
    public static let disabled = Logger(label: "disabled", minimumLevel: .error, handler: NullLogHandler())

    /// A copy of this logger with another label (same handler and level).
    public func labeled(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    /// A copy of this logger that adds `metadata` to every line.
    public func with(_ metadata: [String: String]) -> Logger {
        var copy = self
        copy.metadata.merge(metadata) { _, new in new }
        return copy
    }

    public func log(_ level: LogLevel, _ event: String, _ metadata: [String: String] = [:]) {
        guard level >= minimumLevel else { return }
        var merged = metadata
        if !self.metadata.isEmpty { merged.merge(self.metadata) { ownValue, _ in ownValue } }
        handler.write(LogRecord(level: level, label: label, event: event, metadata: merged, time: Date()))
    }

    public func debug(_ event: String, _ metadata: [String: String] = [:]) { log(.debug, event, metadata) }
    public func info(_ event: String, _ metadata: [String: String] = [:]) { log(.info, event, metadata) }
    public func notice(_ event: String, _ metadata: [String: String] = [:]) { log(.notice, event, metadata) }
    public func warning(_ event: String, _ metadata: [String: String] = [:]) { log(.warning, event, metadata) }
    public func error(_ event: String, _ metadata: [String: String] = [:]) { log(.error, event, metadata) }
}

/// Drops every record.
public struct NullLogHandler: LogHandler {
    public init() {}
    public func write(_ record: LogRecord) {}
}

/// Writes one logfmt line per record to standard error:
/// `time=2026-11-27T21:45:24.123Z level=info label=server event=listening port=8080`.
///
/// With `flushEvery`, debug and info lines are gathered for at most that long and written
/// together (as a web server's buffered access log): one system call per batch instead of one
/// per request. Notices, warnings and errors are written at once, after the lines gathered
/// before them, so the log keeps its order and nothing important waits.
public final class StandardErrorLogHandler: LogHandler {
    private struct Pending {
        var bytes: [UInt8] = []
        var flushScheduled = false
    }

    private let pending = Mutex(Pending())
    private let flushDelay: Duration?

    /// - Parameter flushEvery: how long a debug or info line may wait; `nil` writes every line at once.
    public init(flushEvery flushDelay: Duration? = nil) {
        self.flushDelay = flushDelay
    }

    public func write(_ record: LogRecord) {
        var line: [UInt8] = []
        LogFormat.append(record, to: &line)
        line.append(0x0A)
        let scheduleFlush = pending.withLock { pending -> Bool in
            pending.bytes.append(contentsOf: line)
            guard flushDelay != nil, record.level < .notice, pending.bytes.count < 64 * 1024 else {
                Self.writeToStandardError(pending.bytes)
                pending.bytes.removeAll(keepingCapacity: true)
                return false
            }
            defer { pending.flushScheduled = true }
            return !pending.flushScheduled
        }
        if scheduleFlush, let flushDelay {
            let nanoseconds = flushDelay.components.seconds * 1_000_000_000 + flushDelay.components.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [weak self] in self?.flush() }
        }
    }

    /// Writes the lines gathered so far.
    public func flush() {
        pending.withLock { pending in
            Self.writeToStandardError(pending.bytes)
            pending.bytes.removeAll(keepingCapacity: true)
            pending.flushScheduled = false
        }
    }

    deinit { flush() }

    /// Straight to the descriptor: FileHandle and its Data copy cost as much as the system call.
    private static func writeToStandardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // Standard error is gone: a log line is not worth blocking for.
                }
            }
        }
    }
}

/// Keeps records in memory, for tests.
public final class InMemoryLogHandler: LogHandler {
    private let storage = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) {
        storage.withLock { $0.append(record) }
    }

    /// Every record written so far.
    public var records: [LogRecord] { storage.withLock { $0 } }
}

/// logfmt rendering of records.
public enum LogFormat {
    public static func logfmt(_ record: LogRecord) -> String {
        var bytes: [UInt8] = []
        append(record, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the record's logfmt line (no line break) to `bytes`. Written as bytes, not joined
    /// from strings: the server writes one line per request.
    public static func append(_ record: LogRecord, to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + 192)
        bytes.append(contentsOf: "time=".utf8)
        appendTimestamp(record.time, to: &bytes)
        bytes.append(contentsOf: " level=".utf8)
        bytes.append(contentsOf: record.level.description.utf8)
        bytes.append(contentsOf: " label=".utf8)
        appendQuoted(record.label, to: &bytes)
        bytes.append(contentsOf: " event=".utf8)
        appendQuoted(record.event, to: &bytes)
        for key in record.metadata.keys.sorted() {
            bytes.append(0x20)
            bytes.append(contentsOf: key.utf8)
            bytes.append(0x3D)
            appendQuoted(record.metadata[key]!, to: &bytes)
        }
    }

    static func quote(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value`, in double quotes with `"`, `\`, CR and LF escaped if it is empty or holds
    /// a space, `=`, `"` or a line break.
    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        if !value.isEmpty, value.utf8.allSatisfy(isPlainASCII) {
            bytes.append(contentsOf: value.utf8)  // ASCII with nothing to escape: the common case.
            return
        }
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
        guard needsQuotes else {
            bytes.append(contentsOf: value.utf8)
            return
        }
        var out = "\""
        for ch in value {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(ch)
            }
        }
        out += "\""
        bytes.append(contentsOf: out.utf8)
    }

    /// An ASCII byte that needs no quotes: not a space, `=`, `"` or an ASCII line break.
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x3D, 0x22, 0x0A...0x0D, 0x80...: false
        default: true
        }
    }

    /// `2026-11-27T16:00:00.123Z`: UTC, milliseconds (truncated). Written by hand: Foundation's
    /// ISO 8601 format style cost a quarter of the server's CPU for a small request (gestion-bench,
    /// pull with nothing new).
    static func timestamp(_ date: Date) -> String {
        var bytes: [UInt8] = []
        appendTimestamp(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendTimestamp(_ date: Date, to bytes: inout [UInt8]) {
        // Whole seconds, then the fraction truncated to milliseconds, as Foundation does.
        let interval = date.timeIntervalSince1970
        let seconds = interval.rounded(.down)
        let millis = min(999, Int64((interval - seconds) * 1000))
        let totalMillis = Int64(seconds) * 1000 + millis
        var days = totalMillis >= 0 ? totalMillis / 86_400_000 : (totalMillis - 86_399_999) / 86_400_000
        let millisOfDay = totalMillis - days * 86_400_000
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        /// `value` in at least `width` digits, zeros in front.
        func append(_ value: Int64, width: Int) {
            let digits = String(value).utf8
            if digits.count < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.count)) }
            bytes.append(contentsOf: digits)
        }
        append(year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, width: 2)
        bytes.append(UInt8(ascii: "T"))
        append(millisOfDay / 3_600_000, width: 2)
        bytes.append(UInt8(ascii: ":"))
        append(millisOfDay / 60_000 % 60, width: 2)
        bytes.append(UInt8(ascii: ":"))
        append(millisOfDay / 1000 % 60, width: 2)
        bytes.append(UInt8(ascii: "."))
        append(millisOfDay % 1000, width: 3)
        bytes.append(UInt8(ascii: "Z"))
    }
}
