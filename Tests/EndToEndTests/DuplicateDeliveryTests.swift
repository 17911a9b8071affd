import JSON
import Testing
import TestSupport

extension EndToEnd {
    @Suite("Duplicate deliveries")
    struct DuplicateDeliveryTests {
        @Test("the same event twice writes one object and answers the second time as a duplicate")
        func sameEventTwice() throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))

            let first = try stack.invoke(event)
            let second = try stack.invoke(event)

            #expect(first.succeeded && second.succeeded, "\(first.text) / \(second.text)")
            #expect(first.body?["first_time"]?.boolValue == true)
            #expect(first.body?["s3_key"]?.stringValue == "raw/events/\(orderID).json")
            #expect(second.body?["duplicate"]?.boolValue == true)
            #expect(second.body?["first_time"] == nil)
            #expect(second.body?["s3_key"]?.stringValue == "raw/events/\(orderID).json", "the duplicate tells where the first run wrote")
            #expect(second.body?["processed_at"] == first.body?["processed_at"], "and when")
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("the same order through two envelopes is one order", arguments: ["raw", "json-text", "integer id"])
        func twoEnvelopes(_ secondEnvelope: String) throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let numericID = Int.random(in: 1_000_000...9_999_999)
            let first = try stack.invoke(Events.eventBridge(orderID: .number(JSONNumber(numericID)), price: 42))
            let second: RuntimeEmulator.Invocation
            switch secondEnvelope {
            case "raw":
                second = try stack.invoke(["price": .number(JSONNumber(literal: "42.0") ?? 42), "order_id": .string(String(numericID))])
            case "json-text":
                second = try stack.invoke(.string(Events.raw(orderID: .string(String(numericID))).serialized()))
            default:
                second = try stack.invoke(Events.raw(orderID: .number(JSONNumber(numericID))))
            }
            #expect(first.body?["first_time"]?.boolValue == true, "\(first.text)")
            #expect(second.body?["duplicate"]?.boolValue == true, "\(second.text)")
            #expect(second.body?["order_id"]?.stringValue == String(numericID))
            try stack.state().expectOneVersion(of: String(numericID))
        }
    }
}
