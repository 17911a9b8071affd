/// A Unix time broken into UTC calendar fields, for ISO 8601 and SigV4 dates without Foundation.
public struct UTCDateTime: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    public let millisecond: Int

    /// Splits a Unix time into calendar fields (proleptic Gregorian, UTC).
    /// - Parameter millisecondsSinceEpoch: Unix time in milliseconds.
    public init(millisecondsSinceEpoch: Int64) {
        // Floor division so times before 1970 land on the right day.
        let (days, dayMilliseconds) = Self.floorDivide(millisecondsSinceEpoch, 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        self.year = year
        self.month = month
        self.day = day
        hour = Int(dayMilliseconds / 3_600_000)
        minute = Int(dayMilliseconds / 60_000 % 60)
        second = Int(dayMilliseconds / 1_000 % 60)
        millisecond = Int(dayMilliseconds % 1_000)
    }

    /// The Unix time in milliseconds of calendar fields (the inverse of ``init(millisecondsSinceEpoch:)``).
    public static func millisecondsSinceEpoch(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0
    ) -> Int64 {
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        return days * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1_000 + Int64(millisecond)
    }

    /// The number of days in a month of the Gregorian calendar.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `2026-11-25T19:09:06.123Z`: RFC 3339 with milliseconds, as CloudWatch and the stored `processed_at` use.
    public var iso8601: String {
        // Written digit by digit: every log line and every processed order formats one. Other years
        // keep the general form.
        guard (0...9999).contains(year) else { return paddedISO8601 }
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            out[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            out[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            out[10] = UInt8(ascii: "T")
            put(hour, 2, at: 11)
            out[13] = UInt8(ascii: ":")
            put(minute, 2, at: 14)
            out[16] = UInt8(ascii: ":")
            put(second, 2, at: 17)
            out[19] = UInt8(ascii: ".")
            put(millisecond, 3, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// The general form, for any year (padding as `String` does, a sign included).
    var paddedISO8601: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millisecond, 3))Z"
    }

    /// `20261125T190906Z`: the SigV4 `X-Amz-Date` (ISO 8601 basic format, no fraction).
    public var basicISO8601: String {
        "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))T\(pad(hour, 2))\(pad(minute, 2))\(pad(second, 2))Z"
    }

    /// `20261125`: the SigV4 credential scope date.
    public var dateStamp: String {
        "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))"
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
    private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Howard Hinnant's `days_from_civil`.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension UTCDateTime {
    /// Parses an RFC 3339 / ISO 8601 UTC time such as `2026-11-25T20:09:06Z` or `2026-11-25T20:09:06.123Z`
    /// (a `+00:00` offset is accepted too; other offsets are applied).
    /// - Parameter text: The timestamp.
    /// - Returns: Unix time in milliseconds, or `nil` when it is not such a timestamp.
    public static func parseISO8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ index: Int, is expected: Character) -> Bool {
            index < bytes.count && bytes[index] == expected.asciiValue
        }
        guard bytes.count >= 20,
              let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"),
              let day = number(8..<10), byte(10, is: "T") || byte(10, is: "t") || byte(10, is: " "),
              let hour = number(11..<13), byte(13, is: ":"), let minute = number(14..<16), byte(16, is: ":"),
              let second = number(17..<19),
              (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millisecond = 0
        if byte(index, is: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, let digit = number(index..<index + 1) {
                if digits < 3 { millisecond = millisecond * 10 + digit }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millisecond *= 10 }
        }
        var offsetMinutes = 0
        if byte(index, is: "Z") || byte(index, is: "z") {
            index += 1
        } else if byte(index, is: "+") || byte(index, is: "-") {
            guard let hours = number(index + 1..<index + 3), byte(index + 3, is: ":"),
                  let minutes = number(index + 4..<index + 6) else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (byte(index, is: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        return millisecondsSinceEpoch(year: year, month: month, day: day, hour: hour, minute: minute,
                                      second: second, millisecond: millisecond) - Int64(offsetMinutes) * 60_000
    }
}
