import Testing

@testable import JSON

@Suite("JSONError")
struct JSONErrorTests {
    @Test("each code reads as a short sentence", arguments: [
        (JSONError.Code.emptyInput, "the input is empty"),
        (.onlyWhitespace, "expected a JSON value, found only whitespace"),
        (.byteOrderMark, "the input starts with a UTF-8 byte order mark (EF BB BF), which JSON does not allow"),
        (.unexpected(expected: "',' or '}' after an object member", found: "'x'"), "expected ',' or '}' after an object member, found 'x'"),
        (.leadingZero, "a number must not have a leading zero"),
        (.invalidUTF8(leadByte: 0xC3), "invalid UTF-8 sequence starting with byte 0xC3 inside a string"),
        (.controlCharacter(0x0A), "control character U+000A inside a string (it must be escaped)"),
        (.loneSurrogate(0xD800), "lone surrogate \\uD800 in a string escape"),
        (.duplicateMember("price"), "duplicate object member \"price\""),
        (.duplicateMember("a\"b"), "duplicate object member \"a\\\"b\""),
        (.tooDeep(limit: 512), "nesting deeper than 512 levels"),
        (.trailingData(found: "'x'"), "unexpected data after the JSON value, found 'x'"),
    ] as [(JSONError.Code, String)])
    func reasons(_ code: JSONError.Code, reason: String) {
        #expect(JSONError(offset: 3, code: code).reason == reason)
    }

    @Test("the description leads with the byte offset")
    func description() {
        let error = JSONError(offset: 17, code: .unexpected(expected: "',' or '}' after an object member", found: "'x'"))
        #expect(error.description == "invalid JSON at byte 17: expected ',' or '}' after an object member, found 'x'")
        #expect("\(error)" == error.description)
    }

    @Test("a long duplicate name is cut to 200 bytes in the message, and its length is given")
    func longDuplicateName() {
        let name = String(repeating: "n", count: 100_000)
        let reason = JSONError(offset: 0, code: .duplicateMember(name)).reason
        #expect(reason == "duplicate object member \"" + String(repeating: "n", count: 200) + "…\" (100000 bytes)")
    }

    @Test("a duplicate name's control characters are escaped in the message", arguments: [
        ("a\u{1B}[2Jb", #""a\u001b[2Jb""#), ("\r\n", #""\r\n""#), ("c1\u{9B}", #""c1\u009b""#), ("del\u{7F}", #""del\u007f""#),
    ])
    func duplicateNameEscaped(_ name: String, _ shown: String) {
        #expect(JSONError(offset: 0, code: .duplicateMember(name)).reason == "duplicate object member " + shown)
    }

    @Test("errors are equal only with the same offset and code")
    func equality() {
        #expect(JSONError(offset: 1, code: .leadingZero) == JSONError(offset: 1, code: .leadingZero))
        #expect(JSONError(offset: 1, code: .leadingZero) != JSONError(offset: 2, code: .leadingZero))
        #expect(JSONError(offset: 1, code: .leadingZero) != JSONError(offset: 1, code: .emptyInput))
    }

    @Test("the parser's error for a real input matches the documented example")
    func documentedExample() throws {
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(#"{"order_id":"12"x}"#) }
        #expect(error.description == "invalid JSON at byte 16: expected ',' or '}' after an object member, found 'x'")
    }
}
