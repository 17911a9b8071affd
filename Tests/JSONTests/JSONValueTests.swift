import Testing

@testable import JSON

@Suite("JSONValue")
struct JSONValueTests {
    static let sample: JSONValue = ["s": "text", "n": 42, "b": false, "z": nil, "a": [1, "two"], "o": ["k": "v"]]

    @Test("typed accessors return the payload for their own kind only")
    func typedAccessors() throws {
        let value = Self.sample
        #expect(value["s"]?.stringValue == "text")
        #expect(value["n"]?.numberValue == JSONNumber(42))
        #expect(value["b"]?.boolValue == false)
        #expect(value["z"]?.isNull == true)
        #expect(value["a"]?.arrayValue == [1, "two"])
        #expect(value["o"]?.objectValue == ["k": "v"])

        #expect(value["s"]?.numberValue == nil)
        #expect(value["n"]?.stringValue == nil)
        #expect(value["b"]?.isNull == false)
        #expect(value["z"]?.boolValue == nil)
        #expect(value["a"]?.objectValue == nil)
        #expect(value["o"]?.arrayValue == nil)
    }

    @Test("the member subscript finds members of objects and gives nil otherwise")
    func memberSubscript() {
        let value = Self.sample
        #expect(value["o"]?["k"] == "v")
        #expect(value["missing"] == nil)
        #expect(value["a"]?["0"] == nil)
        #expect(JSONValue.string("s")["s"] == nil)
    }

    @Test("the index subscript finds elements of arrays and gives nil out of range", arguments: [
        (0, JSONValue?.some(1)),
        (1, "two"),
        (2, nil),
        (-1, nil),
    ] as [(Int, JSONValue?)])
    func indexSubscript(_ index: Int, expected: JSONValue?) {
        #expect(Self.sample["a"]?[index] == expected)
    }

    @Test("the index subscript gives nil on anything but an array")
    func indexSubscriptOnNonArrays() {
        #expect(Self.sample[0] == nil)
        #expect(JSONValue.string("abc")[0] == nil)
    }

    @Test(
        "kindDescription names what was found, with short previews",
        arguments: [
            (JSONValue.null, "null"),
            (true, "a boolean (true)"),
            (false, "a boolean (false)"),
            (42, "a number (42)"),
            (.number(JSONNumber(literal: "-1.5e3") ?? 0), "a number (-1.5e3)"),
            ("abc", #"a string ("abc")"#),
            ("a\"b\n", #"a string ("a\"b\n")"#),
            ("", #"a string ("")"#),
            ([], "an empty array"),
            ([1], "an array"),
            ([:], "an empty object"),
            (["k": 1], "an object"),
        ] as [(JSONValue, String)]
    )
    func kindDescription(_ value: JSONValue, expected: String) {
        #expect(value.kindDescription == expected)
    }

    @Test("kindDescription cuts long strings and numbers to 200 bytes on a scalar boundary and gives their length")
    func kindDescriptionTruncates() {
        let long = String(repeating: "é", count: 1_000)  // 2 bytes each
        #expect(JSONValue.string(long).kindDescription == "a string (\"" + String(repeating: "é", count: 100) + "…\" (2000 bytes))")
        let digits = String(repeating: "9", count: 600)
        let number = JSONNumber(literal: digits) ?? 0
        #expect(JSONValue.number(number).kindDescription == "a number (" + String(repeating: "9", count: 200) + "… (600 bytes))")
        let marks = String(String.UnicodeScalarView((0..<100_000).map { $0 % 2 == 0 ? "\u{301}" : "\u{316}" }))
        #expect(JSONValue.string("/" + marks).kindDescription.utf8.count < 260)
    }

    @Test("values of different kinds are never equal, and equal values hash alike")
    func equalityAcrossKinds() {
        let values: [JSONValue] = [nil, false, 0, "", [], [:], "0", ["0"], "false"]
        for (i, a) in values.enumerated() {
            for (j, b) in values.enumerated() {
                #expect((a == b) == (i == j), "\(a) vs \(b)")
            }
        }
        #expect(Set<JSONValue>([42, 42.0, .number(JSONNumber(literal: "4.2e1") ?? 0)]).count == 1)
    }
}
