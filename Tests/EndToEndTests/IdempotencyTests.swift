import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    @Suite("Exactly once through duplicates, conflicts, expiry and failures")
    struct IdempotencyTests {
        @Test("duplicate storm: 50 concurrent deliveries across 4 runtimes give one object and one first-time answer")
        func duplicateStorm() throws {
            let stack = try TestStack()
            for _ in 0..<4 { try stack.startBootstrap() }
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID)).serializedBytes()
            let runtimeAPI = stack.emulator.runtimeAPI

            let answers = concurrently(50) { _ -> String in
                guard let reply = try? TestHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations",
                                                     body: event, timeoutMilliseconds: 60_000),
                      let body = try? JSONValue.parse(reply.body)
                else { return "no answer" }
                if reply.header("x-amz-function-error") != nil { return body["errorType"]?.stringValue ?? "error" }
                if body["first_time"]?.boolValue == true { return "first_time" }
                if body["duplicate"]?.boolValue == true { return "duplicate" }
                return "unexpected"
            }

            #expect(answers.count == 50)
            #expect(answers.filter { $0 == "first_time" }.count == 1, "\(answers)")
            #expect(answers.allSatisfy { ["first_time", "duplicate", "OrderInProgress"].contains($0) }, "\(answers)")
            let served = try stack.emulator.state()["invocations"]?.arrayValue ?? []
            #expect(Set(served.compactMap { $0["request_id"]?.stringValue }).count == 50, "50 distinct deliveries")
            let state = try stack.state()
            state.expectProcessedOnce(orderID)
        }

        @Test("the same order ID with a different price after completion is an OrderConflict, and S3 is untouched")
        func conflict() throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()
            let first = try stack.invoke(Events.eventBridge(orderID: .string(orderID), price: 42))
            #expect(first.body?["first_time"]?.boolValue == true)

            let changed = try stack.invoke(Events.eventBridge(orderID: .string(orderID), price: 43))
            #expect(changed.errorType == "OrderConflict", "\(changed.text)")
            #expect(changed.errorMessage?.contains(orderID) == true)

            let state = try stack.state()
            state.expectOneVersion(of: orderID)
            #expect(try state.document("raw/events/\(orderID).json")?["price"]?.numberValue == JSONNumber(42))
            state.expectCompleted(orderID)
        }

        @Test("an expired COMPLETED item (TTL passed, not yet deleted) is claimed again; S3's 412 makes it a duplicate")
        func expiredCompletedItem() throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))
            let first = try stack.invoke(event)
            let processedAt = try #require(first.body?["processed_at"]?.stringValue)

            // DynamoDB deletes expired items within days, not at once: keep the item, move its TTL into the past.
            var item = try #require(try stack.state().item(orderID)?.objectValue)
            let expired = nowMilliseconds() / 1_000 - 60
            item["expiry_time"] = ["N": .string(String(expired))]
            try stack.localStack.putItem(table: stack.table, item: .object(item))

            let again = try stack.invoke(event)
            #expect(again.body?["duplicate"]?.boolValue == true, "\(again.text)")
            #expect(again.body?["processed_at"]?.stringValue == processedAt, "the first run's time survives the takeover")
            let state = try stack.state()
            state.expectOneVersion(of: orderID, "no second version")
            state.expectCompleted(orderID)
            let renewed = try #require(state.attribute("expiry_time", of: orderID).flatMap { Int64($0) })
            #expect(renewed > nowMilliseconds() / 1_000, "the completed claim has a fresh TTL")
        }

        @Test("S3 failing after the claim: the claim is released and an immediate retry succeeds")
        func failedWriteReleasesClaim() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try proxy.add(["match": ["service": "s3", "operation": "PutObject"], "action": "respond", "status": 403, "times": 1,
                           "body": "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>TESTREQ1</RequestId></Error>"])
            try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()
            let event = Events.eventBridge(orderID: .string(orderID))

            let failed = try stack.invoke(event)
            #expect(failed.errorType == "DependencyFailure", "\(failed.text)")
            let message = failed.errorMessage ?? ""
            #expect(message.contains("S3 PutObject") && message.contains("AccessDenied") && message.contains("403"), "\(message)")
            #expect(message.contains("claim released"), "\(message)")
            #expect(try stack.state().item(orderID) == nil, "the claim was deleted")
            #expect(try proxy.requests("DeleteItem").count == 1)

            let retry = try stack.invoke(event)
            #expect(retry.body?["first_time"]?.boolValue == true, "no waiting for a lease: \(retry.text)")
            try stack.state().expectOneVersion(of: orderID)
        }

        @Test("a multi-record S3 event: one failing record fails the invocation after the others are done")
        func multiRecordPartialFailure() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            let ids = (0..<3).map { _ in Events.uniqueOrderID("s3") }
            try proxy.add(["match": ["service": "s3", "operation": "PutObject", "path_prefix": .string("/\(stack.bucket)/raw/events/\(ids[1])")],
                           "action": "respond", "status": 403, "times": 1,
                           "body": "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"])
            try stack.startBootstrap()
            let event = Events.s3(keys: ids.map { "incoming/\($0).json" })

            let first = try stack.invoke(event)
            #expect(first.errorType == "DependencyFailure", "\(first.text)")
            #expect(first.errorMessage?.contains("1 of 3 S3 records failed") == true, "\(first.text)")
            #expect(first.errorMessage?.contains(ids[1]) == true)
            var state = try stack.state()
            state.expectOneVersion(of: ids[0], "records before the failure are done")
            state.expectOneVersion(of: ids[2], "records after the failure are done")
            #expect(state.item(ids[1]) == nil, "the failed record's claim was released")

            let retry = try stack.invoke(event)
            let results = retry.body?["results"]?.arrayValue ?? []
            #expect(results.count == 3, "\(retry.text)")
            #expect(results[safe: 0]?["duplicate"]?.boolValue == true)
            #expect(results[safe: 1]?["first_time"]?.boolValue == true)
            #expect(results[safe: 2]?["duplicate"]?.boolValue == true)
            state = try stack.state()
            for id in ids { state.expectOneVersion(of: id) }
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
