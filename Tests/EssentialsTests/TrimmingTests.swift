import Essentials
import Testing

@Suite("trimmingASCIIWhitespace")
struct TrimmingTests {
    @Test("ASCII whitespace goes at both ends, inner text and other scalars stay", arguments: [
        ("  raw/events/ \t\r\n", "raw/events/"),
        ("\u{0B}\u{0C}x y\u{0B}", "x y"),
        (" \u{301}a ", "\u{301}a"),           // a combining mark after a space is kept, not merged away
        ("\u{A0}x\u{A0}", "\u{A0}x\u{A0}"),   // no-break space is not ASCII whitespace
        (" \t ", ""),
        ("", ""),
    ])
    func trims(_ input: String, _ expected: String) {
        #expect(input.trimmingASCIIWhitespace().unicodeScalars.elementsEqual(expected.unicodeScalars))
    }
}
