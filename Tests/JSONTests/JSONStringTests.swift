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
}
