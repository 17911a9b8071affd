import Testing

@testable import JSON

@Suite("JSONObject")
struct JSONObjectTests {
    @Test("members keep insertion order through parsing, literals and iteration")
    func keepsOrder() throws {
        let parsed = try #require(try JSONValue.parse(#"{"c":1,"a":2,"b":3}"#).objectValue)
        #expect(parsed.keys == ["c", "a", "b"])
        #expect(parsed.map(\.key) == ["c", "a", "b"])
        #expect(parsed.map(\.value) == [1, 2, 3])
        #expect(parsed.count == 3)
        #expect(!parsed.isEmpty)
        let literal: JSONObject = ["c": 1, "a": 2]
        #expect(literal.keys == ["c", "a"])
        #expect(JSONObject().isEmpty)
    }

    @Test("setting an existing member replaces it in place; a new one is appended")
    func subscriptSet() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = "one"
        object["c"] = 3
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["a"] == "one")
        #expect(object["c"] == 3)
        #expect(object["missing"] == nil)
    }

    @Test("setting nil removes a member; removeValue returns what it removed")
    func removal() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object.removeValue(forKey: "a") == 1)
        #expect(object.removeValue(forKey: "a") == nil)
        object["zzz"] = nil
        #expect(object.keys == ["c"])
    }

    @Test("a JSON null member is present, unlike a missing one")
    func nullMember() {
        let object: JSONObject = ["n": nil]
        #expect(object["n"] == .some(.null))
        #expect(object["m"] == nil)
    }

    @Test("init from pairs keeps the first position and the last value of a repeated name")
    func initFromPairs() {
        let object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test("lookup, replacement and removal stay correct across the index threshold", arguments: [5, 16, 17, 18, 100])
    func bigObjects(count: Int) {
        var object = JSONObject((0..<count).map { ("k\($0)", .number(JSONNumber($0))) })
        #expect(object.count == count)
        for i in 0..<count {
            #expect(object["k\(i)"] == .number(JSONNumber(i)))
        }
        // Remove from the front, so every later position shifts.
        object["k0"] = nil
        object["k\(count - 1)"] = "last"
        object["new"] = true
        #expect(object["k0"] == nil)
        #expect(object["k1"] == 1)
        #expect(object["k\(count - 1)"] == "last")
        #expect(object["new"] == true)
        #expect(object.keys.first == "k1")
        #expect(object.keys.last == "new")
        #expect(object.count == count)
        // Grow back past the threshold after shrinking below it.
        for i in 0..<count { object["k\(i)"] = nil }
        #expect(object.keys == ["new"])
        for i in 0..<20 { object["x\(i)"] = .number(JSONNumber(i)) }
        #expect(object["x19"] == 19)
        #expect(object["new"] == true)
    }

    @Test("a parsed object with many members finds every member")
    func parsedBigObject() throws {
        let text = "{" + (0..<50).map { #""m\#($0)":\#($0)"# }.joined(separator: ",") + "}"
        let object = try #require(try JSONValue.parse(text).objectValue)
        for i in 0..<50 {
            #expect(object["m\(i)"] == .number(JSONNumber(i)))
        }
        #expect(object["m50"] == nil)
    }

    @Test("objects with the same members in another order are equal and hash alike")
    func orderInsensitiveEquality() throws {
        let a: JSONObject = ["a": 1, "b": [1, 2], "c": ["x": nil, "y": true]]
        let b: JSONObject = ["c": ["y": true, "x": nil], "a": 1.0, "b": [1, 2]]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        let big = JSONObject((0..<30).map { ("k\($0)", .number(JSONNumber($0))) })
        let reversed = JSONObject((0..<30).reversed().map { ("k\($0)", .number(JSONNumber($0))) })
        #expect(big == reversed)
        #expect(big.hashValue == reversed.hashValue)
    }

    @Test("objects that differ in a name, a value or a member count are not equal", arguments: [
        (["a": 1] as JSONObject, ["a": 2] as JSONObject),
        (["a": 1], ["b": 1]),
        (["a": 1], ["a": 1, "b": 2]),
        (["a": nil], [:]),
        (["a": [1, 2]], ["a": [2, 1]]),
    ] as [(JSONObject, JSONObject)])
    func inequality(_ a: JSONObject, _ b: JSONObject) {
        #expect(a != b)
        #expect(b != a)
    }

    @Test("init from pairs equals setting them one by one, distinct or repeated, below and above the index threshold",
          arguments: [0, 1, 2, 15, 16, 17, 20])
    func initFromPairsMatchesSetting(_ count: Int) {
        // "\u{E9}" and "e\u{301}" are canonically equivalent but different bytes: two names.
        let names = ["\u{E9}", "e\u{301}"] + (0..<count).map { "name-\($0)" }
        for pairs in [names.enumerated().map { ($1, JSONValue.number(JSONNumber($0))) },
                      (names + names.prefix(3)).enumerated().map { ($1, JSONValue.number(JSONNumber($0))) }] {
            var expected = JSONObject()
            for (name, value) in pairs { expected[name] = value }
            let object = JSONObject(pairs)
            #expect(object.keys == expected.keys)
            #expect(object.members.map(\.value) == expected.members.map(\.value))
            for name in names { #expect(object[name] == expected[name]) }
        }
    }
}
