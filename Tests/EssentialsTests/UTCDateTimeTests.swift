import Testing
@testable import Essentials

@Suite("UTCDateTime")
struct UTCDateTimeTests {
    @Test("day numbers and civil dates convert both ways")
    func civilRoundTrip() {
        for day in Int64(-800_000)...800_000 where day % 97 == 0 || abs(day) < 1000 {
            let date = UTCDateTime(millisecondsSinceEpoch: day * 86_400_000)
            #expect(UTCDateTime.millisecondsSinceEpoch(year: date.year, month: date.month, day: date.day) == day * 86_400_000)
            #expect((1...12).contains(date.month))
            #expect((1...UTCDateTime.daysInMonth(year: date.year, month: date.month)).contains(date.day))
        }
    }

    @Test("leap years follow the Gregorian rule", arguments: [(2000, true), (1900, false), (2024, true), (2026, false), (2100, false), (2400, true)])
    func leapYears(_ year: Int, _ isLeap: Bool) {
        #expect(UTCDateTime.daysInMonth(year: year, month: 2) == (isLeap ? 29 : 28))
    }

    @Test("formats RFC 3339 with milliseconds, the SigV4 basic form and the scope date")
    func formats() {
        let time = UTCDateTime(millisecondsSinceEpoch: 1_795_624_146_123)  // 2026-11-25T16:29:06.123Z
        #expect(time.iso8601 == "2026-11-25T16:29:06.123Z")
        #expect(time.basicISO8601 == "20261125T162906Z")
        #expect(time.dateStamp == "20261125")
    }

    @Test("times before 1970 land on the right day")
    func beforeEpoch() {
        #expect(UTCDateTime(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
    }

    @Test("parses RFC 3339 timestamps", arguments: [
        ("2026-11-25T20:09:06Z", Int64(1_795_637_346_000)),
        ("2026-11-25T20:09:06.5Z", Int64(1_795_637_346_500)),
        ("2026-11-25T20:09:06.123456Z", Int64(1_795_637_346_123)),
        ("2026-11-25T21:09:06+01:00", Int64(1_795_637_346_000)),
        ("2024-02-29T00:00:00Z", Int64(1_709_164_800_000)),
    ])
    func parses(_ text: String, _ expected: Int64) {
        #expect(UTCDateTime.parseISO8601(text) == expected)
    }

    @Test("rejects what is not an RFC 3339 timestamp", arguments: [
        "", "2026-11-25", "2026-11-25T20:09:06", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T20:09:06.Z", "2026-11-25T20:09:06Zjunk", "tomorrow",
    ])
    func rejects(_ text: String) {
        #expect(UTCDateTime.parseISO8601(text) == nil)
    }

    @Test("the digit-by-digit RFC 3339 form equals the general one and parses back, years 0 to 9999")
    func fastISO8601() {
        let first = UTCDateTime.millisecondsSinceEpoch(year: 0, month: 1, day: 1)
        let last = UTCDateTime.millisecondsSinceEpoch(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999)
        var samples: [Int64] = [first, last, 0, -1, 1, 86_399_999, 1_795_624_146_123, 951_782_400_000]  // 2000-02-29
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<5_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            samples.append(first + Int64(state % UInt64(last - first + 1)))
        }
        for milliseconds in samples {
            let time = UTCDateTime(millisecondsSinceEpoch: milliseconds)
            #expect(time.iso8601 == time.paddedISO8601)
            #expect(UTCDateTime.parseISO8601(time.iso8601) == milliseconds)
        }
        let later = UTCDateTime(millisecondsSinceEpoch: last + 1)
        #expect(later.iso8601 == "10000-01-01T00:00:00.000Z")
    }
}
