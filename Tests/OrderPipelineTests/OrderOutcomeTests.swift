import Foundation
import JSON
@testable import OrderPipeline
import Testing

@Suite("OrderOutcome")
struct OrderOutcomeTests {
    @Test("the first time answers ok, the order id, first_time and where it was written, and when")
    func firstTime() {
        let outcome = OrderOutcome.firstTime(orderID: "123", s3Key: "raw/events/123.json", processedAt: "2026-11-25T19:09:06.123Z")
        #expect(outcome.response.serialized()
            == #"{"ok":true,"order_id":"123","first_time":true,"s3_key":"raw/events/123.json","processed_at":"2026-11-25T19:09:06.123Z"}"#)
    }

    @Test("a duplicate answers ok, duplicate and the order id, plus what the first run stored", arguments: [
        (nil, nil, #"{"ok":true,"duplicate":true,"order_id":"123"}"#),
        ("raw/events/123.json", nil, #"{"ok":true,"duplicate":true,"order_id":"123","s3_key":"raw/events/123.json"}"#),
        (nil, "2026-11-25T19:09:06.123Z", #"{"ok":true,"duplicate":true,"order_id":"123","processed_at":"2026-11-25T19:09:06.123Z"}"#),
        ("raw/events/123.json", "2026-11-25T19:09:06.123Z",
         #"{"ok":true,"duplicate":true,"order_id":"123","s3_key":"raw/events/123.json","processed_at":"2026-11-25T19:09:06.123Z"}"#),
    ] as [(String?, String?, String)])
    func duplicate(_ s3Key: String?, _ processedAt: String?, _ expected: String) {
        #expect(OrderOutcome.duplicate(orderID: "123", s3Key: s3Key, processedAt: processedAt).response.serialized() == expected)
    }

    @Test("a duplicate never says first_time, and a first time never says duplicate")
    func exclusiveFlags() {
        let first = OrderOutcome.firstTime(orderID: "1", s3Key: "k", processedAt: "t").response
        let duplicate = OrderOutcome.duplicate(orderID: "1", s3Key: "k", processedAt: "t").response
        #expect(first["duplicate"] == nil)
        #expect(duplicate["first_time"] == nil)
    }

    @Test("keys with quotes, spaces and non-ASCII are escaped into valid JSON that reads back the same")
    func escaping() throws {
        let orderID = "big \"order\" €-7"
        let response = OrderOutcome.firstTime(orderID: orderID, s3Key: "raw/events/\(orderID).json", processedAt: "t").response
        let parsed = try JSONSerialization.jsonObject(with: Data(response.serializedBytes())) as? [String: Any]
        let object = try #require(parsed)
        #expect(object["order_id"] as? String == orderID)
        #expect(object["s3_key"] as? String == "raw/events/\(orderID).json")
        #expect(object["ok"] as? Bool == true)
    }
}
