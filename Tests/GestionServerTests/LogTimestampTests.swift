import Foundation
import Testing

@testable import GestionLogging

/// The log's timestamps are written by hand (for speed): the same text as Foundation's ISO 8601
/// format style, which they replaced.
@Suite struct LogTimestampTests {
    static let dates: [Date] = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_795_200.123), Date(timeIntervalSince1970: 951_782_400.5),
        Date(timeIntervalSince1970: 4_107_542_399.999), Date(timeIntervalSince1970: 1_709_164_800.25),
        Date(timeIntervalSince1970: 1_234_567_890.987),
    ]

    @Test(arguments: dates)
    func matchesFoundationsISO8601Style(_ date: Date) {
        let foundation = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        #expect(LogFormat.timestamp(date) == foundation)
    }

    @Test func coversEveryDayOfFourHundredYears() {
        var date = Date(timeIntervalSince1970: 0.25)
        let style = Date.ISO8601FormatStyle.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
        for _ in 0..<(400 * 366 / 7) {
            #expect(LogFormat.timestamp(date) == date.formatted(style))
            date += 7 * 86_400 + 3_661.001
        }
    }
}
