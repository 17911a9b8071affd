import Foundation
import HTTP
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 11: Lambda Managed Instances, several invocations at once in one process
    /// (`AWS_LAMBDA_MAX_CONCURRENCY`). These also run against a thread-sanitized binary
    /// (scripts/test), where any report in the function's stderr fails them.
    @Suite("Managed Instances: concurrent workers")
    struct ManagedInstancesTests {
        /// What one synchronous invoke came back with, reduced to what these tests compare.
        struct Answer: Sendable {
            let requestID: String?
            let outcome: String
            let body: JSONValue?
        }

        /// A synchronous invoke from any thread.
        static func invoke(_ runtimeAPI: String, _ event: JSONValue, traceID: String? = nil) -> Answer {
            var headers = [HTTPHeader("Content-Type", "application/json")]
            if let traceID { headers.append(HTTPHeader("X-Amzn-Trace-Id", traceID)) }
            guard let reply = try? TestHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations",
                                                 headers: headers, body: event.serializedBytes(), timeoutMilliseconds: 60_000),
                  let body = try? JSONValue.parse(reply.body)
            else { return Answer(requestID: nil, outcome: "no answer", body: nil) }
            let outcome: String
            if reply.header("x-amz-function-error") != nil {
                outcome = body["errorType"]?.stringValue ?? "error"
            } else if body["first_time"]?.boolValue == true {
                outcome = "first_time"
            } else if body["duplicate"]?.boolValue == true {
                outcome = "duplicate"
            } else {
                outcome = "unexpected"
            }
            return Answer(requestID: reply.header("x-amz-request-id"), outcome: outcome, body: body)
        }

        /// A trace header as Lambda writes it, with a Lineage field, distinct per index.
        static func trace(_ index: Int) -> String {
            let hex = String(index, radix: 16)
            let padded = String(repeating: "0", count: 8 - hex.count) + hex
            return "Root=1-6929f2a1-\(padded)c9e0b7d4a2c6e8f0;Parent=53995c3f\(padded);Sampled=0;Lineage=1:\(padded):1"
        }

        /// The function's environment for `workers` workers; under scripts/test's thread-sanitizer
        /// phase it gets the same TSAN_OPTIONS (suppressions) as the test runner.
        static func workers(_ count: String) -> [String: String?] {
            ["AWS_LAMBDA_MAX_CONCURRENCY": count, "TSAN_OPTIONS": ProcessInfo.processInfo.environment["TSAN_OPTIONS"]]
        }

        /// No ThreadSanitizer report in the function's output (meaningful under `--sanitize=thread`).
        static func expectNoSanitizerReport(_ bootstrap: BootstrapProcess, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!bootstrap.logs.contains("ThreadSanitizer"), "\(bootstrap.logs)", sourceLocation: sourceLocation)
        }

        @Test("N = 4: four /next polls at once; eight invocations that each wait 400 ms on AWS finish in about two rounds, not eight")
        func fourAtOnce() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            let bootstrap = try stack.startBootstrap(Self.workers("4"), waitUntilPolling: false)
            try stack.emulator.waitForPollers(4)
            try proxy.inject("delay", on: "dynamodb", "PutItem", times: -1, extra: ["delay_ms": 400])

            let orders = (0..<8).map { Events.uniqueOrderID("mi-\($0)") }
            let runtimeAPI = stack.emulator.runtimeAPI
            let clock = ContinuousClock()
            let started = clock.now
            let answers = concurrently(8) { index in
                Self.invoke(runtimeAPI, Events.raw(orderID: .string(orders[index])), traceID: Self.trace(index))
            }
            let elapsed = clock.now - started

            #expect(answers.map(\.outcome) == Array(repeating: "first_time", count: 8), "\(answers.map(\.outcome))")
            let state = try stack.emulator.state()
            #expect(state["max_pollers_waiting"]?.numberValue?.int64Value == 4, "four long-polls at once")
            #expect(state["max_running"]?.numberValue?.int64Value == 4, "four invocations at once, never more")
            // One at a time would take eight rounds (3.2 s of AWS waits alone); four at a time, two.
            #expect(elapsed < .milliseconds(2_000), "eight invocations took \(elapsed)")

            // Every AWS request carries its own invocation's trace header, never another's.
            let requests = try proxy.log()
            #expect(requests.count == 24, "three AWS requests per order: \(requests.count)")
            for (index, orderID) in orders.enumerated() {
                let own = requests.filter {
                    ($0["path"]?.stringValue?.contains("/\(orderID).json") ?? false) || ($0["body"]?.stringValue?.contains("\"\(orderID)\"") ?? false)
                }
                #expect(own.count == 3, "\(orderID): \(own.map { $0["operation"]?.stringValue ?? "?" })")
                #expect(own.allSatisfy { $0.header("X-Amzn-Trace-Id") == Self.trace(index) }, "\(orderID)")
            }

            // Logs are JSON although Text was not overridden, and every line of an invocation names it.
            let lines = bootstrap.logs.split(separator: "\n").map(String.init)
            let parsed = lines.compactMap { try? JSONValue.parse($0) }
            #expect(parsed.count == lines.count, "every line is JSON: \(bootstrap.logs)")
            let requestIDs = Set(answers.compactMap(\.requestID))
            #expect(requestIDs.count == 8)
            let processed = parsed.filter { $0["message"]?.stringValue?.hasPrefix("Processed order") == true }
            #expect(processed.count == 8)
            #expect(Set(processed.compactMap { $0["requestId"]?.stringValue }) == requestIDs)
            let metrics = parsed.filter { $0["_aws"] != nil }
            #expect(Set(metrics.compactMap { $0["requestId"]?.stringValue }) == requestIDs)
            #expect(bootstrap.isRunning)
            Self.expectNoSanitizerReport(bootstrap)
        }

        @Test("exactly once under concurrency: 3 processes × 4 workers, 12 orders each delivered 4 times at once")
        func exactlyOnceUnderConcurrency() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            var bootstraps: [BootstrapProcess] = []
            for _ in 0..<3 {
                bootstraps.append(try stack.startBootstrap(Self.workers("4"), waitUntilPolling: false))
            }
            try stack.emulator.waitForPollers(12)
            // A short wait on every claim widens the window in which deliveries of one order overlap.
            try proxy.inject("delay", on: "dynamodb", "PutItem", times: -1, extra: ["delay_ms": 50])

            let orders = (0..<12).map { Events.uniqueOrderID("storm-\($0)") }
            let runtimeAPI = stack.emulator.runtimeAPI
            let answers = concurrently(48) { index in
                Self.invoke(runtimeAPI, Events.eventBridge(orderID: .string(orders[index % orders.count])))
            }
            #expect(answers.count == 48)
            for (index, orderID) in orders.enumerated() {
                let own = answers.enumerated().filter { $0.offset % orders.count == index }.map(\.element.outcome)
                #expect(own.filter { $0 == "first_time" }.count == 1, "\(orderID): \(own)")
                #expect(own.allSatisfy { ["first_time", "duplicate", "OrderInProgress"].contains($0) }, "\(orderID): \(own)")
            }
            let state = try stack.state()
            for orderID in orders { state.expectProcessedOnce(orderID) }
            let emulatorState = try stack.emulator.state()
            #expect((emulatorState["max_running"]?.numberValue?.int64Value ?? 0) > 4, "more than one process's worth ran at once")
            for bootstrap in bootstraps {
                #expect(bootstrap.isRunning)
                Self.expectNoSanitizerReport(bootstrap)
            }
        }

        @Test("a worker whose /next fails for good ends the whole process, naming the worker; Lambda then restarts it")
        func failingWorkerEndsProcess() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(Self.workers("4"), waitUntilPolling: false)
            try stack.emulator.waitForPollers(4)
            // The next poll, made by the worker that serves this event, is refused for good.
            _ = try TestHTTP.expectOK("POST", "http://\(stack.emulator.runtimeAPI)/emulator/faults", json: ["next": [["status": 403]]])
            let served = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("last"))))
            #expect(served.succeeded, "\(served.text)")
            let status = try bootstrap.waitForExit(timeout: .seconds(15))
            #expect(status == 1)
            let last = try #require(bootstrap.logs.split(separator: "\n").last.map { try JSONValue.parse(String($0)) })
            #expect(last["level"]?.stringValue == "ERROR")
            let message = last["message"]?.stringValue ?? ""
            #expect(message.range(of: #"^worker [0-3] of 4: Runtime API request /runtime/invocation/next answered HTTP 403: .*; exiting so that Lambda restarts the runtime$"#,
                                  options: .regularExpression) != nil, "\(message)")
            Self.expectNoSanitizerReport(bootstrap)
        }

        @Test("AWS_LAMBDA_MAX_CONCURRENCY that is not a whole number from 1 to 1600 is an init error naming it", arguments: ["0", "four", "2000"])
        func invalidSetting(_ value: String) throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["AWS_LAMBDA_MAX_CONCURRENCY": value], waitUntilPolling: false)
            #expect(try bootstrap.waitForExit() != 0)
            let initErrors = try stack.emulator.state()["init_errors"]?.arrayValue ?? []
            #expect(initErrors.count == 1)
            #expect(initErrors.first?["error_type"]?.stringValue == "InvalidConfiguration")
            #expect(initErrors.first?["body"]?["errorMessage"]?.stringValue
                == "AWS_LAMBDA_MAX_CONCURRENCY: expected a whole number from 1 to 1600 (invocations served at once), found \"\(value)\"")
            #expect(try stack.emulator.state()["next_requests"]?.numberValue?.int64Value == 0, "no worker started")
        }
    }
}
