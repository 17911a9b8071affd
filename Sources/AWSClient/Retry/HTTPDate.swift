import Essentials

/// Parses the HTTP `Date` header, so a client can measure its clock skew against AWS.
///
/// AWS rejects a signature whose `X-Amz-Date` is more than 15 minutes off the server's clock
/// (`RequestTimeTooSkewed`, `InvalidSignatureException: Signature expired`); the server's `Date`
/// response header says by how much.
public enum HTTPDate {
    /// Parses an HTTP date (RFC 7231 §7.1.1.1) to milliseconds since the epoch.
    ///
    /// Accepts the preferred IMF-fixdate `Wed, 25 Nov 2026 19:09:06 GMT` and the two obsolete forms
    /// recipients must still read: RFC 850 `Wednesday, 25-Nov-26 19:09:06 GMT` (a two-digit year
    /// 00–69 is read as 20xx, 70–99 as 19xx) and asctime `Wed Nov 25 19:09:06 2026`. The weekday
    /// name must be a real one but is not checked against the date.
    /// - Parameter value: The header value; surrounding spaces are ignored.
    /// - Returns: Milliseconds since 1970-01-01T00:00:00Z, or `nil` when the value is none of the
    ///   three forms or names an impossible date or time.
    public static func parse(_ value: String) -> Int64? {
        var scanner = Scanner(Array(value.utf8))
        scanner.skipSpaces()
        guard let weekday = scanner.letters() else { return nil }
        let fields: Fields?
        if scanner.skip(UInt8(ascii: ",")) {
            if shortWeekdays.contains(weekday) {
                fields = imfFixdate(&scanner)
            } else if longWeekdays.contains(weekday) {
                fields = rfc850Date(&scanner)
            } else {
                return nil
            }
        } else {
            guard shortWeekdays.contains(weekday) else { return nil }
            fields = asctimeDate(&scanner)
        }
        scanner.skipSpaces()
        guard let f = fields, scanner.isAtEnd else { return nil }
        return f.millisecondsSinceEpoch
    }

    // MARK: - The three forms

    /// `, 25 Nov 2026 19:09:06 GMT` (after the weekday).
    private static func imfFixdate(_ s: inout Scanner) -> Fields? {
        guard s.skip(UInt8(ascii: " ")), let day = s.number(digits: 2...2),
              s.skip(UInt8(ascii: " ")), let month = s.month(),
              s.skip(UInt8(ascii: " ")), let year = s.number(digits: 4...4),
              s.skip(UInt8(ascii: " ")), let time = s.timeOfDay(),
              s.skip(UInt8(ascii: " ")), s.skip(word: "GMT")
        else { return nil }
        return Fields(year: year, month: month, day: day, time: time)
    }

    /// `, 25-Nov-26 19:09:06 GMT` (after the weekday).
    private static func rfc850Date(_ s: inout Scanner) -> Fields? {
        guard s.skip(UInt8(ascii: " ")), let day = s.number(digits: 2...2),
              s.skip(UInt8(ascii: "-")), let month = s.month(),
              s.skip(UInt8(ascii: "-")), let shortYear = s.number(digits: 2...2),
              s.skip(UInt8(ascii: " ")), let time = s.timeOfDay(),
              s.skip(UInt8(ascii: " ")), s.skip(word: "GMT")
        else { return nil }
        let year = shortYear < 70 ? 2000 + shortYear : 1900 + shortYear
        return Fields(year: year, month: month, day: day, time: time)
    }

    /// ` Nov 25 19:09:06 2026`, the day padded with a space when it has one digit (after the weekday).
    private static func asctimeDate(_ s: inout Scanner) -> Fields? {
        guard s.skip(UInt8(ascii: " ")), let month = s.month(), s.skip(UInt8(ascii: " ")) else { return nil }
        _ = s.skip(UInt8(ascii: " "))
        guard let day = s.number(digits: 1...2),
              s.skip(UInt8(ascii: " ")), let time = s.timeOfDay(),
              s.skip(UInt8(ascii: " ")), let year = s.number(digits: 4...4)
        else { return nil }
        return Fields(year: year, month: month, day: day, time: time)
    }

    // MARK: - Pieces

    private struct Fields {
        var year: Int64, month: Int64, day: Int64
        var time: (hour: Int64, minute: Int64, second: Int64)

        var millisecondsSinceEpoch: Int64? {
            guard (1...Int64(UTCDateTime.daysInMonth(year: Int(year), month: Int(month)))).contains(day) else { return nil }
            return UTCDateTime.millisecondsSinceEpoch(year: Int(year), month: Int(month), day: Int(day), hour: Int(time.hour),
                                                      minute: Int(time.minute), second: Int(time.second))
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index == bytes.count }

        mutating func skipSpaces() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skip(word: String) -> Bool {
            let start = index
            for byte in word.utf8 where !skip(byte) {
                index = start
                return false
            }
            return true
        }

        /// A run of ASCII letters, e.g. a weekday name.
        mutating func letters() -> String? {
            let start = index
            while index < bytes.count, isLetter(bytes[index]) { index += 1 }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        /// A run of decimal digits whose length is in `digits`.
        mutating func number(digits: ClosedRange<Int>) -> Int64? {
            let start = index
            var value: Int64 = 0
            while index < bytes.count, index - start < digits.upperBound,
                  (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard digits.contains(index - start) else {
                index = start
                return nil
            }
            return value
        }

        /// A three-letter month name (case-sensitive, as RFC 7231 defines it), as 1...12.
        mutating func month() -> Int64? {
            guard index + 3 <= bytes.count,
                  let offset = HTTPDate.months.firstIndex(of: String(decoding: bytes[index..<index + 3], as: UTF8.self))
            else { return nil }
            index += 3
            return Int64(offset + 1)
        }

        /// `HH:MM:SS`, with `60` allowed for a leap second.
        mutating func timeOfDay() -> (hour: Int64, minute: Int64, second: Int64)? {
            guard let hour = number(digits: 2...2), hour < 24, skip(UInt8(ascii: ":")),
                  let minute = number(digits: 2...2), minute < 60, skip(UInt8(ascii: ":")),
                  let second = number(digits: 2...2), second <= 60
            else { return nil }
            return (hour, minute, second)
        }

        private func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }
    }

    private static let shortWeekdays: Set<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longWeekdays: Set<String> = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
