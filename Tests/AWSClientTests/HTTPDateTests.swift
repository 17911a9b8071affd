@testable import AWSClient
import Testing

@Suite("HTTPDate")
struct HTTPDateTests {
    @Test("the three RFC 7231 forms of the same instant parse alike", arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",   // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // obsolete RFC 850
        "Sun Nov  6 08:49:37 1994",        // obsolete asctime
    ])
    func rfc7231Examples(_ value: String) {
        #expect(HTTPDate.parse(value) == 784_111_777_000)
    }

    @Test("IMF-fixdate values parse to epoch milliseconds", arguments: [
        ("Wed, 25 Nov 2026 19:09:06 GMT", 1_795_633_746_000),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Fri, 24 May 2013 00:00:00 GMT", 1_369_353_600_000),
        ("Thu, 31 Dec 2026 23:59:59 GMT", 1_798_761_599_000),
        ("Fri, 01 Jan 2027 00:00:00 GMT", 1_798_761_600_000),
        ("Thu, 29 Feb 2024 12:00:00 GMT", 1_709_208_000_000),
        ("  Wed, 25 Nov 2026 19:09:06 GMT  ", 1_795_633_746_000),
    ] as [(String, Int64)])
    func imfFixdate(_ value: String, _ expected: Int64) {
        #expect(HTTPDate.parse(value) == expected)
    }

    @Test("the parse agrees with AWSTimestamp's formatting")
    func agreesWithTimestamp() throws {
        let parsed = try #require(HTTPDate.parse("Wed, 25 Nov 2026 19:09:06 GMT"))
        #expect(AWSTimestamp(millisecondsSinceEpoch: parsed).amzDate == "20261125T190906Z")
    }

    @Test("RFC 850 two-digit years before 70 are in this century")
    func rfc850Century() {
        #expect(HTTPDate.parse("Wednesday, 25-Nov-26 19:09:06 GMT") == 1_795_633_746_000)
        #expect(HTTPDate.parse("Thursday, 01-Jan-70 00:00:00 GMT") == 0)
    }

    @Test("asctime takes one- and two-digit days")
    func asctimeDays() {
        #expect(HTTPDate.parse("Wed Nov 25 19:09:06 2026") == 1_795_633_746_000)
        #expect(HTTPDate.parse("Thu Jan  1 00:00:00 1970") == 0)
    }

    @Test("malformed or impossible dates are rejected", arguments: [
        "",
        "GMT",
        "Wed, 25 Nov 2026 19:09:06",            // no zone
        "Wed, 25 Nov 2026 19:09:06 UTC",        // only GMT is allowed
        "Wed, 25 Nov 2026 19:09:06 GMT extra",
        "Wed,25 Nov 2026 19:09:06 GMT",
        "Wed, 5 Nov 2026 19:09:06 GMT",         // IMF-fixdate days have two digits
        "Wed, 25 nov 2026 19:09:06 GMT",        // month names are case-sensitive
        "Xyz, 25 Nov 2026 19:09:06 GMT",
        "Wednesday, 25 Nov 2026 19:09:06 GMT",  // long weekday with the IMF layout
        "Wed, 31 Feb 2026 00:00:00 GMT",        // no such day
        "Sat, 29 Feb 2025 00:00:00 GMT",        // 2025 is not a leap year
        "Wed, 00 Nov 2026 19:09:06 GMT",
        "Wed, 25 Nov 2026 24:00:00 GMT",
        "Wed, 25 Nov 2026 19:60:00 GMT",
        "Wed, 25 Nov 2026 19:09:61 GMT",
        "Wed, 25 Nov 26 19:09:06 GMT",
        "Wed Nov 25 19:09:06 26",
        "2026-11-25T19:09:06Z",
    ])
    func rejects(_ value: String) {
        #expect(HTTPDate.parse(value) == nil)
    }
}
