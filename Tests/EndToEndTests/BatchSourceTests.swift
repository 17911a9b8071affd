import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// SQS, SNS and EventBridge Pipes batches through the real binary: the partial batch response,
    /// FIFO groups, `s3:TestEvent`, released claims, and records in flight together.
    @Suite("Batch sources")
    struct BatchSourceTests {
        static let queueARN = "arn:aws:sqs:us-east-1:123456789012:orders"
        static let fifoARN = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"

        /// One SQS record as Lambda delivers it.
        static func record(_ messageID: String, _ body: JSONValue, arn: String = queueARN, group: String? = nil) -> JSONValue {
            var attributes: JSONObject = ["ApproximateReceiveCount": "1", "SentTimestamp": "1764528000000",
                                          "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1764528000001"]
            if let group {
                attributes["MessageGroupId"] = .string(group)
                attributes["MessageDeduplicationId"] = .string("dedup-\(messageID)")
                attributes["SequenceNumber"] = "18888888888888888888"
            }
            return ["messageId": .string(messageID), "receiptHandle": .string("handle-\(messageID)"), "body": body,
                    "attributes": .object(attributes), "messageAttributes": [:], "md5OfBody": "0",
                    "eventSource": "aws:sqs", "eventSourceARN": .string(arn), "awsRegion": "us-east-1"]
        }

        static func sqs(_ records: [JSONValue]) -> JSONValue { ["Records": .array(records)] }

        /// A body holding this event as JSON text.
        static func body(_ event: JSONValue) -> JSONValue { .string(event.serialized()) }

        static func snsNotification(_ message: JSONValue) -> JSONValue {
            ["Type": "Notification", "MessageId": "5b1c6c3e-0000-4000-8000-000000000001",
             "TopicArn": "arn:aws:sns:us-east-1:123456789012:orders", "Message": .string(message.serialized()),
             "Timestamp": "2026-11-30T00:00:00.000Z"]
        }

        static let s3TestEvent: JSONValue = ["Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-30T00:00:00.000Z",
                                             "Bucket": "incoming-orders", "RequestId": "R", "HostId": "H"]

        /// The `itemIdentifier`s of a partial batch response, or `nil` when the answer is not one.
        static func failedIDs(_ invocation: RuntimeEmulator.Invocation) -> [String]? {
            guard invocation.succeeded, let items = invocation.body?["batchItemFailures"]?.arrayValue else { return nil }
            return items.map { $0["itemIdentifier"]?.stringValue ?? "<missing>" }
        }

        @Test("a mixed SQS batch reports exactly the bad records; the good ones are written once; the redelivery reports nothing and writes nothing")
        func mixedBatch() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["AWS_LAMBDA_LOG_FORMAT": "JSON"])
            let id = { (name: String) in Events.uniqueOrderID(name) }
            let (fromEventBridge, raw, fromSNS, fromS3, conflicting) = (id("eb"), id("raw"), id("sns"), id("s3"), id("conflict"))
            #expect(try stack.invoke(Events.raw(orderID: .string(conflicting), price: 1)).succeeded)

            let batch = Self.sqs([
                Self.record("m-eventbridge", Self.body(Events.eventBridge(orderID: .string(fromEventBridge)))),
                Self.record("m-raw", Self.body(Events.raw(orderID: .string(raw)))),
                Self.record("m-sns", Self.body(Self.snsNotification(Events.raw(orderID: .string(fromSNS))))),
                Self.record("m-s3", Self.body(Events.s3(keys: ["incoming/\(fromS3).json"]))),
                Self.record("m-duplicate", Self.body(Events.raw(orderID: .string(raw)))),
                Self.record("m-invalid", Self.body(["order_id": .string(id("noprice"))])),
                Self.record("m-not-json", "order 123, price 42"),
                Self.record("m-conflict", Self.body(Events.raw(orderID: .string(conflicting), price: 2))),
            ])
            let first = try stack.invoke(batch)
            #expect(Self.failedIDs(first) == ["m-invalid", "m-not-json", "m-conflict"], "\(first.text)")

            let state = try stack.state()
            for orderID in [fromEventBridge, raw, fromSNS, fromS3, conflicting] {
                state.expectProcessedOnce(orderID)
            }
            #expect(state.objectKeys.count == 5)
            #expect(try state.document("raw/events/\(conflicting).json")?["price"]?.numberValue == JSONNumber(1), "the conflict wrote nothing")
            #expect(state.items.count == 5, "invalid records leave no claim")

            let lines = bootstrap.logs.split(separator: "\n").compactMap { try? JSONValue.parse(Array($0.utf8)) }
            #expect(lines.contains { $0["messageId"]?.stringValue == "m-duplicate" && $0["message"]?.stringValue?.hasPrefix("Duplicate event ignored: \(raw)") == true },
                    "the in-batch duplicate is logged as one, with its messageId")
            #expect(lines.contains { $0["messageId"]?.stringValue == "m-conflict" && $0["errorType"]?.stringValue == "OrderConflict" })
            let metrics = try #require(lines.last { $0["_aws"] != nil })
            #expect(metrics["BatchRecords"]?.numberValue == JSONNumber(8))
            #expect(metrics["BatchItemFailures"]?.numberValue == JSONNumber(3))
            #expect(metrics["OrdersProcessed"]?.numberValue == JSONNumber(4))
            #expect(metrics["DuplicatesSkipped"]?.numberValue == JSONNumber(1))

            let again = try stack.invoke(batch)
            #expect(Self.failedIDs(again) == ["m-invalid", "m-not-json", "m-conflict"], "the bad ones stay bad: \(again.text)")
            let good = Self.sqs(Array(batch["Records"]?.arrayValue?.prefix(5) ?? []))
            let redelivered = try stack.invoke(good)
            #expect(Self.failedIDs(redelivered) == [], "\(redelivered.text)")
            let after = try stack.state()
            for orderID in [fromEventBridge, raw, fromSNS, fromS3, conflicting] {
                after.expectProcessedOnce(orderID)
            }
            #expect(after.objectKeys.count == 5 && after.items.count == 5, "the redelivery wrote nothing new")
        }

        @Test("FIFO: after a failure in a group, its later records are reported unprocessed; other groups go on; the redelivery keeps the order")
        func fifoAfterFailure() throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let (a1, a3, b1) = (Events.uniqueOrderID("a1"), Events.uniqueOrderID("a3"), Events.uniqueOrderID("b1"))
            let batch = Self.sqs([
                Self.record("a-1", Self.body(Events.raw(orderID: .string(a1))), arn: Self.fifoARN, group: "a"),
                Self.record("b-1", Self.body(Events.raw(orderID: .string(b1))), arn: Self.fifoARN, group: "b"),
                Self.record("a-2", "{not json", arn: Self.fifoARN, group: "a"),
                Self.record("a-3", Self.body(Events.raw(orderID: .string(a3))), arn: Self.fifoARN, group: "a"),
            ])
            let first = try stack.invoke(batch)
            #expect(Self.failedIDs(first) == ["a-2", "a-3"], "\(first.text)")
            let state = try stack.state()
            state.expectProcessedOnce(a1)
            state.expectProcessedOnce(b1)
            #expect(state.item(a3) == nil && state.versions(of: "raw/events/\(a3).json").isEmpty, "a-3 waits for a-2")

            // a-2 went to the dead-letter queue after its receives; a-3 comes next, in order.
            let next = try stack.invoke(Self.sqs([Self.record("a-3", Self.body(Events.raw(orderID: .string(a3))), arn: Self.fifoARN, group: "a")]))
            #expect(Self.failedIDs(next) == [])
            try stack.state().expectProcessedOnce(a3)
        }

        @Test("s3:TestEvent writes nothing and fails nothing: on its own, in an SQS body, in an SNS message")
        func s3TestEvent() throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let alone = try stack.invoke(Self.s3TestEvent)
            #expect(alone.succeeded && alone.body?["ignored"]?.stringValue == "s3:TestEvent", "\(alone.text)")
            let inQueue = try stack.invoke(Self.sqs([Self.record("m-test", Self.body(Self.s3TestEvent))]))
            #expect(Self.failedIDs(inQueue) == [], "\(inQueue.text)")
            let viaSNS = try stack.invoke(["Records": [["EventSource": "aws:sns", "Sns": ["Type": "Notification", "Message": Self.body(Self.s3TestEvent)]]]])
            #expect(viaSNS.succeeded && viaSNS.body?["results"]?.arrayValue == [], "\(viaSNS.text)")
            let state = try stack.state()
            #expect(state.objectKeys.isEmpty && state.items.isEmpty)
        }

        @Test("S3 refusing writes: those records are reported and their claims released, so the redelivery succeeds at once")
        func s3Refuses() throws {
            let stack = try TestStack(withProxy: true)
            try stack.startBootstrap()
            let proxy = try #require(stack.proxy)
            let (fine, refused) = (Events.uniqueOrderID("fine"), Events.uniqueOrderID("refused"))
            try proxy.add(["match": ["service": "s3", "operation": "PutObject", "path_prefix": .string("/\(stack.bucket)/raw/events/\(refused)")],
                           "action": "respond", "times": -1, "status": 403,
                           "body": .string(AWSFault.s3(403, "AccessDenied", "Access Denied").body)])
            let batch = Self.sqs([Self.record("m-fine", Self.body(Events.raw(orderID: .string(fine)))),
                                  Self.record("m-refused", Self.body(Events.raw(orderID: .string(refused))))])
            let first = try stack.invoke(batch)
            #expect(Self.failedIDs(first) == ["m-refused"], "\(first.text)")
            let state = try stack.state()
            state.expectProcessedOnce(fine)
            #expect(state.item(refused) == nil, "the claim was released")

            try proxy.reset()
            let redelivered = try stack.invoke(batch)
            #expect(Self.failedIDs(redelivered) == [], "no lease to wait for: \(redelivered.text)")
            let after = try stack.state()
            after.expectProcessedOnce(fine)
            after.expectProcessedOnce(refused)
        }

        @Test("the records of a batch are in flight together: 10 records whose claims each take 400 ms take about one record's time")
        func recordsOverlap() throws {
            let stack = try TestStack(withProxy: true, invocationTimeoutMilliseconds: 20_000)
            try stack.startBootstrap(["BATCH_CONCURRENCY": "10"])
            let proxy = try #require(stack.proxy)
            try proxy.inject("delay", on: "dynamodb", "PutItem", times: -1, extra: ["delay_ms": 400])
            let orders = (0..<10).map { _ in Events.uniqueOrderID("overlap") }
            let batch = Self.sqs(orders.enumerated().map { Self.record("m-\($0.offset)", Self.body(Events.raw(orderID: .string($0.element)))) })

            let started = ContinuousClock.now
            let answer = try stack.invoke(batch)
            let elapsed = ContinuousClock.now - started
            #expect(Self.failedIDs(answer) == [], "\(answer.text)")
            // One after the other, the claims alone take 10 × 400 ms.
            #expect(elapsed < .milliseconds(2_500), "took \(elapsed)")

            let (claims, mostAtOnce) = try Self.claimsInFlight(proxy)
            #expect(claims == 10)
            #expect(mostAtOnce >= 5, "claims in flight together, from the proxy's log: \(mostAtOnce)")
            let state = try stack.state()
            for orderID in orders { state.expectProcessedOnce(orderID) }
        }

        /// The claim `PutItem`s the proxy saw, and the most of them in flight at one moment (each
        /// claim counted with those whose [started, finished] interval overlaps its own).
        static func claimsInFlight(_ proxy: FaultProxy) throws -> (claims: Int, mostAtOnce: Int) {
            let claims = try proxy.requests("PutItem").compactMap { entry -> (Int64, Int64)? in
                guard let start = entry.int("started_ms"), let end = entry.int("finished_ms") else { return nil }
                return (start, end)
            }
            let mostAtOnce = claims.map { claim in claims.filter { $0.0 < claim.1 && claim.0 < $0.1 }.count }.max() ?? 0
            return (claims.count, mostAtOnce)
        }

        @Test("BATCH_CONCURRENCY bounds the records in flight")
        func concurrencyBound() throws {
            let stack = try TestStack(withProxy: true, invocationTimeoutMilliseconds: 20_000)
            try stack.startBootstrap(["BATCH_CONCURRENCY": "2"])
            let proxy = try #require(stack.proxy)
            try proxy.inject("delay", on: "dynamodb", "PutItem", times: -1, extra: ["delay_ms": 150])
            let batch = Self.sqs((0..<6).map { Self.record("m-\($0)", Self.body(Events.raw(orderID: .string(Events.uniqueOrderID("bound"))))) })
            #expect(Self.failedIDs(try stack.invoke(batch)) == [])
            let (claims, mostAtOnce) = try Self.claimsInFlight(proxy)
            #expect(claims == 6 && mostAtOnce <= 2, "at most 2 claims at once: \(mostAtOnce)")
        }

        @Test("Records that is not a list is an InvalidOrderEvent, and the loop goes on")
        func recordsNotAList() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap()
            let bad = try stack.invoke(["Records": ["eventSource": "aws:sqs", "messageId": "m-1", "body": "{}"]])
            #expect(bad.errorType == "InvalidOrderEvent")
            #expect(bad.errorMessage?.contains("expected Records to be a list of") == true, "\(bad.text)")
            let noID = try stack.invoke(Self.sqs([["eventSource": "aws:sqs", "body": "{}"]]))
            #expect(noID.errorType == "InvalidOrderEvent", "a record without a messageId fails the whole batch: \(noID.text)")
            let orderID = Events.uniqueOrderID()
            #expect(Self.failedIDs(try stack.invoke(Self.sqs([Self.record("m-2", Self.body(Events.raw(orderID: .string(orderID))))]))) == [])
            #expect(bootstrap.isRunning)
            try stack.state().expectProcessedOnce(orderID)
        }

        @Test("SNS answers with the results or a function error; Pipes of SQS records answers as SQS, other Pipes as SNS")
        func snsAndPipes() throws {
            let stack = try TestStack()
            try stack.startBootstrap()
            let (viaSNS, viaPipes, viaPipesSQS) = (Events.uniqueOrderID("sns"), Events.uniqueOrderID("pipes"), Events.uniqueOrderID("pipes-sqs"))
            let sns = try stack.invoke(["Records": [["EventSource": "aws:sns", "Sns": ["Type": "Notification", "MessageId": "n-1",
                                                                                        "Message": Self.body(Events.eventBridge(orderID: .string(viaSNS)))]]]])
            #expect(sns.body?["results"]?[0]?["first_time"]?.boolValue == true, "\(sns.text)")
            let snsBad = try stack.invoke(["Records": [["EventSource": "aws:sns", "Sns": ["Type": "Notification", "Message": "nope"]]]])
            #expect(snsBad.errorType == "InvalidOrderEvent" && snsBad.errorMessage?.hasPrefix("1 of 1 SNS records failed") == true, "\(snsBad.text)")

            let pipes = try stack.invoke([Events.eventBridge(orderID: .string(viaPipes))])
            #expect(pipes.body?["results"]?[0]?["order_id"]?.stringValue == viaPipes, "\(pipes.text)")
            let pipesSQS = try stack.invoke([Self.record("p-1", Self.body(Events.raw(orderID: .string(viaPipesSQS)))), Self.record("p-2", "x")])
            #expect(Self.failedIDs(pipesSQS) == ["p-2"], "\(pipesSQS.text)")
            let state = try stack.state()
            for orderID in [viaSNS, viaPipes, viaPipesSQS] { state.expectProcessedOnce(orderID) }
        }
    }
}
