import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 4: transient AWS failures are retried as the SDKs' standard mode retries them, and the
    /// order still ends as exactly one object and one COMPLETED item.
    @Suite("Resilience: retried failures")
    struct ResilienceRetryTests {
        /// The gaps between one operation's attempts as the proxy saw them: from the end of one
        /// answer to the arrival of the next attempt, in milliseconds.
        static func gaps(_ attempts: [JSONValue]) -> [Int64] {
            zip(attempts, attempts.dropFirst()).map { previous, next in
                (next.int("started_ms") ?? 0) - (previous.int("finished_ms") ?? 0)
            }
        }

        /// Slack for scheduling on a loaded two-core machine, added to upper bounds only.
        static let slackMilliseconds: Int64 = 400

        @Test("two 503 SlowDown on PutObject, then success: the order completes with one object after 3 attempts")
        func slowDownTwice() throws {
            let stack = try TestStack(withProxy: true, invocationTimeoutMilliseconds: 10_000)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            try proxy.respond("s3", "PutObject", with: .slowDown, times: 2)
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.succeeded, "\(answer.text)")
            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            let puts = try proxy.requests("PutObject")
            #expect(puts.map { $0.int("status") } == [503, 503, 200], "\(puts.map { $0.int("status") })")
            // SlowDown is throttling: full jitter on a 1 s base, so the waits are in [0, 1 s] and [0, 2 s].
            let gaps = Self.gaps(puts)
            #expect(gaps.count == 2)
            for (gap, ceiling) in zip(gaps, [Int64(1_000), 2_000]) {
                #expect(gap >= 0 && gap <= ceiling + Self.slackMilliseconds, "gaps \(gaps) ms")
            }
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("throttling on the claim is retried with backoff and the order succeeds",
              arguments: ["ThrottlingException", "ProvisionedThroughputExceededException"])
        func throttledClaim(_ code: String) throws {
            let stack = try TestStack(withProxy: true, invocationTimeoutMilliseconds: 10_000)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            try proxy.respond("dynamodb", "PutItem", with: .dynamoDB(400, code, "Rate of requests exceeds the allowed throughput."), times: 2)
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            let claims = try proxy.requests("PutItem")
            #expect(claims.map { $0.int("status") } == [400, 400, 200], "three claim attempts: \(claims.map { $0.int("status") })")
            // Throttling backoff: full jitter on a 1 s base, doubling: [0, 1 s], then [0, 2 s].
            let gaps = Self.gaps(claims)
            #expect(gaps.count == 2)
            for (gap, ceiling) in zip(gaps, [Int64(1_000), 2_000]) {
                #expect(gap >= 0 && gap <= ceiling + Self.slackMilliseconds, "gaps \(gaps) ms")
            }
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("a connection reset mid-request is retried on a new connection and the order succeeds")
        func resetMidRequest() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            try proxy.inject("reset", on: "s3", "PutObject")
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.body?["first_time"]?.boolValue == true, "the reset request never reached S3: \(answer.text)")
            let puts = try proxy.requests("PutObject")
            #expect(puts.map { $0["action"]?.stringValue } == ["reset", "forward"])
            #expect(puts.last?.int("status") == 200)
            #expect(puts.first?.int("connection") != puts.last?.int("connection"), "the retry used a new connection")
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("a response delayed past the attempt timeout: the attempt is abandoned, retried, and the late original changes nothing")
        func delayedPastAttemptTimeout() throws {
            let attemptTimeout: Int64 = 400
            let delay: Int64 = 1_500
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap(["AWS_ATTEMPT_TIMEOUT_MS": String(attemptTimeout)])
            try proxy.inject("delay", on: "s3", "PutObject", extra: ["delay_ms": .number(JSONNumber(delay))])
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            var puts = try proxy.requests("PutObject")
            try #require(puts.count == 2, "one timed-out attempt and one retry: \(puts)")
            #expect(puts[1].int("status") == 200)
            // The retry came once the attempt timed out (plus at most S3's first backoff of 50 ms),
            // long before the delayed answer would have.
            let retryAfter = (puts[1].int("started_ms") ?? 0) - (puts[0].int("started_ms") ?? 0)
            #expect(retryAfter >= attemptTimeout - 100 && retryAfter < delay, "retry \(retryAfter) ms after the first attempt")

            // The proxy still forwards the abandoned original when its delay ends: S3's If-None-Match refuses it.
            try waitUntil("the delayed original to reach moto", timeout: .seconds(10)) {
                puts = try proxy.requests("PutObject")
                return puts[0].int("upstream_status") != nil
            }
            #expect(puts[0].int("upstream_status") == 412)
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("a response dropped after the request was applied: exactly one object and a COMPLETED item",
              arguments: [("s3", "PutObject"), ("dynamodb", "UpdateItem")])
        func droppedAfterApplied(_ service: String, _ operation: String) throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            let bootstrap = try stack.startBootstrap()
            try proxy.inject("drop_after_forward", on: service, operation)
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.succeeded && answer.body?["ok"]?.boolValue == true, "\(answer.text)")
            let requests = try proxy.requests(operation)
            #expect(requests.first?["action"]?.stringValue == "drop_after_forward")
            #expect(requests.first?.int("upstream_status") == 200, "the first request was applied")
            #expect(requests.count == 2, "sent again after the lost answer: \(requests.map { $0["action"]?.stringValue })")
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
            #expect(!bootstrap.logs.contains("taken over"), "the resent completion met our own write, not someone else's")
        }

        /// A UTC date formatter (HTTP `Date` or SigV4 `X-Amz-Date` format).
        static func formatter(_ format: String) -> DateFormatter {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            return formatter
        }

        @Test("clock skew: the client corrects its clock from the Date header of the refusal and retries once, signed at the server's time",
              arguments: [
                  // S3: 403 RequestTimeTooSkewed, the server's clock 20 minutes ahead of ours.
                  ("s3", "PutObject", 20),
                  // DynamoDB: 400 InvalidSignatureException "Signature not yet current", our clock 20 minutes ahead.
                  ("dynamodb", "PutItem", -20),
              ])
        func clockSkew(_ service: String, _ operation: String, _ serverAheadMinutes: Int) throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            let bootstrap = try stack.startBootstrap()
            let serverTime = Date().addingTimeInterval(TimeInterval(serverAheadMinutes * 60))
            let httpDate = Self.formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'")
            let amzDate = Self.formatter("yyyyMMdd'T'HHmmss'Z'")
            let dateHeader = httpDate.string(from: serverTime)
            let fault: AWSFault = service == "s3"
                ? .s3(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.",
                      headers: ["Date": .string(dateHeader)])
                : .dynamoDB(400, "InvalidSignatureException",
                            "Signature not yet current: \(amzDate.string(from: Date())) is still later than \(amzDate.string(from: serverTime)) (\(amzDate.string(from: serverTime.addingTimeInterval(-300))) + 15 min.)",
                            headers: ["Date": .string(dateHeader)])
            try proxy.respond(service, operation, with: fault, times: 1)
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            let attempts = try proxy.requests(operation)
            try #require(attempts.count == 2, "one refused attempt, one retry: \(attempts.map { $0.int("status") })")
            #expect(attempts.map { $0.int("status") } == [Int64(fault.status), 200])
            // moto does not check the skew, so success proves little: the retry must be signed at the server's time.
            let first = try #require(attempts[0].header("X-Amz-Date").flatMap(amzDate.date(from:)))
            let retried = try #require(attempts[1].header("X-Amz-Date").flatMap(amzDate.date(from:)))
            let sentServerTime = try #require(httpDate.date(from: dateHeader))  // whole seconds, as sent
            #expect(abs(first.timeIntervalSinceNow) < 60, "the first attempt used the local clock: \(first)")
            #expect(abs(retried.timeIntervalSince(sentServerTime)) <= 2, "retry signed at \(retried), server said \(sentServerTime)")
            #expect(bootstrap.logs.contains("Clock skew corrected"))
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("clock skew is corrected once per call: a second refusal is final, and the claim is released")
        func clockSkewTwice() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            let dateHeader = Self.formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'").string(from: Date().addingTimeInterval(20 * 60))
            try proxy.respond("s3", "PutObject", with: .s3(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.",
                                                           headers: ["Date": .string(dateHeader)]), times: 2)
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            for part in ["S3 PutObject", "RequestTimeTooSkewed", "HTTP 403", "2 attempts", "claim released"] {
                #expect(message.contains(part), "\(part) in: \(message)")
            }
            #expect(try proxy.requests("PutObject").count == 2)
            #expect(try stack.state().item(orderID) == nil)
        }
    }
}
