import Testing

@testable import JSON

@Suite("JSONParser strings and numbers")
struct JSONParserScalarsTests {
    // MARK: - Strings

    @Test(
        "string escapes decode to the characters they name",
        arguments: [
            // The two-character escapes
            (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
            // \u escapes, both hex cases
            (#""\u0041\u00e9\u00E9\u20AC""#, "A\u{E9}\u{E9}\u{20AC}"),
            (#""\u0000""#, "\u{0}"),
            (#""\u001f\u007F""#, "\u{1F}\u{7F}"),
            // Surrogate pairs
            (#""\uD83D\uDE00""#, "\u{1F600}"),
            (#""\ud83d\ude00""#, "\u{1F600}"),
            (#""\uD800\uDC00""#, "\u{10000}"),
            (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
            // Escapes mixed with raw text on both sides
            (#""before \"q\" after""#, "before \"q\" after"),
            (#""é\n€\t😀""#, "\u{E9}\n\u{20AC}\t\u{1F600}"),
            // U+2028 written raw is valid JSON
            ("\"a\u{2028}b\"", "a\u{2028}b"),
        ] as [(String, String)]
    )
    func decodesEscapes(_ text: String, expected: String) throws {
        #expect(try JSONValue.parse(text) == .string(expected))
    }

    @Test(
        "raw UTF-8 strings are taken as they are",
        arguments: ["", "plain ASCII", "héllo", "€100", "日本語", "😀👍🏽", "e\u{301}", "\u{7F}", "\u{10FFFF}"]
    )
    func rawUTF8(_ text: String) throws {
        let value = try JSONValue.parse("\"" + text + "\"")
        let string = try #require(value.stringValue)
        #expect(Array(string.utf8) == Array(text.utf8))
    }

    @Test("escaped member names decode like string values")
    func escapedNames() throws {
        let value = try JSONValue.parse(#"{"a\"b":1,"\u00e9":2}"#)
        #expect(value.objectValue?.keys == ["a\"b", "\u{E9}"])
    }

    @Test(
        "invalid strings are rejected at the right byte with a reason",
        arguments: [
            // Escapes
            (#""\x""#, 2, "expected one of \" \\ / b f n r t u after '\\' in a string escape, found 'x'"),
            (#""\'""#, 2, "expected one of \" \\ / b f n r t u after '\\' in a string escape, found \"'\""),
            (#""\u12G4""#, 5, "expected 4 hexadecimal digits after '\\u', found 'G4'"),
            (#""\u12""#, 5, "expected 4 hexadecimal digits after '\\u', found '\"'"),
            ("\"\\", 2, "expected an escape character after '\\', found end of input"),
            // Lone surrogates
            (#""\uD800""#, 1, "lone surrogate \\uD800 in a string escape"),
            (#""\uDC00""#, 1, "lone surrogate \\uDC00 in a string escape"),
            (#""\uDFFF""#, 1, "lone surrogate \\uDFFF in a string escape"),
            (#""\uDBFF""#, 1, "lone surrogate \\uDBFF in a string escape"),
            (#""ab\uD83D\u0041""#, 3, "lone surrogate \\uD83D in a string escape"),
            (#""\uD83Dx""#, 1, "lone surrogate \\uD83D in a string escape"),
            (#""\uD83D\uD83D""#, 1, "lone surrogate \\uD83D in a string escape"),
            // Unterminated
            (#""abc"#, 4, "expected '\"' to close the string that starts at byte 0, found end of input"),
            (#"["a","b]"#, 8, "expected '\"' to close the string that starts at byte 5, found end of input"),
            // Raw control characters
            ("\"a\nb\"", 2, "control character U+000A inside a string (it must be escaped)"),
            ("\"\t\"", 1, "control character U+0009 inside a string (it must be escaped)"),
            ("\"\u{0}\"", 1, "control character U+0000 inside a string (it must be escaped)"),
            ("\"\u{1F}\"", 1, "control character U+001F inside a string (it must be escaped)"),
        ] as [(String, Int, String)]
    )
    func rejectsStrings(_ text: String, offset: Int, reason: String) throws {
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(text) }
        #expect(error.offset == offset)
        #expect(error.reason == reason)
    }

    @Test(
        "ill-formed UTF-8 inside a string is rejected at the start of the bad sequence",
        arguments: [
            ([0xFF], 0xFF),  // never valid
            ([0x80], 0x80),  // a continuation byte alone
            ([0xC3, 0x28], 0xC3),  // a lead byte without its continuation
            ([0xC0, 0xAF], 0xC0),  // overlong '/'
            ([0xE0, 0x80, 0xAF], 0xE0),  // overlong, three bytes
            ([0xED, 0xA0, 0x80], 0xED),  // an encoded surrogate (U+D800)
            ([0xF4, 0x90, 0x80, 0x80], 0xF4),  // above U+10FFFF
            ([0xF5, 0x80, 0x80, 0x80], 0xF5),  // lead byte past U+10FFFF
            ([0xF0, 0x9F, 0x98], 0xF0),  // truncated emoji, then the quote
        ] as [([UInt8], UInt8)]
    )
    func rejectsInvalidUTF8(_ sequence: [UInt8], lead: UInt8) throws {
        let bytes: [UInt8] = Array(#"{"k":"ab"#.utf8) + sequence + Array(#"cd"}"#.utf8)
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(bytes) }
        #expect(error == JSONError(offset: 8, code: .invalidUTF8(leadByte: lead)))
        #expect(error.reason.hasPrefix("invalid UTF-8 sequence starting with byte 0x"))
    }

    @Test("a multi-byte sequence cut off by the end of input is invalid UTF-8")
    func truncatedAtEndOfInput() throws {
        let error = try #require(throws: JSONError.self) { try JSONValue.parse([0x22, 0xE2, 0x82] as [UInt8]) }
        #expect(error == JSONError(offset: 1, code: .invalidUTF8(leadByte: 0xE2)))
    }

    // MARK: - Numbers

    @Test(
        "valid numbers keep their literal and read as Int64 and Double",
        arguments: [
            ("0", 0, 0.0),
            ("-0", 0, -0.0),
            ("7", 7, 7.0),
            ("-12", -12, -12.0),
            ("1e2", nil, 100.0),
            ("1E+2", nil, 100.0),
            ("1e-2", nil, 0.01),
            ("0.5", nil, 0.5),
            ("-12.75e-3", nil, -0.01275),
            ("42.0", nil, 42.0),
            ("9007199254740993", 9_007_199_254_740_993, 9_007_199_254_740_992.0),
            ("9223372036854775807", Int64.max, 9_223_372_036_854_775_808.0),
            ("-9223372036854775808", Int64.min, -9_223_372_036_854_775_808.0),
            ("9223372036854775808", nil, 9_223_372_036_854_775_808.0),
            ("1e400", nil, Double.infinity),
            ("-1E400", nil, -Double.infinity),
            ("1e-400", nil, 0.0),
            ("1e000000000000000000000000002", nil, 100.0),
        ] as [(String, Int64?, Double)]
    )
    func parsesNumbers(_ text: String, int64: Int64?, double: Double) throws {
        let number = try #require(try JSONValue.parse(text).numberValue)
        #expect(number.literal == text)
        #expect(number.int64Value == int64)
        #expect(number.doubleValue == double)
        #expect(number.doubleValue.sign == double.sign)
    }

    @Test("a 400-digit integer is kept digit for digit")
    func hugeInteger() throws {
        let digits = "1" + String(repeating: "234567890", count: 44)
        let number = try #require(try JSONValue.parse("[" + digits + "]")[0]?.numberValue)
        #expect(number.literal == digits)
        #expect(number.isIntegerLiteral)
        #expect(number.int64Value == nil)
    }

    @Test(
        "invalid numbers are rejected at the right byte with a reason",
        arguments: [
            ("01", 0, "a number must not have a leading zero"),
            ("-012", 0, "a number must not have a leading zero"),
            ("[00]", 1, "a number must not have a leading zero"),
            ("+1", 0, "expected a JSON value, found '+'"),
            (".5", 0, "expected a JSON value, found '.'"),
            ("-", 1, "expected a digit after '-', found end of input"),
            ("-a", 1, "expected a digit after '-', found 'a'"),
            ("-Infinity", 1, "expected a digit after '-', found 'Infinity'"),
            ("1.", 2, "expected a digit after the decimal point, found end of input"),
            ("1.e5", 2, "expected a digit after the decimal point, found 'e5'"),
            ("1e", 2, "expected a digit in the exponent, found end of input"),
            ("1e+", 3, "expected a digit in the exponent, found end of input"),
            ("[1E-x]", 4, "expected a digit in the exponent, found 'x'"),
            ("0x1F", 1, "unexpected data after the JSON value, found 'x1F'"),
            ("1.5.2", 3, "unexpected data after the JSON value, found '.'"),
        ] as [(String, Int, String)]
    )
    func rejectsNumbers(_ text: String, offset: Int, reason: String) throws {
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(text) }
        #expect(error.offset == offset)
        #expect(error.reason == reason)
    }
}
