import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 11: the 2026 Runtime API, through the real binary and the emulator that speaks it.
    @Suite("Runtime API 2026: invocation IDs, 410, tenant IDs, trace propagation")
    struct RuntimeAPI2026Tests {
        /// Every result the emulator recorded for an invocation: kind, echoed invocation ID, our status.
        static func results(_ record: JSONValue?) -> [(kind: String?, echoed: String?, status: Int64?)] {
            (record?["results"]?.arrayValue ?? []).map {
                ($0["kind"]?.stringValue, $0["invocation_id"]?.stringValue, $0["status"]?.numberValue?.int64Value)
            }
        }

        @Test("every /response and /error echoes the invocation ID its /next gave, and Lambda accepts each")
        func invocationIDsEchoed() throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let orderID = Events.uniqueOrderID("echo")
            let first = try stack.invoke(Events.raw(orderID: .string(orderID)))
            let duplicate = try stack.invoke(Events.raw(orderID: .string(orderID)))
            let invalid = try stack.invoke(Events.raw(orderID: .string(orderID), price: "cheap"))
            #expect(first.body?["first_time"]?.boolValue == true, "\(first.text)")
            #expect(duplicate.body?["duplicate"]?.boolValue == true, "\(duplicate.text)")
            #expect(invalid.errorType == "InvalidOrderEvent", "\(invalid.text)")

            for (answer, kind) in [(first, "response"), (duplicate, "response"), (invalid, "error")] {
                let record = try stack.emulator.record(of: try #require(answer.requestID))
                let delivered = try #require(record?["invocation_id"]?.stringValue, "the emulator sent an invocation ID")
                let posted = Self.results(record)
                #expect(posted.count == 1, "\(posted)")
                #expect(posted.first?.kind == kind)
                #expect(posted.first?.echoed == delivered, "echoed exactly as received")
                #expect(posted.first?.status == 202)
            }
            // Nonces: no two deliveries share one.
            let ids = try [first, duplicate, invalid].compactMap { try stack.emulator.record(of: $0.requestID ?? "")?["invocation_id"]?.stringValue }
            #expect(Set(ids).count == 3)
        }

        @Test("from a Runtime API without invocation IDs (before 2026), no invocation ID is sent on /response or /error")
        func noInvocationIDs() throws {
            let stack = try TestStack(invocationIDs: false)
            try stack.startBootstrap()
            let orderID = Events.uniqueOrderID("old-api")
            let first = try stack.invoke(Events.raw(orderID: .string(orderID)))
            let invalid = try stack.invoke(Events.raw(orderID: .string(orderID), price: "cheap"))
            #expect(first.succeeded, "\(first.text)")
            #expect(invalid.errorType == "InvalidOrderEvent", "\(invalid.text)")
            for (answer, kind) in [(first, "response"), (invalid, "error")] {
                let record = try stack.emulator.record(of: try #require(answer.requestID))
                #expect(record?["invocation_id"]?.isNull ?? true, "the emulator sent none")
                let posted = Self.results(record)
                #expect(posted.count == 1)
                #expect(posted.first?.kind == kind)
                #expect(posted.first?.echoed == nil, "nothing echoed: \(posted)")
                #expect(posted.first?.status == 202)
            }
        }

        @Test("a response that comes after the invoke timed out gets 410; the process logs it and serves the next event")
        func goneAfterTimeout() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            let bootstrap = try stack.startBootstrap()
            // The claim waits 1.5 s at the proxy; Lambda's deadline is 1 s away, but the sandbox's
            // clock runs 3 s behind, so the runtime sees time left, finishes, and answers late.
            try proxy.inject("delay", on: "dynamodb", "PutItem", extra: ["delay_ms": 1_500])
            let orderID = Events.uniqueOrderID("late")
            let late = try stack.emulator.invoke(Events.raw(orderID: .string(orderID)), timeoutMilliseconds: 1_000,
                                                 deadlineSkewMilliseconds: 3_000)
            #expect(late.errorType == "Sandbox.Timedout", "\(late.text)")
            let requestID = try #require(late.requestID)
            try waitUntil("the late response posted and answered 410") {
                Self.results(try stack.emulator.record(of: requestID)).contains { $0.status == 410 }
            }
            let posted = Self.results(try stack.emulator.record(of: requestID))
            #expect(posted.count == 1)
            #expect(posted.first?.kind == "response")
            #expect(posted.first?.echoed == (try stack.emulator.record(of: requestID))?["invocation_id"]?.stringValue)
            try waitUntil("the 410 logged with the request ID") {
                bootstrap.logs.contains("\t\(requestID)\tWARN\tInvocation had already timed out; Runtime API dropped its response (HTTP 410)")
            }

            #expect(bootstrap.isRunning, "a 410 does not end the runtime")
            let next = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("after-410"))))
            #expect(next.body?["first_time"]?.boolValue == true, "the same process serves the next event: \(next.text)")
            // The late run's work was done once and is kept: a retry of that order is a duplicate.
            let retry = try stack.invoke(Events.raw(orderID: .string(orderID)))
            #expect(retry.body?["duplicate"]?.boolValue == true, "\(retry.text)")
            try stack.state().expectProcessedOnce(orderID)
            #expect(bootstrap.isRunning)
            #expect(!bootstrap.logs.contains("exiting so that Lambda restarts"), "\(bootstrap.logs)")
        }

        @Test("with a tenant ID, every log line of the invocation carries tenantId, the metrics line included; other invocations' do not")
        func tenantIDOnLogLines() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["AWS_LAMBDA_LOG_FORMAT": "JSON"])
            let tenantOrder = Events.uniqueOrderID("tenant")
            let tenant = try stack.emulator.invoke(Events.raw(orderID: .string(tenantOrder)), tenantID: "tenant-7")
            let failed = try stack.emulator.invoke(Events.raw(orderID: .string(tenantOrder), price: "cheap"), tenantID: "tenant-7")
            let plain = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("no-tenant"))))
            #expect(tenant.succeeded && plain.succeeded, "\(tenant.text) \(plain.text)")
            #expect(failed.errorType == "InvalidOrderEvent")
            try waitUntil("three EMF lines") { bootstrap.logs.components(separatedBy: "\"_aws\"").count - 1 == 3 }

            let lines = try bootstrap.logs.split(separator: "\n").map { try JSONValue.parse(String($0)) }
            for requestID in [tenant.requestID, failed.requestID] {
                let own = lines.filter { $0["requestId"]?.stringValue == requestID }
                #expect(own.count >= 2, "a message line and the metrics line: \(bootstrap.logs)")
                #expect(own.allSatisfy { $0["tenantId"]?.stringValue == "tenant-7" }, "\(own)")
                #expect(own.contains { $0["_aws"] != nil }, "the metrics line is among them")
            }
            let plainLines = lines.filter { $0["requestId"]?.stringValue == plain.requestID }
            #expect(plainLines.count >= 2)
            #expect(plainLines.allSatisfy { $0["tenantId"] == nil })
        }

        @Test("every AWS request of an invocation carries its Lambda-Runtime-Trace-Id verbatim as X-Amzn-Trace-Id, Lineage included")
        func traceHeaderPropagated() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            let trace = "Root=1-6929f2a1-3f1c9e0b7d4a2c6e8f0b1d3a;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:a87bd80c:3"
            let given = try stack.emulator.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("traced"))), traceID: trace)
            #expect(given.body?["first_time"]?.boolValue == true, "\(given.text)")
            let tracedRequests = try proxy.log()
            #expect(tracedRequests.count == 3, "PutItem, PutObject, UpdateItem: \(tracedRequests.map { $0["operation"]?.stringValue ?? "?" })")
            for request in tracedRequests {
                #expect(request.header("X-Amzn-Trace-Id") == trace, "\(request["operation"]?.stringValue ?? "?")")
                #expect(request.header("Authorization")?.lowercased().contains("x-amzn-trace-id") == false, "not signed")
            }

            // Without an invoker's header, Lambda (here the emulator) makes one; that one travels.
            try proxy.reset()
            let made = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("lambda-traced"))))
            #expect(made.succeeded)
            let madeTrace = try #require(try stack.emulator.record(of: made.requestID ?? "")?["trace_id"]?.stringValue)
            #expect(madeTrace.contains(";Lineage="), "\(madeTrace)")
            let madeRequests = try proxy.log()
            #expect(madeRequests.count == 3)
            #expect(madeRequests.allSatisfy { $0.header("X-Amzn-Trace-Id") == madeTrace })
        }
    }
}
