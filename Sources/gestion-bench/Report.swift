import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Order statistics of a sample.
enum Stats {
    static func median(_ values: [Double]) -> Double { percentile(values, 50) }

    /// Nearest-rank percentile (`p` in 0...100) of `values`; 0 for an empty sample.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

/// Monotonic seconds.
func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// One line of the results: a figure, its baseline from the same run, and the target.
struct ResultRow: Sendable {
    var scenario: String
    var figure: String
    var baseline: String
    var ratio: String
    var target: String
    /// nil: informational, no target of its own.
    var met: Bool?
}

/// Collects result rows, prints them as they come and as a table at the end.
final class Report: @unchecked Sendable {
    private(set) var rows: [ResultRow] = []
    private(set) var notes: [String] = []

    func add(_ row: ResultRow) {
        rows.append(row)
        let verdict = row.met.map { $0 ? "PASS" : "MISS" } ?? "info"
        print("  [\(verdict)] \(row.scenario): \(row.figure) | baseline \(row.baseline) | ratio \(row.ratio) | target \(row.target)")
        fflush(nil)
    }

    func note(_ text: String) {
        notes.append(text)
        print("  note: \(text)")
        fflush(nil)
    }

    var markdown: String {
        var text = "| scenario | figure | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n"
        for row in rows {
            let verdict = row.met.map { $0 ? "yes" : "**no**" } ?? "—"
            text += "| \(row.scenario) | \(row.figure) | \(row.baseline) | \(row.ratio) | \(row.target) | \(verdict) |\n"
        }
        if !notes.isEmpty { text += "\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return text
    }

    func printTable() {
        print("\nSUMMARY")
        for row in rows {
            let verdict = row.met.map { $0 ? "PASS" : "MISS" } ?? "info"
            print("\(verdict.padding(toLength: 5, withPad: " ", startingAt: 0)) \(row.scenario) — \(row.figure); baseline \(row.baseline); ratio \(row.ratio); target \(row.target)")
        }
    }
}

/// Number formatting for the report.
enum Fmt {
    static func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }
    static func us(_ seconds: Double) -> String { String(format: "%.0f µs", seconds * 1e6) }
    static func s(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
    static func x(_ ratio: Double) -> String { String(format: "%.2f×", ratio) }
    static func pct(_ ratio: Double) -> String { String(format: "%.0f%%", ratio * 100) }
    static func rate(_ perSecond: Double, _ unit: String) -> String {
        (perSecond >= 10_000 ? String(format: "%.0f", perSecond) : String(format: "%.1f", perSecond)) + " \(unit)/s"
    }
    static func count(_ n: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: n)) ?? String(n)
    }
    static func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }
}
