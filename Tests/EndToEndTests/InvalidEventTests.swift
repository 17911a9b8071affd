import JSON
import Testing
import TestSupport

extension EndToEnd {
    @Suite("Invalid events")
    struct InvalidEventTests {
        @Test("an invalid event is an InvalidOrderEvent naming what was missing, and the next event still succeeds")
        func invalidThenValid() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()

            let invalid = try stack.invoke(["version": "0", "detail-type": "order.created", "source": "demo.orders",
                                            "detail": ["order_id": .string(orderID)]])
            #expect(invalid.functionError == "Unhandled")
            #expect(invalid.errorType == "InvalidOrderEvent")
            #expect(invalid.errorMessage?.contains("detail.price") == true, "\(invalid.text)")
            #expect(invalid.body?["stackTrace"]?.arrayValue != nil, "Lambda's error shape")

            let valid = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            #expect(valid.succeeded && valid.body?["first_time"]?.boolValue == true, "\(valid.text)")
            #expect(bootstrap.isRunning)
            try stack.state().expectOneVersion(of: orderID)
            #expect(bootstrap.logs.contains("Invocation failed: InvalidOrderEvent"))
        }

        @Test("events that are not JSON, not objects or unknown shapes never end the loop",
              arguments: ["", "not json", "[1,2]", "42", "\"just text\"", "{\"Records\":[]}", "{\"foo\":1}"])
        func garbage(_ payload: String) throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap()
            let answer = try stack.emulator.invoke(Array(payload.utf8))
            #expect(answer.errorType == "InvalidOrderEvent", "\(answer.text)")
            #expect(answer.errorMessage?.contains("expected") == true, "the message names what was expected: \(answer.text)")
            try stack.emulator.waitForPollers(1)
            #expect(bootstrap.isRunning)
        }
    }
}
