@testable import JSON
import Testing
import TransportDoubles

@Suite("JSONText")
struct JSONTextTests {
    static let documents: [String] = [
        "null", "true", "false", "0", "-0", "42", "42.0", "4.2e1", "1E+2", "-12.75e-3", "1e400", "9007199254740993",
        #""""#, #""abc""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u0301 \ud83d\ude00 \u2028""#, "\"é注文😀\"",
        "[]", "{}", " [ 1 , [ ] , { } , \"x\" ] ", #"{"b":1,"a":2}"#, "{\"\u{E9}\":1,\"e\u{301}\":2}",
        #"{"\u00e9":1,"e\u0301":2,"z":[{"y":1,"x":{"w":null}}]}"#,
        #"{"order_id":"A-1","price":19.99,"items":[{"sku":"a","qty":2}],"customer":{"tier":"gold","id":"c"}}"#,
        #"{"a\"b":1,"a":2,"a\\":3,"\u0000":4,"":5}"#,
        "{" + (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + "}",
        "{\n\t\"x\" :\r\n [1.50, -0.0, 1e-7, 100e-2]\n}",
    ]

    static let invalid: [String] = [
        "", " ", "{", "[1,]", #"{"a":1,}"#, #"{"a":1,"a":2}"#, "{\"\u{E9}\":1,\"\\u00e9\":2}", "01", "[1 2]", #""\ud800""#,
        "nul", "[" + String(repeating: "[", count: 600) + String(repeating: "]", count: 601), "\u{FEFF}{}", "{}x", "\"a\u{1}\"",
    ]

    @Test("checking accepts exactly what parsing accepts, with the same error", arguments: documents + invalid)
    func sameVerdict(_ text: String) {
        let parsed = Result { () throws(JSONError) in try JSONValue.parse(text) }
        let checked = Result { () throws(JSONError) in try JSONText(validating: Array(text.utf8)) }
        switch (parsed, checked) {
        case (.success, .success): break
        case let (.failure(expected), .failure(found)): #expect(found == expected)
        default: Issue.record("parse \(parsed) but check \(checked) for \(text)")
        }
    }

    @Test("around the size where member names get an index, checking and parsing refuse the same duplicate",
          arguments: [1, 15, 16, 17, 18, 40], [0, 15, 16, 17])
    func sameDuplicateVerdict(memberCount: Int, repeated: Int) {
        let members = (0..<memberCount).map { #""m\#($0)":\#($0)"# }
        let text = "{\"outer\":{" + members.joined(separator: ",") + #","m\#(repeated)":true}}"#
        let parsed = Result { () throws(JSONError) in try JSONValue.parse(text) }
        let checked = Result { () throws(JSONError) in try JSONText(validating: Array(text.utf8)) }
        switch (parsed, checked) {
        case let (.success(value), .success):
            #expect(repeated >= memberCount)
            #expect(value["outer"]?.objectValue?.count == memberCount + 1)
        case let (.failure(expected), .failure(found)):
            #expect(repeated < memberCount)
            #expect(found == expected)
            #expect(found.code == .duplicateMember("m\(repeated)"))
        default: Issue.record("parse \(parsed) but check \(checked) for \(text)")
        }
    }

    @Test("compact and canonical text are byte for byte those of the parsed value", arguments: documents)
    func sameText(_ text: String) throws {
        let value = try JSONValue.parse(text)
        let checked = try JSONText(validating: Array(text.utf8))
        #expect(checked.serializedBytes() == value.serializedBytes())
        #expect(checked.canonicalSerializedBytes() == value.canonicalSerializedBytes())
        #expect(checked.value == value)
    }

    @Test("overriding members gives the canonical text of the object with those members set")
    func overriding() throws {
        for text in [#"{"price":"42.50","order_id":123,"z":1,"a":[2]}"#, #"{"a":1}"#, "{}", #"{"price":1,"\u00e9":2}"#] {
            var object = try #require(try JSONValue.parse(text).objectValue)
            let overrides: [(String, JSONValue)] = [("order_id", "123"), ("price", 42.5)]
            for (name, value) in overrides { object[name] = value }
            let checked = try JSONText(validating: Array(text.utf8))
            #expect(checked.canonicalSerializedBytes(overriding: overrides) == JSONValue.object(object).canonicalSerializedBytes(), "\(text)")
        }
    }

    @Test("members are found by code points; lookups in one scan agree with single lookups")
    func lookups() throws {
        let checked = try JSONText(validating: Array("{\"\\u00e9\":1,\"e\u{301}\":2,\"a\\\"b\":[true]}".utf8))
        #expect(checked["\u{E9}"]?.numberValue == 1)
        #expect(checked["e\u{301}"]?.numberValue == 2)
        #expect(checked["a\"b"]?.elements?.first?.boolValue == true)
        #expect(checked["missing"] == nil)
        let found = checked.members(["e\u{301}", "missing", "\u{E9}"])
        #expect(found.map { $0?.numberValue } == [2, nil, 1])
        #expect(checked.count == 3)
        #expect(checked.memberNames(limit: 2) == ["\u{E9}", "e\u{301}"])
    }

    @Test("kindDescription is JSONValue's for short values, and an excerpt of at most about 200 bytes for long ones")
    func kindDescription() throws {
        for text in Self.documents.filter({ $0.utf8.count < 100 }) {
            let checked = try JSONText(validating: Array(text.utf8))
            #expect(checked.kindDescription == (try JSONValue.parse(text)).kindDescription, "\(text)")
        }
        let long = try JSONText(validating: Array(("\"" + String(repeating: "\\u001b", count: 200_000) + "\"").utf8))
        #expect(long.kindDescription.utf8.count < 300)
        #expect(long.kindDescription.hasPrefix(#"a string ("\u001b\u001b"#))
        #expect(!long.kindDescription.unicodeScalars.contains { $0.value < 0x20 })
    }

    /// A seeded generator of random JSON, to compare the in-place text with the tree on many shapes.
    struct Generator {
        var random: SeededRandom
        init(state: UInt64) { random = SeededRandom(seed: state) }
        mutating func next(_ bound: Int) -> Int { random.next(bound) }
        static let pieces = ["a", "é", "e\u{301}", "\u{301}\u{316}", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\\"", "/", "注", " ", "\\u0000"]
        mutating func string() -> String {
            "\"" + (0..<next(4)).map { _ in Self.pieces[next(Self.pieces.count)] }.joined() + "\""
        }
        mutating func value(depth: Int) -> String {
            switch next(depth > 3 ? 4 : 7) {
            case 0: return ["null", "true", "false"][next(3)]
            case 1: return ["0", "-0", "1.5", "1e2", "-3E-2", "12345678901234567890", "0.1"][next(7)]
            case 2, 3: return string()
            case 4: return "[" + (0..<next(4)).map { _ in value(depth: depth + 1) }.joined(separator: ",") + "]"
            default:
                var names: [String] = []
                for _ in 0..<next(5) {
                    let name = string()
                    if let checked = try? JSONValue.parse(name).stringValue,
                       names.contains(where: { (try? JSONValue.parse($0).stringValue)?.utf8.elementsEqual(checked.utf8) == true }) { continue }
                    names.append(name)
                }
                return "{" + names.map { "\($0) : \(value(depth: depth + 1))" }.joined(separator: ",") + "}"
            }
        }
    }

    @Test("2,000 seeded random documents: same verdict, same compact and canonical text")
    func randomDocuments() throws {
        var generator = Generator(state: 14)
        for _ in 0..<2_000 {
            let text = generator.value(depth: 0)
            let value = try JSONValue.parse(text)
            let checked = try JSONText(validating: Array(text.utf8))
            #expect(checked.serializedBytes() == value.serializedBytes(), "\(text)")
            #expect(checked.canonicalSerializedBytes() == value.canonicalSerializedBytes(), "\(text)")
        }
    }
}
