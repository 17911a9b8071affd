@testable import AWSClient
import JSON
import Testing

@Suite("AttributeValue")
struct AttributeValueTests {
    @Test("each modelled type has its JSON 1.0 shape, and reads back from it", arguments: [
        (AttributeValue.string("123"), #"{"S":"123"}"#),
        (.number("42.50"), #"{"N":"42.50"}"#),
        (.integer(1_795_633_746_123), #"{"N":"1795633746123"}"#),
        (.integer(-7), #"{"N":"-7"}"#),
        (.bool(true), #"{"BOOL":true}"#),
        (.bool(false), #"{"BOOL":false}"#),
        (.null, #"{"NULL":true}"#),
        (.string(""), #"{"S":""}"#),
    ])
    func shapes(_ value: AttributeValue, _ json: String) throws {
        #expect(value.json.serialized() == json)
        #expect(AttributeValue(json: try JSONValue.parse(json)) == value)
    }

    @Test("other types are kept as they came, so someone else's item round-trips", arguments: [
        #"{"L":[{"S":"a"},{"N":"1"}]}"#, #"{"M":{"k":{"S":"v"}}}"#, #"{"SS":["a","b"]}"#, #"{"B":"dGVzdA=="}"#, #"{"NULL":false}"#,
        #"{"S":7}"#, "{}",
    ])
    func otherTypes(_ json: String) throws {
        let parsed = try JSONValue.parse(json)
        let value = AttributeValue(json: parsed)
        #expect(value == .other(parsed))
        #expect(value.json == parsed)
        #expect(value.stringValue == nil)
        #expect(value.int64Value == nil)
    }

    @Test("integers are read from N values that are integers", arguments: [
        ("42", Optional(Int64(42))), ("-7", -7), ("0", 0), ("9223372036854775807", .max), ("1.5", nil), ("1e3", nil),
        ("9223372036854775808", nil), ("", nil),
    ])
    func integers(_ text: String, _ expected: Int64?) {
        #expect(AttributeValue.number(text).int64Value == expected)
    }

    @Test("only S values have a string, and only N values an integer")
    func accessors() {
        #expect(AttributeValue.string("42").stringValue == "42")
        #expect(AttributeValue.string("42").int64Value == nil)
        #expect(AttributeValue.number("42").stringValue == nil)
        #expect(AttributeValue.bool(true).stringValue == nil)
    }

    @Test("an item's JSON lists its attributes sorted by name")
    func itemJSON() {
        let item: DynamoDBItem = ["status": .string("COMPLETED"), "order_id": .string("123"), "expiry_time": .integer(1_795_806_546)]
        #expect(item.json.serialized() == #"{"expiry_time":{"N":"1795806546"},"order_id":{"S":"123"},"status":{"S":"COMPLETED"}}"#)
    }

    @Test("an item reads back from its JSON")
    func itemRoundTrip() throws {
        let item: DynamoDBItem = ["order_id": .string("123"), "price": .number("42"), "flag": .bool(true), "nothing": .null,
                                  "list": .other(["L": [["S": "a"]]])]
        #expect(DynamoDBItem.fromJSON(try JSONValue.parse(item.json.serialized())) == item)
    }

    @Test("only an object is an item", arguments: [JSONValue.null, "item", 1, [["S": "a"]]])
    func notAnItem(_ json: JSONValue) {
        #expect(DynamoDBItem.fromJSON(json) == nil)
    }

    @Test("an empty object is an empty item")
    func emptyItem() {
        #expect(DynamoDBItem.fromJSON([:]) == [:])
        #expect(DynamoDBItem().json == [:])
    }
}
