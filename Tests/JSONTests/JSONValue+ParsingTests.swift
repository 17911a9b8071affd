import Foundation
import Testing

@testable import JSON

@Suite("JSONValue parsing")
struct JSONValueParsingTests {
    @Test(
        "every kind of value parses at the top level, with optional surrounding whitespace",
        arguments: [
            ("null", JSONValue.null),
            ("true", .bool(true)),
            ("false", .bool(false)),
            ("0", .number(0)),
            (#""""#, .string("")),
            (#""x""#, .string("x")),
            ("[]", .array([])),
            ("{}", .object(JSONObject())),
            (" \t\r\n null \t\r\n", .null),
            ("[ ]", .array([])),
            ("{ \n }", .object(JSONObject())),
        ] as [(String, JSONValue)]
    )
    func parsesEveryKind(_ text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test("a nested document parses into the expected structure, in order")
    func parsesNestedDocument() throws {
        let text = """
            {
              "version": "0",
              "detail-type": "OrderPlaced",
              "detail": {"order_id": 123, "price": 42.5, "tags": ["a", "b", null, true, false], "note": null},
              "empty": {"a": [], "b": {}}
            }
            """
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["version", "detail-type", "detail", "empty"])
        #expect(value["detail"]?.objectValue?.keys == ["order_id", "price", "tags", "note"])
        #expect(value["detail"]?["order_id"]?.numberValue?.int64Value == 123)
        #expect(value["detail"]?["price"]?.numberValue?.doubleValue == 42.5)
        #expect(value["detail"]?["tags"] == ["a", "b", nil, true, false])
        #expect(value["detail"]?["note"]?.isNull == true)
        #expect(value["empty"] == ["a": [], "b": [:]])
    }

    @Test("byte arrays, slices, strings, substrings' UTF-8 and Data all parse the same")
    func parsesContiguousInputs() throws {
        let text = #"{"order_id":"o-1","price":42}"#
        let expected: JSONValue = ["order_id": "o-1", "price": 42]
        let bytes = Array(text.utf8)
        #expect(try JSONValue.parse(text) == expected)
        #expect(try JSONValue.parse(bytes) == expected)
        #expect(try JSONValue.parse(Array("xx\(text)yy".utf8).dropFirst(2).dropLast(2)) == expected)
        #expect(try JSONValue.parse(text.utf8) == expected)
        #expect(try JSONValue.parse(Data(bytes)) == expected)
        #expect(try JSONValue.parse("[\(text)]".dropFirst().dropLast().utf8) == expected)
    }

    @Test("a collection without contiguous storage is copied and parsed")
    func parsesNonContiguousInput() throws {
        let bytes = Array(#"[1,"two",{"three":3}]"#.utf8)
        let lazy = bytes.lazy.map { $0 }
        #expect(lazy.withContiguousStorageIfAvailable { _ in true } == nil)
        #expect(try JSONValue.parse(lazy) == [1, "two", ["three": 3]])
    }

    @Test("errors in a slice are reported at offsets from the slice's start")
    func sliceOffsets() throws {
        let slice = Array("ignored[1,]".utf8).dropFirst(7)
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(slice) }
        #expect(error.offset == 3)
    }

    @Test("errors in a string are reported at UTF-8 byte offsets")
    func stringOffsetsAreUTF8() throws {
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(#"["é€😀",x]"#) }
        #expect(error.offset == 1 + 1 + 2 + 3 + 4 + 1 + 1)
    }

    @Test("a large document parses completely")
    func parsesLargeDocument() throws {
        let item = #"{"id":"order-%","price":12.5,"qty":3,"tags":["x","y"]}"#
        let text = "[" + (0..<5_000).map { item.replacingOccurrences(of: "%", with: String($0)) }.joined(separator: ",") + "]"
        let value = try JSONValue.parse(text)
        #expect(value.arrayValue?.count == 5_000)
        #expect(value[4_999]?["id"] == "order-4999")
    }
}
