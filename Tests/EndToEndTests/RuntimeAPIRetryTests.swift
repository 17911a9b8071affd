import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 14 item 7: a transient `/next` failure is retried with a short backoff instead of ending
    /// the process, so the next event does not pay a cold start.
    @Suite("Resilience: /next retry")
    struct RuntimeAPIRetryTests {
        @Test("a /next answered 500 and then dropped is retried, and the same process serves the next event")
        func nextFailuresRetried() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap()
            let first = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("retry-a"))))
            #expect(first.body?["first_time"]?.boolValue == true, "\(first.text)")

            // The runtime is back in /next already; the polls after the next event get the faults.
            // The first reset hits the connection kept alive after the 500, which libcurl itself
            // replaces and sends again; the second, on that fresh connection, reaches the runtime.
            _ = try TestHTTP.expectOK("POST", "http://\(stack.emulator.runtimeAPI)/emulator/faults",
                                      json: ["next": [["status": 500], ["action": "reset"], ["action": "reset"]]])
            let second = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("retry-b"))))
            #expect(second.body?["first_time"]?.boolValue == true, "\(second.text)")
            try waitUntil("the three /next faults applied and the runtime polling again", timeout: .seconds(10)) {
                let state = try stack.emulator.state()
                return state["next_faults_applied"]?.numberValue?.int64Value == 3
                    && state["pollers_waiting"]?.numberValue?.int64Value == 1
            }

            let orderID = Events.uniqueOrderID("retry-c")
            let third = try stack.invoke(Events.raw(orderID: .string(orderID)))
            #expect(third.succeeded, "\(third.text)")
            #expect(third.body?["first_time"]?.boolValue == true, "\(third.text)")
            #expect(bootstrap.isRunning, "the process that met the failures is the one still serving")
            #expect(try stack.state().versions(of: "raw/events/\(orderID).json").count == 1)

            let warnings = bootstrap.logs.split(separator: "\n").filter { $0.contains("trying /next again") }
            #expect(warnings.count == 2, "\(bootstrap.logs)")
            #expect(warnings.first?.contains("answered HTTP 500") == true, "\(warnings)")
            #expect(warnings.first?.contains("in 100 ms (failure 1 in a row)") == true, "\(warnings)")
            #expect(warnings.last?.contains("Runtime API request /runtime/invocation/next failed:") == true, "\(warnings)")
            #expect(warnings.last?.contains("in 300 ms (failure 2 in a row)") == true, "\(warnings)")
        }
    }
}
