import Testing

@testable import JSON

@Suite("JSONValue serialization")
struct JSONValueSerializationTests {
    @Test(
        "serialization is compact, keeps member order and number literals",
        arguments: [
            ("null", "null"),
            (" true ", "true"),
            ("[ 1 , 2.50 , -0 , 1E+2 ]", "[1,2.50,-0,1E+2]"),
            (#"{ "b" : 1 , "a" : [ ] , "c" : { } }"#, #"{"b":1,"a":[],"c":{}}"#),
            (#""\u0041\/\u00e9""#, #""A/é""#),
            (#""\b\f\n\r\t\u0001\u001F""#, #""\b\f\n\r\t\u0001\u001f""#),
            (#""\u2028\u2029""#, #""\u2028\u2029""#),
            (#""\uD83D\uDE00""#, "\"\u{1F600}\""),
        ] as [(String, String)]
    )
    func serializesCompactly(_ text: String, expected: String) throws {
        let value = try JSONValue.parse(text)
        #expect(value.serialized() == expected)
        #expect(value.serializedBytes() == Array(expected.utf8))
    }

    @Test(
        "parse, serialize and parse again gives an equal value",
        arguments: [
            #"{"version":"0","detail":{"order_id":"a b+c=d/é","price":42.50,"n":null,"t":true}}"#,
            #"[[],[[]],{},{"":{"":""}},[1,-0,0.5,-12.75e-3,9007199254740993,1e400]]"#,
            #""quote \" backslash \\ controls \u0000\u001f\b\f\n\r\t lines \u2028\u2029 emoji 😀""#,
            "\"raw UTF-8: h\u{E9}llo \u{65E5}\u{672C} \u{1F44D}\u{1F3FD} \u{7F}\"",
            #"{"a":{"b":{"c":{"d":[1,{"e":[true,false,null]}]}}}}"#,
        ]
    )
    func roundTrips(_ text: String) throws {
        let value = try JSONValue.parse(text)
        let again = try JSONValue.parse(value.serialized())
        #expect(again == value)
        #expect(again.serialized() == value.serialized())
        #expect(try JSONValue.parse(value.canonicalSerialized()) == value)
    }

    @Test("values built from literals serialize in literal order")
    func serializesLiterals() {
        let value: JSONValue = ["ok": true, "order_id": .string("123"), "first_time": true, "s3_key": "raw/events/123.json"]
        #expect(value.serialized() == #"{"ok":true,"order_id":"123","first_time":true,"s3_key":"raw/events/123.json"}"#)
    }

    @Test(
        "canonical form ignores member order, whitespace and number spelling",
        arguments: [
            #"{"b":1,"a":{"y":[42,0.5],"x":"s"}}"#,
            #"{ "a" : { "x" : "s" , "y" : [ 42.0 , 5e-1 ] } , "b" : 1.0 }"#,
            #"{"a":{"y":[4.2e1,0.50],"x":"\u0073"},"b":10E-1}"#,
            "{\"b\":1,\n\t\"a\":{\"x\":\"s\",\"y\":[420e-1,50e-2]}}",
        ]
    )
    func canonicalIsSpellingIndependent(_ text: String) throws {
        #expect(try JSONValue.parse(text).canonicalSerialized() == #"{"a":{"x":"s","y":[42,0.5]},"b":1}"#)
    }

    @Test("canonical form sorts nested objects, including objects inside arrays, and keeps array order")
    func canonicalSortsNested() throws {
        let value = try JSONValue.parse(#"{"z":{"y":1,"x":[{"b":1,"a":2},3,1]},"a":null}"#)
        #expect(value.canonicalSerialized() == #"{"a":null,"z":{"x":[{"a":2,"b":1},3,1],"y":1}}"#)
        #expect(value.canonicalSerializedBytes() == Array(value.canonicalSerialized().utf8))
    }

    @Test("canonical form sorts names by UTF-8 bytes, not by UTF-16 or by String comparison")
    func canonicalSortsByUTF8() throws {
        // UTF-16 puts U+1F600 (D83D DE00) before U+E000; UTF-8 (F0… after EE…) does not.
        let value: JSONValue = ["\u{1F600}": 1, "\u{E000}": 2, "a": 3, "B": 4, "": 5, "aa": 6]
        #expect(value.canonicalSerialized() == "{\"\":5,\"B\":4,\"a\":3,\"aa\":6,\"\u{E000}\":2,\"\u{1F600}\":1}")
        // String's `<` compares NFC forms, where U+212B (E2 84 AB) is U+00C5 and so sorts before U+00D0 (C3 90).
        let normalizing: JSONValue = ["\u{212B}": 1, "\u{D0}": 2]
        #expect(normalizing.canonicalSerialized() == "{\"\u{D0}\":2,\"\u{212B}\":1}")
    }

    @Test("canonical form keeps big integers exact, so neighbouring ids do not collide")
    func canonicalKeepsBigIntegers() throws {
        let a = try JSONValue.parse(#"{"id":9007199254740993}"#)
        let b = try JSONValue.parse(#"{"id":9007199254740992}"#)
        #expect(a.canonicalSerialized() == #"{"id":9007199254740993}"#)
        #expect(b.canonicalSerialized() == #"{"id":9007199254740992}"#)
        #expect(a != b)
    }

    @Test("canonical form escapes strings the same way as compact serialization")
    func canonicalEscapesStrings() throws {
        let value: JSONValue = ["k\n": "a\"b\\c\u{1}\u{2028}"]
        #expect(value.canonicalSerialized() == #"{"k\n":"a\"b\\c\u0001\u2028"}"#)
        #expect(value.serialized() == value.canonicalSerialized())
    }

    @Test("different values give different canonical text", arguments: [
        (#"{"a":1}"#, #"{"a":2}"#),
        (#"{"a":1}"#, #"{"a":"1"}"#),
        (#"[1,2]"#, #"[2,1]"#),
        (#"{"a":null}"#, #"{}"#),
        (#"{"a":1,"b":2}"#, #"{"a":1,"c":2}"#),
        (#"1e400"#, #"2e400"#),
    ] as [(String, String)])
    func canonicalDistinguishes(_ first: String, second: String) throws {
        #expect(try JSONValue.parse(first).canonicalSerialized() != JSONValue.parse(second).canonicalSerialized())
    }
}
