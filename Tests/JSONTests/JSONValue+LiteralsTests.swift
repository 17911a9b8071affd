import Testing

@testable import JSON

@Suite("JSONValue literals")
struct JSONValueLiteralsTests {
    @Test("each literal builds the matching case")
    func literalsBuildCases() {
        let string: JSONValue = "s"
        let integer: JSONValue = -42
        let float: JSONValue = 0.1
        let boolean: JSONValue = true
        let null: JSONValue = nil
        let array: JSONValue = [1, "a"]
        let object: JSONValue = ["k": 1]
        #expect(string == .string("s"))
        #expect(integer.numberValue?.literal == "-42")
        #expect(integer.numberValue?.isIntegerLiteral == true)
        #expect(float.numberValue?.literal == "0.1")
        #expect(boolean == .bool(true))
        #expect(null == .null)
        #expect(array == .array([.number(JSONNumber(1)), .string("a")]))
        #expect(object == .object(JSONObject([("k", .number(JSONNumber(1)))])))
    }

    @Test("float literals are written in their shortest round-trip form", arguments: [
        (0.1, "0.1"), (42.0, "42"), (-0.0, "0"), (1e21, "1e+21"), (1.5e-7, "1.5e-7"), (123.456, "123.456"),
    ] as [(Double, String)])
    func floatLiterals(_ double: Double, literal: String) {
        let value = JSONValue(floatLiteral: double)
        #expect(value.numberValue?.literal == literal)
    }

    @Test("dictionary literals keep their order")
    func dictionaryLiteralOrder() {
        let value: JSONValue = ["z": 1, "a": 2, "m": 3, "b": nil]
        #expect(value.objectValue?.keys == ["z", "a", "m", "b"])
        #expect(value.serialized() == #"{"z":1,"a":2,"m":3,"b":null}"#)
    }

    @Test("a name written twice in a literal keeps its first position and last value")
    func dictionaryLiteralDuplicate() {
        let value: JSONValue = ["a": 1, "b": 2, "a": 3]
        #expect(value.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test("literals nest, with values computed at run time mixed in")
    func nestedLiterals() {
        let id = "123"
        let value: JSONValue = ["ok": true, "order_id": .string(id), "results": [["n": .number(JSONNumber(7))], nil]]
        #expect(value.serialized() == #"{"ok":true,"order_id":"123","results":[{"n":7},null]}"#)
    }
}
