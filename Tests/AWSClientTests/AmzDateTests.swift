@testable import AWSClient
import Foundation
import Testing

/// Tests for ``AWSTimestamp`` (the `X-Amz-Date` forms and the civil-date arithmetic behind them).
@Suite("AWSTimestamp")
struct AmzDateTests {
    @Test("known instants format as amzDate, dateStamp and iso8601", arguments: [
        (1_440_938_160_000, "20150830T123600Z", "20150830", "2015-08-30T12:36:00.000Z"),   // the SigV4 suite's time
        (1_369_353_600_000, "20130524T000000Z", "20130524", "2013-05-24T00:00:00.000Z"),   // the S3 documentation examples
        (0, "19700101T000000Z", "19700101", "1970-01-01T00:00:00.000Z"),
        (951_782_400_000, "20000229T000000Z", "20000229", "2000-02-29T00:00:00.000Z"),     // leap day of a /400 year
        (951_868_799_999, "20000229T235959Z", "20000229", "2000-02-29T23:59:59.999Z"),
        (1_798_761_599_000, "20261231T235959Z", "20261231", "2026-12-31T23:59:59.000Z"),
        (1_798_761_599_999, "20261231T235959Z", "20261231", "2026-12-31T23:59:59.999Z"),
        (1_798_761_600_000, "20270101T000000Z", "20270101", "2027-01-01T00:00:00.000Z"),
        (1_795_633_746_123, "20261125T190906Z", "20261125", "2026-11-25T19:09:06.123Z"),
        (1_709_208_000_000, "20240229T120000Z", "20240229", "2024-02-29T12:00:00.000Z"),
        (4_107_542_400_000, "21000301T000000Z", "21000301", "2100-03-01T00:00:00.000Z"),   // 2100 is not a leap year
        (-1, "19691231T235959Z", "19691231", "1969-12-31T23:59:59.999Z"),
    ] as [(Int64, String, String, String)])
    func knownInstants(_ milliseconds: Int64, _ amzDate: String, _ dateStamp: String, _ iso8601: String) {
        let time = AWSTimestamp(millisecondsSinceEpoch: milliseconds)
        #expect(time.amzDate == amzDate)
        #expect(time.dateStamp == dateStamp)
        #expect(time.iso8601 == iso8601)
    }

    @Test("the date stamp is always the first eight characters of amzDate")
    func dateStampIsAmzDatePrefix() {
        for milliseconds in stride(from: Int64(1_798_675_200_000), to: 1_798_848_000_000, by: 3_599_999) {
            let time = AWSTimestamp(millisecondsSinceEpoch: milliseconds)
            #expect(time.amzDate.hasPrefix(time.dateStamp + "T"))
        }
    }

    @Test("formatting agrees with Foundation from 1900 to 2100")
    func agreesWithFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        // A step that is not a whole number of days or hours, so times of day and month ends vary.
        let step = 3 * 86_400_000 + 7 * 3_600_000 + 61_001
        var mismatches: [Int64] = []
        for milliseconds in stride(from: Int64(-2_208_988_800_000), to: 4_102_444_800_000, by: step) {
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000)))
            if AWSTimestamp(millisecondsSinceEpoch: milliseconds - milliseconds % 1000).amzDate != expected {
                mismatches.append(milliseconds)
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test("timestamps order by time")
    func ordering() {
        #expect(AWSTimestamp(millisecondsSinceEpoch: 1) < AWSTimestamp(millisecondsSinceEpoch: 2))
        #expect(AWSTimestamp(millisecondsSinceEpoch: 5) == AWSTimestamp(millisecondsSinceEpoch: 5))
    }
}
