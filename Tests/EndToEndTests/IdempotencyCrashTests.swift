import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Crashes at every step of the protocol (kill -9 while a test proxy holds the next AWS request):
    /// whatever the redelivery meets, the order ends as exactly one object and one COMPLETED item.
    @Suite("Exactly once through crashes")
    struct IdempotencyCrashTests {
        /// Starts an order asynchronously and kills the runtime once the proxy holds `operation`.
        /// - Returns: The lease (the crashed invocation's deadline) read from the claim item.
        static func crash(during operation: String, service: String, stack: TestStack, event: JSONValue, orderID: String,
                          leaseMilliseconds: Int) throws -> Int64 {
            let proxy = try #require(stack.proxy)
            try proxy.add(["match": ["service": .string(service), "operation": .string(operation)], "action": "hold",
                           "times": 1, "hold_timeout_ms": 60_000])
            let doomed = try stack.startBootstrap()
            try stack.emulator.invokeAsync(event, timeoutMilliseconds: leaseMilliseconds)
            try waitUntil("the \(operation) request to be held at the proxy") { try !proxy.held().isEmpty }
            doomed.crash()
            _ = try doomed.waitForExit()
            let state = try stack.state()
            #expect(state.attribute("status", of: orderID) == "IN_PROGRESS", "the crash leaves the claim in place")
            return try #require(state.attribute("lease_expires_ms", of: orderID).flatMap { Int64($0) })
        }

        @Test("crash after the claim, before the S3 write: OrderInProgress until the lease expires, then processed once")
        func crashBeforeWrite() throws {
            let stack = try TestStack(withProxy: true)
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))
            let lease = try Self.crash(during: "PutObject", service: "s3", stack: stack, event: event, orderID: orderID,
                                       leaseMilliseconds: 3_000)
            #expect(try stack.state().objects.isEmpty, "the held write never reached S3")

            try stack.startBootstrap()
            let early = try stack.invoke(event)
            #expect(nowMilliseconds() < lease, "the redelivery came while the lease was live")
            #expect(early.errorType == "OrderInProgress", "\(early.text)")
            #expect(early.errorMessage?.contains(orderID) == true)

            try waitUntil("the crashed invocation's lease to expire") { nowMilliseconds() > lease }
            let late = try stack.invoke(event)
            #expect(late.body?["first_time"]?.boolValue == true, "\(late.text)")

            let state = try stack.state()
            state.expectProcessedOnce(orderID)
            #expect(state.items.count == 1)
        }

        @Test("crash after the S3 write, before completion: the redelivery completes without a second object version")
        func crashBeforeCompletion() throws {
            let stack = try TestStack(withProxy: true)
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))
            let lease = try Self.crash(during: "UpdateItem", service: "dynamodb", stack: stack, event: event, orderID: orderID,
                                       leaseMilliseconds: 2_000)
            try stack.state().expectOneVersion(of: orderID, "the object was written before the crash")

            try stack.startBootstrap()
            try waitUntil("the crashed invocation's lease to expire") { nowMilliseconds() > lease }
            let redelivery = try stack.invoke(event)
            #expect(redelivery.succeeded, "\(redelivery.text)")
            #expect(redelivery.body?["duplicate"]?.boolValue == true, "S3's 412 shows the earlier run wrote it: \(redelivery.text)")
            #expect(redelivery.body?["s3_key"]?.stringValue == "raw/events/\(orderID).json")

            let state = try stack.state()
            state.expectOneVersion(of: orderID, "If-None-Match kept it to one version")
            state.expectCompleted(orderID)
        }

        @Test("a redelivery under the crashed invocation's own request ID resumes its claim at once")
        func sameRequestIDResumes() throws {
            let stack = try TestStack(withProxy: true)
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))
            let proxy = try #require(stack.proxy)
            try proxy.add(["match": ["service": "s3", "operation": "PutObject"], "action": "hold", "times": 1, "hold_timeout_ms": 60_000])
            let doomed = try stack.startBootstrap()
            let requestID = "retry-\(orderID)"
            try stack.emulator.invokeAsync(event, requestID: requestID, timeoutMilliseconds: 30_000)
            try waitUntil("the S3 write to be held") { try !proxy.held().isEmpty }
            doomed.crash()
            _ = try doomed.waitForExit()
            try waitUntil("the emulator to report the crash as Runtime.ExitError, as Lambda does") {
                let invocations = try stack.emulator.state()["invocations"]?.arrayValue ?? []
                return invocations.contains { $0["request_id"]?.stringValue == requestID && $0["error_type"]?.stringValue == "Runtime.ExitError" }
            }

            // Lambda retries an async invocation under the same request ID; the lease (30 s) is still live.
            try stack.startBootstrap()
            let retry = try stack.invoke(event, requestID: requestID)
            #expect(retry.body?["first_time"]?.boolValue == true, "\(retry.text)")
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("the claim's response is lost after DynamoDB applied it: the retry recognises its own claim")
        func lostClaimResponse() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try proxy.add(["match": ["service": "dynamodb", "operation": "PutItem"], "action": "drop_after_forward", "times": 1])
            let bootstrap = try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            let puts = try proxy.requests("PutItem")
            #expect(puts.count == 2, "the dropped claim was sent again")
            #expect(puts.first?["status"]?.isNull ?? true, "the first one got no answer")
            #expect(bootstrap.logs.contains("Resuming own claim"), "the refused retry was recognised as ours")
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }
    }
}
