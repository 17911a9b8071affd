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
}
