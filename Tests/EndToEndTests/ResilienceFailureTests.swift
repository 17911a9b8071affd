import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 4: a dependency that keeps failing ends the invocation with a `DependencyFailure` before
    /// its deadline, the claim is released, and the next delivery after the fault succeeds at once.
    @Suite("Resilience: a dependency that keeps failing")
    struct ResilienceFailureTests {
        /// A short invocation deadline, so giving up in time is visible.
        static let deadline = 2_500

        /// Invokes with a fresh request ID and the short deadline, and checks the function answered
        /// by itself before the deadline (not the emulator's Sandbox.Timedout).
        static func invokeAndExpectAnswerInTime(_ stack: TestStack, _ event: JSONValue) throws -> RuntimeEmulator.Invocation {
            let requestID = UUID().uuidString.lowercased()
            let clock = ContinuousClock()
            let started = clock.now
            let answer = try stack.invoke(event, requestID: requestID, timeoutMilliseconds: deadline)
            let elapsed = clock.now - started
            #expect(answer.errorType != "Sandbox.Timedout", "\(answer.text)")
            #expect(elapsed < .milliseconds(deadline), "answered after \(elapsed)")
            let record = try #require(try stack.emulator.record(of: requestID))
            #expect(record["status"]?.stringValue == "failed", "\(record)")
            let finished = try #require(record.int("finished_at_ms"))
            let deadlineMilliseconds = try #require(record.int("deadline_ms"))
            #expect(finished < deadlineMilliseconds, "the error was posted \(finished - deadlineMilliseconds) ms before the deadline")
            return answer
        }

        /// After the fault clears, the same order delivered again (a new request, as a retry by the
        /// platform after a failure) is processed at once: nothing is left blocking it.
        static func expectNextDeliverySucceeds(_ stack: TestStack, _ event: JSONValue, _ orderID: String) throws {
            try #require(stack.proxy).reset()
            let retry = try stack.invoke(event, requestID: UUID().uuidString.lowercased(), timeoutMilliseconds: deadline)
            #expect(retry.body?["first_time"]?.boolValue == true, "\(retry.text)")
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("503 on every DynamoDB and S3 call: DependencyFailure naming PutItem, the code, 4 attempts and why it stopped")
        func everythingUnavailable() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            try proxy.respond("dynamodb", nil, with: .dynamoDBUnavailable, times: -1)
            try proxy.respond("s3", nil, with: .s3Unavailable, times: -1)
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))

            let answer = try Self.invokeAndExpectAnswerInTime(stack, event)

            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            for part in ["DynamoDB PutItem", "ServiceUnavailable", "HTTP 503", "4 attempts", "retries exhausted", "AWS request ID FAULT"] {
                #expect(message.contains(part), "\(part) in: \(message)")
            }
            #expect(try proxy.requests("PutItem").count == 4, "DynamoDB's standard mode makes 4 attempts")
            #expect(try proxy.requests("PutObject").isEmpty, "nothing is written without a claim")
            #expect(try stack.state().item(orderID) == nil, "no claim is left behind")

            try Self.expectNextDeliverySucceeds(stack, event, orderID)
        }

        @Test("503 on PutObject after a successful claim: DependencyFailure naming S3, the claim is released by its owner")
        func writeUnavailable() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            try proxy.respond("s3", "PutObject", with: .s3Unavailable, times: -1)
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))

            let answer = try Self.invokeAndExpectAnswerInTime(stack, event)

            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            for part in ["S3 PutObject", "ServiceUnavailable", "HTTP 503", "3 attempts", "retries exhausted", "claim released"] {
                #expect(message.contains(part), "\(part) in: \(message)")
            }
            #expect(try proxy.requests("PutItem").map { $0.int("status") } == [200], "the claim succeeded")
            #expect(try proxy.requests("PutObject").count == 3, "S3's standard mode makes 3 attempts")
            let release = try proxy.requests("DeleteItem")
            #expect(release.map { $0.int("status") } == [200], "one conditional DeleteItem released the claim")
            #expect(release.first?["body"]?.stringValue?.contains("#owner = :me") == true, "only our own claim: \(release)")
            #expect(try stack.state().item(orderID) == nil)

            try Self.expectNextDeliverySucceeds(stack, event, orderID)
        }

        @Test("PutObject that never answers: the attempt is cut at the deadline minus the margin, no retry starts, the claim is released")
        func writeHangsUntilDeadline() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            // The default attempt timeout (3 s) is longer than the whole invocation: only the deadline can cut it.
            try stack.startBootstrap()
            try proxy.inject("hold", on: "s3", "PutObject", times: -1, extra: ["hold_timeout_ms": 20_000])
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))

            let answer = try Self.invokeAndExpectAnswerInTime(stack, event)

            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            for part in ["S3 PutObject", "1 attempt", "no time left before the invocation deadline", "claim released"] {
                #expect(message.contains(part), "\(part) in: \(message)")
            }
            let puts = try proxy.requests("PutObject")
            #expect(puts.count == 1, "no retry could finish in time: \(puts.count) attempts")
            #expect(try proxy.requests("DeleteItem").map { $0.int("status") } == [200])
            #expect(try stack.state().item(orderID) == nil)

            try Self.expectNextDeliverySucceeds(stack, event, orderID)
        }
    }
}
