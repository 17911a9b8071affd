import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 12: with AUDIT_TABLE and TOTALS_TABLE the completion is one TransactWriteItems, so every
    /// completed order has exactly one audit item and counts exactly once in the day's totals, with
    /// the prices summed as exact decimals — through duplicates, envelopes, concurrency, lost
    /// answers, failures and crashes. The fault proxy gives the ClientRequestToken its DynamoDB
    /// meaning (moto ignores it) and isolates transactions as DynamoDB does.
    @Suite("Audit trail and daily totals")
    struct AuditTrailTests {
        /// A stack with the audit tables, a fault proxy, and `runtimes` bootstraps with the audit trail on.
        static func stack(runtimes: Int = 1, timeoutMilliseconds: Int = 10_000) throws -> (TestStack, AuditTables) {
            let stack = try TestStack(withProxy: true, invocationTimeoutMilliseconds: timeoutMilliseconds)
            let tables = try AuditTables(stack)
            for _ in 0..<runtimes { try stack.startBootstrap(tables.environment) }
            return (stack, tables)
        }

        static func price(_ literal: String) -> JSONValue {
            .number(JSONNumber(literal: literal) ?? 0)
        }

        /// The EMF lines a runtime wrote, in order.
        static func metrics(_ bootstrap: BootstrapProcess) throws -> [JSONValue] {
            try bootstrap.logs.split(separator: "\n").filter { $0.hasPrefix("{\"_aws\"") }.map { try JSONValue.parse(String($0)) }
        }

        @Test("first-time orders: 3 requests each (the third a transaction), a duplicate 1; the audit item; 19.99 + 0.01 = 20.00 exactly")
        func firstTimeAndDuplicate() throws {
            let (stack, tables) = try Self.stack()
            let proxy = try #require(stack.proxy)
            let first = Events.uniqueOrderID("a"), second = Events.uniqueOrderID("b")

            let answers = [
                try stack.invoke(Events.eventBridge(orderID: .string(first), price: Self.price("19.99"))),
                try stack.invoke(Events.raw(orderID: .string(second), price: Self.price("0.01"))),
                try stack.invoke(Events.eventBridge(orderID: .string(first), price: Self.price("19.99"))),
            ]
            #expect(answers.map { $0.body?["first_time"]?.boolValue ?? false } == [true, true, false], "\(answers.map(\.text))")
            #expect(answers[2].body?["duplicate"]?.boolValue == true)

            let counts = try Self.metrics(try #require(stack.bootstraps.first)).map { $0["AWSRequests"]?.numberValue?.int64Value }
            #expect(counts == [3, 3, 1], "PutItem, PutObject, TransactWriteItems; a duplicate only its PutItem")
            #expect(try proxy.requests("TransactWriteItems").count == 2)
            #expect(try proxy.requests("UpdateItem").isEmpty, "no separate completion")

            let audit = try #require(try tables.auditItems(of: first).first)
            #expect(audit["request_id"]?["S"]?.stringValue == answers[0].requestID)
            #expect(audit["processed_at"]?["S"]?.stringValue == answers[0].body?["processed_at"]?.stringValue)
            #expect(audit["s3_key"]?["S"]?.stringValue == "raw/events/\(first).json")
            #expect(audit["source"]?["S"]?.stringValue == "eventbridge:demo.orders")
            #expect(audit["price"]?["N"]?.stringValue == "19.99")
            let state = try stack.state()
            #expect(audit["payload_hash"]?["S"]?.stringValue == state.attribute("payload_hash", of: first))
            #expect(try tables.auditItems().count == 2)

            let day = try #require(try tables.singleDay())
            #expect(day.orders == "2")
            #expect(normalizedDecimal(day.revenue) == "20", "exact decimal: \(day.revenue ?? "nil")")
            let processedAt = try #require(answers[0].body?["processed_at"]?.stringValue)
            #expect(try tables.totalsByDay().keys.first == String(processedAt.prefix(10)), "keyed by the UTC day of processed_at")
            state.expectProcessedOnce(first)
            state.expectProcessedOnce(second)
        }

        @Test("orders delivered twice, concurrently from 3 runtimes, through two envelopes: one audit item each, each counted once, exact sum")
        func concurrentDeliveries() throws {
            let (stack, tables) = try Self.stack(runtimes: 3, timeoutMilliseconds: 20_000)
            let prices = ["19.99", "0.01", "7.5", "0.1", "0.2"]
            let orders = prices.map { (Events.uniqueOrderID("c"), $0) }
            var events: [(orderID: String, event: [UInt8])] = []
            for (orderID, price) in orders {
                for _ in 0..<2 {
                    events.append((orderID, Events.eventBridge(orderID: .string(orderID), price: Self.price(price)).serializedBytes()))
                    events.append((orderID, Events.raw(orderID: .string(orderID), price: Self.price(price)).serializedBytes()))
                }
            }
            let runtimeAPI = stack.emulator.runtimeAPI
            let deliveries = events
            let answers = concurrently(deliveries.count) { index -> String in
                guard let reply = try? TestHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations",
                                                     body: deliveries[index].event, timeoutMilliseconds: 60_000),
                      let body = try? JSONValue.parse(reply.body)
                else { return "no answer" }
                if reply.header("x-amz-function-error") != nil { return body["errorType"]?.stringValue ?? "error" }
                if body["first_time"]?.boolValue == true { return "first_time" }
                return body["duplicate"]?.boolValue == true ? "duplicate" : "unexpected"
            }

            #expect(answers.allSatisfy { ["first_time", "duplicate", "OrderInProgress"].contains($0) }, "\(answers)")
            for (orderID, _) in orders {
                let mine = zip(deliveries, answers).filter { $0.0.orderID == orderID }.map(\.1)
                #expect(mine.filter { $0 == "first_time" }.count == 1, "order \(orderID): \(mine)")
                #expect(try tables.auditItems(of: orderID).count == 1, "one audit item for \(orderID)")
            }
            #expect(try tables.auditItems().count == orders.count)
            let day = try #require(try tables.singleDay())
            #expect(day.orders == String(orders.count))
            #expect(normalizedDecimal(day.revenue) == "27.8", "19.99 + 0.01 + 7.5 + 0.1 + 0.2, exactly: \(day.revenue ?? "nil")")
            let state = try stack.state()
            for (orderID, _) in orders { state.expectProcessedOnce(orderID) }
        }

        @Test("the transaction applied but its answer lost: the retry is answered by the token, nothing applied twice")
        func lostTransactionAnswer() throws {
            let (stack, tables) = try Self.stack()
            let proxy = try #require(stack.proxy)
            try proxy.inject("drop_after_forward", on: "dynamodb", "TransactWriteItems")
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID), price: Self.price("12.34")))

            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            let attempts = try proxy.requests("TransactWriteItems")
            #expect(attempts.map { $0["action"]?.stringValue } == ["drop_after_forward", "idempotent_replay"])
            #expect(attempts[0].int("upstream_status") == 200, "the first attempt was applied")
            #expect(Set(attempts.compactMap { try? JSONValue.parse(Array(($0["body"]?.stringValue ?? "").utf8))["ClientRequestToken"] }).count == 1,
                    "both attempts carried one token")
            #expect(try proxy.clientTokens().map(\.state) == ["done"])
            #expect(try tables.auditItems(of: orderID).count == 1)
            let day = try #require(try tables.singleDay())
            #expect(day.orders == "1")
            #expect(normalizedDecimal(day.revenue) == "12.34")
            try stack.state().expectProcessedOnce(orderID)
        }

        @Test("the answer lost and the token's window passed before the retry: the claim decides (completed by us), not counted twice")
        func lostAnswerAfterWindow() throws {
            let (stack, tables) = try Self.stack()
            let proxy = try #require(stack.proxy)
            try proxy.inject("drop_after_forward", on: "dynamodb", "TransactWriteItems")
            try proxy.inject("hold", on: "dynamodb", "TransactWriteItems", extra: ["hold_timeout_ms": 20_000])
            let orderID = Events.uniqueOrderID()

            let requestID = "window-\(orderID)"
            try stack.emulator.invokeAsync(Events.raw(orderID: .string(orderID), price: Self.price("5")), requestID: requestID,
                                           timeoutMilliseconds: 10_000)
            try waitUntil("the retried transaction to be held") { try !proxy.held().isEmpty }
            #expect(try proxy.expireClientTokens().count == 1, "DynamoDB's 10 minutes pass")
            try proxy.releaseAll()
            try waitUntil("the invocation to finish") { try stack.emulator.record(of: requestID)?["finished_at_ms"]?.isNull == false }
            #expect(try stack.emulator.record(of: requestID)?["status"]?.stringValue == "succeeded")

            let attempts = try proxy.requests("TransactWriteItems")
            #expect(attempts.count == 2)
            #expect(attempts.last?["action"]?.stringValue == "hold", "the retry reached moto, not a replay")
            #expect(attempts.last?.int("upstream_status") == 400, "cancelled by the claim's condition: \(attempts.last?["status"] ?? nil)")
            let bootstrap = try #require(stack.bootstraps.first)
            #expect(!bootstrap.logs.contains("taken over"), "our own completion, recognised")
            #expect(!bootstrap.logs.contains("Invocation failed"))
            #expect(try tables.auditItems(of: orderID).count == 1)
            #expect(try tables.singleDay()?.orders == "1")
            try stack.state().expectProcessedOnce(orderID)
        }

        @Test("500s on the transaction until the retries run out: DependencyFailure; the redelivery completes and counts once")
        func serverErrorsThenRedelivery() throws {
            let (stack, tables) = try Self.stack()
            let proxy = try #require(stack.proxy)
            try proxy.respond("dynamodb", "TransactWriteItems", with: .dynamoDB(500, "InternalServerError", "Internal server error"), times: 4)
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID), price: Self.price("3.30"))

            let failed = try stack.invoke(event)
            #expect(failed.errorType == "DependencyFailure", "\(failed.text)")
            #expect(failed.errorMessage?.contains("TransactWriteItems failed: InternalServerError (HTTP 500)") == true)
            #expect(failed.errorMessage?.contains("claim released") == true)
            #expect(try proxy.requests("TransactWriteItems").count == 4, "DynamoDB's 4 attempts")
            #expect(try tables.auditItems().isEmpty, "nothing counted yet")

            let redelivery = try stack.invoke(event)
            #expect(redelivery.body?["duplicate"]?.boolValue == true, "S3's 412: the first run wrote it: \(redelivery.text)")
            let audit = try #require(try tables.auditItems(of: orderID).first)
            #expect(audit["request_id"]?["S"]?.stringValue == redelivery.requestID, "the run that completes writes the audit item")
            let day = try #require(try tables.singleDay())
            #expect(day.orders == "1")
            #expect(normalizedDecimal(day.revenue) == "3.3")
            try stack.state().expectProcessedOnce(orderID)
        }

        @Test("a crash between the S3 write and the transaction: the redelivery after the lease completes and counts it, once")
        func crashBeforeTransaction() throws {
            let stack = try TestStack(withProxy: true)
            let tables = try AuditTables(stack)
            let proxy = try #require(stack.proxy)
            try proxy.inject("hold", on: "dynamodb", "TransactWriteItems", extra: ["hold_timeout_ms": 60_000])
            let doomed = try stack.startBootstrap(tables.environment)
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID), price: Self.price("8.25"))
            try stack.emulator.invokeAsync(event, timeoutMilliseconds: 2_000)
            try waitUntil("the transaction to be held") { try !proxy.held().isEmpty }
            doomed.crash()
            _ = try doomed.waitForExit()

            var state = try stack.state()
            #expect(state.attribute("status", of: orderID) == "IN_PROGRESS", "the crash leaves the claim")
            state.expectOneVersion(of: orderID, "the object was written before the crash")
            #expect(try tables.auditItems().isEmpty, "the held transaction never reached DynamoDB")
            let lease = try #require(state.attribute("lease_expires_ms", of: orderID).flatMap { Int64($0) })

            try stack.startBootstrap(tables.environment)
            try waitUntil("the crashed invocation's lease to expire") { nowMilliseconds() > lease }
            let redelivery = try stack.invoke(event)
            #expect(redelivery.body?["duplicate"]?.boolValue == true, "\(redelivery.text)")

            state = try stack.state()
            state.expectProcessedOnce(orderID)
            let audits = try tables.auditItems(of: orderID)
            #expect(audits.count == 1)
            #expect(audits.first?["request_id"]?["S"]?.stringValue == redelivery.requestID)
            let day = try #require(try tables.singleDay())
            #expect(day.orders == "1")
            #expect(normalizedDecimal(day.revenue) == "8.25")
        }

        @Test("a conflict (same order ID, another price) leaves the audit trail and the totals untouched")
        func conflict() throws {
            let (stack, tables) = try Self.stack()
            let orderID = Events.uniqueOrderID()
            let first = try stack.invoke(Events.eventBridge(orderID: .string(orderID), price: 42))
            #expect(first.body?["first_time"]?.boolValue == true)
            let changed = try stack.invoke(Events.eventBridge(orderID: .string(orderID), price: 43))
            #expect(changed.errorType == "OrderConflict", "\(changed.text)")

            let audits = try tables.auditItems(of: orderID)
            #expect(audits.count == 1)
            #expect(audits.first?["price"]?["N"]?.stringValue == "42")
            let day = try #require(try tables.singleDay())
            #expect(day.orders == "1")
            #expect(normalizedDecimal(day.revenue) == "42")
        }

        @Test("S3-envelope orders (no price) are counted; the revenue does not change")
        func s3Orders() throws {
            let (stack, tables) = try Self.stack()
            let priced = Events.uniqueOrderID("p")
            #expect(try stack.invoke(Events.raw(orderID: .string(priced), price: Self.price("5.05"))).succeeded)
            let names = [Events.uniqueOrderID("s3"), Events.uniqueOrderID("s3")]
            let batch = try stack.invoke(Events.s3(keys: names.map { "incoming/\($0).json" }))
            #expect(batch.succeeded, "\(batch.text)")
            #expect(try stack.invoke(Events.s3(keys: names.map { "incoming/\($0).json" })).succeeded, "the redelivered notification")

            for name in names {
                let audit = try #require(try tables.auditItems(of: name).first)
                #expect(audit["price"] == nil)
                #expect(audit["source"]?["S"]?.stringValue == "s3://incoming-orders/incoming/\(name).json")
            }
            #expect(try tables.auditItems().count == 3)
            let day = try #require(try tables.singleDay())
            #expect(day.orders == "3")
            #expect(normalizedDecimal(day.revenue) == "5.05")
        }

        @Test("without AUDIT_TABLE and TOTALS_TABLE nothing changes: UpdateItem completes, the tables stay empty")
        func withoutVariables() throws {
            let stack = try TestStack(withProxy: true)
            let tables = try AuditTables(stack)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()
            #expect(try stack.invoke(Events.eventBridge(orderID: .string(orderID))).body?["first_time"]?.boolValue == true)
            #expect(try proxy.log().compactMap { $0["operation"]?.stringValue } == ["PutItem", "PutObject", "UpdateItem"])
            #expect(try tables.auditItems().isEmpty)
            #expect(try tables.totalsByDay().isEmpty)
            try stack.state().expectProcessedOnce(orderID)
        }
    }
}
