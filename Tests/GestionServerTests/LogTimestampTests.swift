import Foundation
import Testing

@testable import GestionLogging

/// The log's timestamps are written by hand (for speed): the same text as Foundation's ISO 8601
/// format style, which they replaced. Fractions are exact in binary here: where a date's
/// fraction of a second is not, the two may round its last millisecond digit differently.
@Suite struct LogTimestampTests {
    static let dates: [Date] = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_795_200.125), Date(timeIntervalSince1970: 951_782_400.5),
        Date(timeIntervalSince1970: 4_107_542_399.875), Date(timeIntervalSince1970: 1_709_164_800.25),
        Date(timeIntervalSince1970: 1_234_567_890.0625),
    ]

    static let style = Date.ISO8601FormatStyle.iso8601.year().month().day().time(includingFractionalSeconds: true)
        .timeZone(separator: .omitted)

    @Test(arguments: dates)
    func matchesFoundationsISO8601Style(_ date: Date) {
        #expect(LogFormat.timestamp(date) == date.formatted(Self.style))
    }

    @Test func coversFourHundredYearsOfCalendar() {
        var date = Date(timeIntervalSince1970: 0.125)
        for _ in 0..<(400 * 366 / 7) {
            #expect(LogFormat.timestamp(date) == date.formatted(Self.style))
            date += 7 * 86_400 + 3_661.125
        }
    }

    @Test func isWithinAMillisecondOfTheDateForAnyFraction() throws {
        for fraction in stride(from: 0.0, to: 1.0, by: 0.0137) {
            let date = Date(timeIntervalSince1970: 1_795_795_200 + fraction)
            let text = LogFormat.timestamp(date)
            let parsed = try #require(try? Date(text, strategy: Self.style))
            #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
        }
    }
}
