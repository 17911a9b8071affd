import Testing

@testable import JSON

/// Parses `text` and returns the error it must throw.
private func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONError {
    try #require(throws: JSONError.self, sourceLocation: sourceLocation) { try JSONValue.parse(text) }
}

@Suite("JSONParser")
struct JSONParserTests {
    @Test(
        "structurally invalid documents are rejected at the right byte with a reason",
        arguments: [
            // Empty and whitespace-only input
            ("", 0, "the input is empty"),
            (" \n\t\r ", 5, "expected a JSON value, found only whitespace"),
            // Trailing commas
            ("[1,2,]", 5, "expected a JSON value after ',' (trailing commas are not allowed), found ']'"),
            (#"{"a":1,}"#, 7, "expected a string for an object member name after ',' (trailing commas are not allowed), found '}'"),
            // Missing separators and brackets
            ("[1 2]", 3, "expected ',' or ']' after an array element, found '2'"),
            (#"{"a" 1}"#, 5, "expected ':' after an object member name, found '1'"),
            (#"{"a":1 "b":2}"#, 7, "expected ',' or '}' after an object member, found '\"'"),
            (#"{"a":1x}"#, 6, "expected ',' or '}' after an object member, found 'x'"),
            ("[", 1, "expected a JSON value or ']', found end of input"),
            ("[1", 2, "expected ',' or ']' after an array element, found end of input"),
            ("{", 1, "expected a string for an object member name or '}', found end of input"),
            (#"{"a":"#, 5, "expected a JSON value for the object member, found end of input"),
            ("]", 0, "expected a JSON value, found ']'"),
            // Single quotes and bare words
            ("'a'", 0, "expected a JSON value, found \"'\""),
            ("{'a':1}", 1, "expected a string for an object member name or '}', found \"'\""),
            ("{a:1}", 1, "expected a string for an object member name or '}', found 'a'"),
            ("NaN", 0, "expected a JSON value, found 'NaN'"),
            ("[Infinity]", 1, "expected a JSON value or ']', found 'Infinity'"),
            ("tru", 0, "expected a JSON value, found 'tru'"),
            ("nul", 0, "expected a JSON value, found 'nul'"),
            ("True", 0, "expected a JSON value, found 'True'"),
            ("None", 0, "expected a JSON value, found 'None'"),
            // Comments
            ("/* c */ 1", 0, "expected a JSON value, found '/'"),
            ("[1]// c", 3, "unexpected data after the JSON value, found '/'"),
            // Trailing data
            ("{} x", 3, "unexpected data after the JSON value, found 'x'"),
            ("1 2", 2, "unexpected data after the JSON value, found '2'"),
            ("truex", 4, "unexpected data after the JSON value, found 'x'"),
            ("[][]", 2, "unexpected data after the JSON value, found '['"),
            // Whitespace RFC 8259 does not allow
            ("\u{0C}1", 0, "expected a JSON value, found control character U+000C"),
            ("\u{A0}1", 0, "expected a JSON value, found '\u{A0}' (U+00A0)"),
            ("1\u{0B}", 1, "unexpected data after the JSON value, found control character U+000B"),
        ] as [(String, Int, String)]
    )
    func rejectsStructure(_ text: String, offset: Int, reason: String) throws {
        let error = try parseError(text)
        #expect(error.offset == offset)
        #expect(error.reason == reason)
    }

    @Test("a leading UTF-8 byte order mark is rejected with its own message")
    func rejectsByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{}".utf8)
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(bytes) }
        #expect(error == JSONError(offset: 0, code: .byteOrderMark))
        #expect(error.reason.contains("byte order mark"))
    }

    @Test("an invalid byte outside strings is named as invalid UTF-8")
    func rejectsInvalidByteOutsideStrings() throws {
        let error = try #require(throws: JSONError.self) { try JSONValue.parse([0x5B, 0xFF, 0x5D] as [UInt8]) }
        #expect(error.offset == 1)
        #expect(error.reason == "expected a JSON value or ']', found invalid UTF-8 byte 0xFF")
    }

    @Test("512 levels of nesting parse, and the 513th level is rejected where it opens", arguments: ["[", "{\"k\":"])
    func depthLimit(opener: String) throws {
        let closer = opener == "[" ? "]" : "}"
        let atLimit = String(repeating: opener, count: 512) + "0" + String(repeating: closer, count: 512)
        var value = try JSONValue.parse(atLimit)
        var depth = 0
        while let inner = value[0] ?? value["k"] {
            value = inner
            depth += 1
        }
        #expect(depth == 512)
        #expect(value == 0)

        let tooDeep = String(repeating: opener, count: 513) + "0" + String(repeating: closer, count: 513)
        // Caught by hand: a failing #require(throws:) would print the whole 513-level value.
        do {
            _ = try JSONValue.parse(tooDeep)
            Issue.record("513 levels of nesting were accepted")
        } catch {
            #expect(error == JSONError(offset: 512 * opener.utf8.count, code: .tooDeep(limit: 512)))
            #expect(error.reason == "nesting deeper than 512 levels")
        }
    }

    @Test("a duplicate member name is rejected at the second occurrence")
    func rejectsDuplicateMember() throws {
        let error = try parseError(#"{"price":1,"price":2}"#)
        #expect(error == JSONError(offset: 11, code: .duplicateMember("price")))
        #expect(error.description == #"invalid JSON at byte 11: duplicate object member "price""#)
    }

    @Test("duplicates are found in nested objects and in objects big enough to be indexed", arguments: [3, 16, 17, 40])
    func rejectsDuplicateInBigObjects(memberCount: Int) throws {
        let members = (0..<memberCount).map { #""m\#($0)":\#($0)"# }
        let text = "{\"outer\":{" + members.joined(separator: ",") + #","m0":true}}"#
        let error = try parseError(text)
        #expect(error.code == .duplicateMember("m0"))
        #expect(error.offset == text.utf8.count - #""m0":true}}"#.utf8.count)
    }

    @Test("the same name in sibling or nested objects is not a duplicate")
    func sameNameInOtherObjects() throws {
        let value = try JSONValue.parse(#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#)
        #expect(value["a"]?["a"] == 1)
        #expect(value["b"]?[1]?["a"] == 3)
    }

    @Test("member names compare by code points (RFC 8259 §8.3): NFC and NFD spellings are two names")
    func canonicallyEquivalentNames() throws {
        let value = try JSONValue.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        let object = try #require(value.objectValue)
        #expect(object.count == 2)
        #expect(value["\u{E9}"] == 1)
        #expect(value["e\u{301}"] == 2)
        #expect(object.keys.map { Array($0.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
    }

    @Test("the same code points twice are still a duplicate, refused on purpose (the order's hash needs one meaning)")
    func sameCodePointsTwice() throws {
        let error = try parseError("{\"e\u{301}\":1,\"e\\u0301\":2}")
        #expect(error.code == .duplicateMember("e\u{301}"))
    }

    @Test("a 256 KB member name of alternating combining marks parses, and a second copy is found as a duplicate")
    func longCombiningMarkName() throws {
        // U+0301 (class 230) and U+0316 (class 220) alternate: normalizing this would reorder it, quadratically.
        let marks = String(String.UnicodeScalarView((0..<131_072).map { $0 % 2 == 0 ? "\u{301}" : "\u{316}" }))
        let value = try JSONValue.parse("{\"\(marks)\":1,\"order_id\":\"1\"}")
        #expect(value["order_id"] == "1")
        #expect(value.objectValue?.keys.first?.utf8.count == 262_144)
        let error = try parseError("{\"\(marks)\":1,\"\(marks)\":2}")
        guard case .duplicateMember(let name) = error.code else {
            Issue.record("expected a duplicate, got \(error)")
            return
        }
        #expect(name.utf8.count == 262_144)
        #expect(error.reason.utf8.count < 300, "the message shows an excerpt: \(error.reason.utf8.count) bytes")
    }
}
