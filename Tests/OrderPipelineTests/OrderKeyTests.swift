@testable import OrderPipeline
import Testing

@Suite("OrderKey")
struct OrderKeyTests {
    @Test("keys of 1 to 512 UTF-8 bytes without '/' or control characters are valid", arguments: [
        "123", "A-1001", "big order-7", "a+b", "k=v", "50%", "...x", ".a", "a.", "~", "Bestellung-äöü", "注文", "😀",
        "a\\b", String(repeating: "x", count: 512), String(repeating: "é", count: 256),
    ])
    func valid(_ key: String) {
        #expect(OrderKey.problem(with: key) == nil)
    }

    @Test("every invalid key is named with its reason", arguments: [
        ("", "it is empty"),
        (".", #""." is not allowed"#),
        ("..", #"".." is not allowed"#),
        ("/", "it contains '/'"),
        ("a/b", "it contains '/'"),
        ("../x", "it contains '/'"),
        ("a/\u{301}b", "it contains '/'"),
        ("\u{301}/", "it contains '/'"),
        ("line\nbreak", "it contains the control character U+000A"),
        ("\r", "it contains the control character U+000D"),
        ("x\u{1F}", "it contains the control character U+001F"),
        ("x\u{7F}", "it contains the control character U+007F"),
        ("x\u{80}", "it contains the control character U+0080"),
        ("x\u{9F}", "it contains the control character U+009F"),
        (String(repeating: "x", count: 513), "it is 513 UTF-8 bytes long (at most 512)"),
        (String(repeating: "é", count: 257), "it is 514 UTF-8 bytes long (at most 512)"),
        (String(repeating: "😀", count: 129), "it is 516 UTF-8 bytes long (at most 512)"),
    ])
    func invalid(_ key: String, _ reason: String) {
        #expect(OrderKey.problem(with: key) == reason)
    }

    @Test("the limit counts UTF-8 bytes, not characters")
    func limitIsBytes() {
        let key = String(repeating: "€", count: 171)  // 171 characters, 513 bytes
        #expect(key.count < OrderKey.maximumBytes)
        #expect(OrderKey.problem(with: key) == "it is 513 UTF-8 bytes long (at most 512)")
    }

    @Test("U+00A0 and other non-control characters just above the C1 range are allowed", arguments: ["\u{A0}", "x\u{A0}y", "\u{2028}"])
    func aboveControlRange(_ key: String) {
        #expect(OrderKey.problem(with: key) == nil)
    }
}
