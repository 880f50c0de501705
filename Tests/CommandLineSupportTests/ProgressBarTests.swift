import CommandLineSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct ProgressBarTests {
    final class Output: Sendable {
        let writes = Mutex<[String]>([])
        func append(_ text: String) { writes.withLock { $0.append(text) } }
        var all: [String] { writes.withLock { $0 } }
    }

    @Test func itRedrawsOnlyWhenThePercentageChanges() {
        let output = Output()
        let bar = ProgressBar(label: "Importing", total: 50_000, width: 10, write: output.append)
        for done in 0...50_000 { bar.update(done) }
        #expect(output.all.count == 101, "0% to 100%")
        #expect(output.all.first == "\rImporting [··········]   0%  0 / 50,000 rows")
        #expect(output.all[41] == "\rImporting [####······]  41%  20,500 / 50,000 rows")
        #expect(output.all.last == "\rImporting [##########] 100%  50,000 / 50,000 rows")
    }

    @Test func finishingClearsTheLine() {
        let output = Output()
        let bar = ProgressBar(label: "Checking", total: 10, width: 4, write: output.append)
        bar.finish()
        #expect(output.all.isEmpty, "nothing drawn, nothing to clear")
        bar.update(5)
        bar.finish()
        let drawn = output.all[0]
        #expect(output.all[1] == "\r" + String(repeating: " ", count: drawn.count - 1) + "\r")
    }

    @Test func aNewStageStartsAgainAndCoversTheLongerLine() throws {
        let output = Output()
        let bar = ProgressBar(label: "Checking rows", total: 2_000, width: 4, write: output.append)
        bar.update(2_000)
        let longer = try #require(output.all.last)
        bar.stage("Writing", total: 3)
        let shorter = try #require(output.all.last)
        #expect(shorter.hasPrefix("\rWriting [····]   0%  0 / 3 rows  "))
        #expect(shorter.count == longer.count, "spaces cover what the longer line left")
        bar.update(7)
        #expect(output.all.last?.hasPrefix("\rWriting [####] 100%  3 / 3 rows") == true, "counts past the total stop at it")
    }

    @Test func numbersAreGroupedByThousands() {
        #expect(ProgressBar.grouped(0) == "0")
        #expect(ProgressBar.grouped(999) == "999")
        #expect(ProgressBar.grouped(1_000) == "1,000")
        #expect(ProgressBar.grouped(50_000) == "50,000")
        #expect(ProgressBar.grouped(1_234_567) == "1,234,567")
        #expect(ProgressBar.grouped(-1_234) == "-1,234")
    }

    @Test func thereIsNoBarForSmallWork() {
        #expect(ProgressBar.onStandardError(label: "x", total: 1_999) == nil)
    }

    @Test func theBarIsDrawnOnlyOnATerminal() {
        let bar = ProgressBar.onStandardError(label: "x", total: 1_000_000)
        #expect((bar != nil) == (isatty(STDERR_FILENO) == 1))
    }
}
