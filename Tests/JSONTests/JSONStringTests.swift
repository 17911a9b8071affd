import Testing

@testable import JSON

@Suite("JSONString")
struct JSONStringTests {
    @Test("escaped(_:) escapes quotes, backslashes, control characters and U+2028/U+2029 only", arguments: [
        ("", ""),
        ("plain", "plain"),
        ("a\"b", #"a\"b"#),
        ("a\\b", #"a\\b"#),
        ("\u{8}\u{C}\n\r\t", #"\b\f\n\r\t"#),
        ("\u{0}\u{1}\u{1F}", #"\u0000\u0001\u001f"#),
        ("line\u{2028}para\u{2029}", #"line\u2028para\u2029"#),
        ("/ \u{7F} é € 😀 \u{2027}\u{202A}", "/ \u{7F} é € 😀 \u{2027}\u{202A}"),
        ("end\\", #"end\\"#),
        ("\"", #"\""#),
    ] as [(String, String)])
    func escapes(_ raw: String, expected: String) {
        #expect(JSONString.escaped(raw) == expected)
    }

    @Test("quoted(_:) wraps the escaped text in double quotes")
    func quoted() {
        #expect(JSONString.quoted("a\"b\n") == #""a\"b\n""#)
        #expect(JSONString.quoted("") == #""""#)
    }

    @Test("every control character escapes to text the parser reads back", arguments: 0..<0x20)
    func controlCharactersRoundTrip(_ code: Int) throws {
        let scalar = try #require(Unicode.Scalar(code))
        let raw = "x" + String(Character(scalar)) + "y"
        let escaped = JSONString.escaped(raw)
        #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 })
        #expect(try JSONValue.parse("\"" + escaped + "\"") == .string(raw))
    }

    @Test("a bridged-looking string made of substrings escapes the same")
    func substrings() {
        let source = "--a\"b--"
        let middle = String(source.dropFirst(2).dropLast(2))
        #expect(JSONString.escaped(middle) == #"a\"b"#)
    }

    @Test("prefix(_:maxBytes:) keeps whole scalars within the byte limit", arguments: [
        // Text that fits comes back whole.
        ("", 4, ""),
        ("abcd", 4, "abcd"),
        // ASCII is cut at the limit.
        ("abcdef", 4, "abcd"),
        ("abcdef", 0, ""),
        // A multi-byte scalar that would not fit whole is left out: é is 2 bytes, € 3, 😀 4.
        ("aé", 2, "a"),
        ("aéb", 3, "aé"),
        ("€€", 5, "€"),
        ("a😀", 4, "a"),
        ("a😀b", 5, "a😀"),
        // Scalars, not Characters: the cut may part a letter from its combining acute (U+0301).
        ("ae\u{301}x", 3, "ae"),
        ("ae\u{301}x", 4, "ae\u{301}"),
    ] as [(String, Int, String)])
    func prefix(_ text: String, maxBytes: Int, expected: String) {
        let kept = JSONString.prefix(text, maxBytes: maxBytes)
        #expect(kept == expected)
        #expect(kept.utf8.elementsEqual(expected.utf8))
        #expect(kept.utf8.count <= maxBytes)
    }

    @Test("prefix(_:maxBytes:) of a long text is exactly the first bytes when the limit falls between scalars")
    func prefixOfLongText() {
        let text = String(repeating: "ab€", count: 100_000)
        let kept = JSONString.prefix(text, maxBytes: 500)
        #expect(kept.utf8.count == 500)
        #expect(text.utf8.starts(with: kept.utf8))
    }

    @Test("the eight-byte test flags exactly the words holding a byte the escaper must look at")
    func wordTest() {
        func mustLook(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2 }
        let filler = UInt64(0x61) &* 0x0101_0101_0101_0101  // "aaaaaaaa"
        for position in 0..<8 {
            for value in UInt8.min...UInt8.max {
                let shift = UInt64(position * 8)
                let word = (filler & ~(0xFF << shift)) | (UInt64(value) << shift)
                #expect(JSONString.mayNeedEscaping(word) == mustLook(value), "byte \(value) at \(position)")
            }
        }
        // Words of mixed bytes, among them 0x80...0xFF and the values either side of each boundary.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let word = state
            let bytes = (0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64($0 * 8)) }
            #expect(JSONString.mayNeedEscaping(word) == bytes.contains(where: mustLook))
        }
    }

    @Test("long strings escape the same with the special character at every position", arguments: [
        "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{2028}", "\u{2029}", "\u{2027}", "€", "é",
    ])
    func longStrings(_ special: String) {
        /// The escaper's contract, one scalar at a time.
        func reference(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x08: out += "\\b"
                case 0x0C: out += "\\f"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                case 0..<0x20:
                    let digits = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                case 0x2028: out += "\\u2028"
                case 0x2029: out += "\\u2029"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        for length in 0...40 {
            for position in 0...length {
                let text = String(repeating: "x", count: position) + special + String(repeating: "y", count: length - position)
                #expect(JSONString.escaped(text) == reference(text), "\(special) at \(position) of \(length)")
                let twice = text + special + text
                #expect(JSONString.escaped(twice) == reference(twice))
            }
        }
    }
}
