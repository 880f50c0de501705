import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress bar for long commands, redrawn in place with a carriage return:
///
/// ```
/// Importing [###########·················]  41%  20,500 / 50,000 rows
/// ```
///
/// It redraws only when the whole percentage or the label changes, so a loop may call
/// `update(_:)` on every item. Use `onStandardError(...)`, which draws nothing unless standard
/// error is a terminal (never into a log file or a pipe).
public final class ProgressBar {
    private let write: (String) -> Void
    private let width: Int
    private var label: String
    private var total: Int
    private var unit: String
    private var drawnPercent = -1
    private var drawnLength = 0

    /// A bar that sends its text to `write`.
    public init(label: String, total: Int, unit: String = "rows", width: Int = 28, write: @escaping (String) -> Void) {
        self.label = label
        self.total = max(total, 0)
        self.unit = unit
        self.width = width
        self.write = write
    }

    /// A bar on standard error when it is a terminal and there are at least `minimumTotal` items;
    /// otherwise `nil`.
    public static func onStandardError(label: String, total: Int, unit: String = "rows", minimumTotal: Int = 2_000) -> ProgressBar? {
        guard total >= minimumTotal, isatty(STDERR_FILENO) == 1 else { return nil }
        return ProgressBar(label: label, total: total, unit: unit) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Starts a new stage with its own label and count.
    public func stage(_ label: String, total: Int) {
        self.label = label
        self.total = max(total, 0)
        drawnPercent = -1
        update(0)
    }

    /// Shows that `done` of the items are done.
    public func update(_ done: Int) {
        let done = min(max(done, 0), total)
        let percent = total == 0 ? 100 : done * 100 / total
        guard percent != drawnPercent else { return }
        drawnPercent = percent
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled)
        let percentText = String(repeating: " ", count: 3 - String(percent).count) + "\(percent)%"
        let line = "\(label) [\(bar)] \(percentText)  \(Self.grouped(done)) / \(Self.grouped(total)) \(unit)"
        let padding = String(repeating: " ", count: max(0, drawnLength - line.count))
        drawnLength = line.count
        write("\r" + line + padding)
    }

    /// Clears the line, leaving the terminal as it was.
    public func finish() {
        guard drawnLength > 0 else { return }
        write("\r" + String(repeating: " ", count: drawnLength) + "\r")
        drawnLength = 0
        drawnPercent = -1
    }

    /// `50000` as `50,000`.
    public static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return number < 0 ? "-" + out : out
    }
}
