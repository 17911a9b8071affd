import TransportDoubles
import JSON
import LambdaRuntime
import Testing
@testable import OrderPipeline

/// Batches through the handler over an in-memory DynamoDB and S3: the partial batch response, FIFO
/// groups, the same order twice in one batch, records in flight together, and the batch metrics.
@Suite("Batch processing")
struct BatchProcessorTests {
    typealias E = BatchEvents

    static func fixture(_ aws: InMemoryAWS, concurrency: Int = 8) -> PipelineFixture {
        PipelineFixture([], batchConcurrency: concurrency, fallback: aws.answer, logFormat: .json)
    }

    /// The `itemIdentifier`s of a partial batch response.
    static func failedIDs(_ response: String) throws -> [String] {
        let items = try #require(try JSONValue.parse(Array(response.utf8))["batchItemFailures"]?.arrayValue)
        return items.compactMap { $0["itemIdentifier"]?.stringValue }
    }

    static func object(_ orderID: String) -> String { "raw/events/\(orderID).json" }

    /// The JSON log lines that carry this messageId.
    static func lines(_ fixture: PipelineFixture, messageID: String) -> [JSONValue] {
        fixture.log.lines.compactMap { try? JSONValue.parse(Array($0.utf8)) }.filter { $0["messageId"]?.stringValue == messageID }
    }

    /// The EMF metrics line.
    static func metrics(_ fixture: PipelineFixture) throws -> JSONValue {
        try #require(fixture.log.lines.compactMap { try? JSONValue.parse(Array($0.utf8)) }.first { $0["_aws"] != nil })
    }

    @Test("a mixed SQS batch reports exactly the bad records; the good ones are written once; the redelivery reports nothing and writes nothing")
    func mixedBatch() throws {
        let aws = InMemoryAWS()
        aws.seed(ClaimRecord(orderID: "c-1", status: .completed, payloadHash: "an-earlier-order", s3Key: "raw/events/c-1.json"))
        let fixture = Self.fixture(aws)
        let event = E.sqsEvent([
            E.sqsRecord("m-eb", body: E.body(E.eventBridge("1"))),
            E.sqsRecord("m-raw", body: E.body(E.raw("2"))),
            E.sqsRecord("m-sns", body: E.body(E.snsNotification(E.raw("3")))),
            E.sqsRecord("m-s3", body: E.body(E.s3Notification(["incoming/4.json"]))),
            E.sqsRecord("m-dup", body: E.body(E.raw("2"))),
            E.sqsRecord("m-invalid", body: E.body(["order_id": "5"])),
            E.sqsRecord("m-text", body: "not JSON at all"),
            E.sqsRecord("m-conflict", body: E.body(E.raw("c-1"))),
            E.sqsRecord("m-test", body: E.body(E.s3TestEvent)),
        ])
        let first = try fixture.invoke(event).get()
        #expect(try Self.failedIDs(first) == ["m-invalid", "m-text", "m-conflict"])
        #expect(aws.objects.sorted() == ["1", "2", "3", "4"].map(Self.object))
        #expect(Self.lines(fixture, messageID: "m-dup").contains { $0["message"]?.stringValue?.hasPrefix("Duplicate event ignored: 2") == true },
                "the in-batch duplicate is a duplicate, logged with its messageId")
        #expect(Self.lines(fixture, messageID: "m-conflict").contains { $0["errorType"]?.stringValue == "OrderConflict" })
        #expect(Self.lines(fixture, messageID: "m-eb").contains { $0["message"]?.stringValue?.hasPrefix("Processed order 1 at price 10") == true })
        let metrics = try Self.metrics(fixture)
        #expect(metrics["BatchRecords"]?.numberValue == JSONNumber(9))
        #expect(metrics["BatchItemFailures"]?.numberValue == JSONNumber(3))
        #expect(metrics["OrdersProcessed"]?.numberValue == JSONNumber(4))
        #expect(metrics["DuplicatesSkipped"]?.numberValue == JSONNumber(1))
        #expect(metrics["InvalidEvents"]?.numberValue == JSONNumber(2))
        #expect(metrics["OrderConflicts"]?.numberValue == JSONNumber(1))

        let again = Self.fixture(aws)
        let redelivered = try again.invoke(E.sqsEvent([
            E.sqsRecord("m-eb", body: E.body(E.eventBridge("1"))), E.sqsRecord("m-raw", body: E.body(E.raw("2"))),
            E.sqsRecord("m-sns", body: E.body(E.snsNotification(E.raw("3")))),
            E.sqsRecord("m-s3", body: E.body(E.s3Notification(["incoming/4.json"]))),
        ])).get()
        #expect(try Self.failedIDs(redelivered) == [])
        #expect(redelivered == #"{"batchItemFailures":[]}"#)
        #expect(aws.objects.count == 4, "nothing new is written")
    }

    @Test("FIFO: after a failure in a group, the group's later records are not processed and are reported; other groups go on")
    func fifoGroups() throws {
        let aws = InMemoryAWS()
        let fixture = Self.fixture(aws)
        let event = E.sqsEvent([
            E.sqsRecord("a-1", body: E.body(E.raw("a1")), arn: E.fifoARN, group: "a"),
            E.sqsRecord("b-1", body: E.body(E.raw("b1")), arn: E.fifoARN, group: "b"),
            E.sqsRecord("a-2", body: "broken", arn: E.fifoARN, group: "a"),
            E.sqsRecord("a-3", body: E.body(E.raw("a3")), arn: E.fifoARN, group: "a"),
            E.sqsRecord("b-2", body: E.body(E.raw("b2")), arn: E.fifoARN, group: "b"),
            E.sqsRecord("a-4", body: E.body(E.raw("a4")), arn: E.fifoARN, group: "a"),
        ])
        let response = try fixture.invoke(event).get()
        #expect(try Self.failedIDs(response) == ["a-2", "a-3", "a-4"])
        #expect(aws.objects.sorted() == ["a1", "b1", "b2"].map(Self.object), "a3 and a4 wait for a2")
        #expect(Self.lines(fixture, messageID: "a-3").contains { $0["message"]?.stringValue?.contains(#"FIFO group "a" failed"#) == true })
        #expect(try Self.metrics(fixture)["BatchRecordsSkipped"]?.numberValue == JSONNumber(2))
    }

    @Test("the same order twice in one batch, run concurrently, is one claim and one object; different content is a conflict")
    func sameOrderTwice() throws {
        let aws = InMemoryAWS()
        let fixture = Self.fixture(aws)
        let event = E.sqsEvent([
            E.sqsRecord("m-1", body: E.body(E.raw("7"))),
            E.sqsRecord("m-2", body: E.body(E.eventBridge("7"))),
            E.sqsRecord("m-3", body: E.body(E.raw("7", price: 99))),
            E.sqsRecord("m-4", body: E.body(E.raw("8"))),
        ])
        let response = try fixture.invoke(event).get()
        #expect(try Self.failedIDs(response) == ["m-3"])
        #expect(aws.objects.sorted() == ["7", "8"].map(Self.object))
        #expect(fixture.operations.filter { $0 == "PutObject" }.count == 2, "one write per order")
        #expect(fixture.script.overlappingUses == 0)
    }

    @Test("records are in flight together, up to BATCH_CONCURRENCY and no more", arguments: [3, 8])
    func concurrency(_ limit: Int) throws {
        let aws = InMemoryAWS(gate: limit)
        let fixture = Self.fixture(aws, concurrency: limit)
        let event = E.sqsEvent((0..<10).map { E.sqsRecord(.string("m-\($0)"), body: E.body(E.raw("o-\($0)"))) })
        let response = try fixture.invoke(event).get()
        #expect(try Self.failedIDs(response) == [])
        #expect(aws.gateOpened, "\(limit) claims were in flight together")
        #expect(fixture.script.maximumInFlight == limit)
        #expect(fixture.script.overlappingUses == 0, "each thread has its own connection")
        #expect(aws.objects.count == 10)
        #expect(fixture.metricRequests == 30)
    }

    @Test("one at a time when BATCH_CONCURRENCY is 1")
    func serial() throws {
        let aws = InMemoryAWS()
        let fixture = Self.fixture(aws, concurrency: 1)
        _ = try fixture.invoke(E.sqsEvent((0..<4).map { E.sqsRecord(.string("m-\($0)"), body: E.body(E.raw("o-\($0)"))) })).get()
        #expect(fixture.script.maximumInFlight == 1)
        #expect(aws.objects == (0..<4).map { Self.object("o-\($0)") }, "in batch order")
    }

    @Test("S3 refusing writes: those records are reported and their claims released, so the redelivery succeeds at once")
    func s3Refuses() throws {
        let aws = InMemoryAWS(refuseKeysContaining: "refused")
        let fixture = Self.fixture(aws)
        let event = E.sqsEvent([E.sqsRecord("m-ok", body: E.body(E.raw("fine"))), E.sqsRecord("m-bad", body: E.body(E.raw("refused-1")))])
        #expect(try Self.failedIDs(try fixture.invoke(event).get()) == ["m-bad"])
        #expect(aws.items["refused-1"] == nil, "the claim was released")
        #expect(Self.lines(fixture, messageID: "m-bad").contains { $0["errorType"]?.stringValue == "DependencyFailure" })
        aws.acceptWrites()
        #expect(try Self.failedIDs(try Self.fixture(aws).invoke(event).get()) == [])
        #expect(aws.objects.sorted() == ["fine", "refused-1"].map(Self.object))
    }

    @Test("SNS: the results, or a function error naming the failed records once all are done")
    func sns() throws {
        let aws = InMemoryAWS()
        let ok = try Self.fixture(aws).invoke(E.snsEvent([.string(E.raw("s-1").serialized())])).get()
        let results = try JSONValue.parse(Array(ok.utf8))
        #expect(results["ok"]?.boolValue == true)
        #expect(results["results"]?[0]?["order_id"]?.stringValue == "s-1")
        let error = try #require(Self.fixture(aws).invoke(E.snsEvent([.string(E.raw("s-2").serialized()), "nope"])).failure)
        #expect(error.errorType == "InvalidOrderEvent")
        #expect(error.errorMessage.hasPrefix("1 of 2 SNS records failed: Records[1]: InvalidOrderEvent: "))
        #expect(aws.objects.contains(Self.object("s-2")), "the good record is processed before the error")
    }

    @Test("Pipes: SQS records answer as an SQS batch, other events as SNS")
    func pipes() throws {
        let aws = InMemoryAWS()
        let sqs = JSONValue.array([E.sqsRecord("p-1", body: E.body(E.raw("p1"))), E.sqsRecord("p-2", body: "x")]).serialized()
        #expect(try Self.failedIDs(try Self.fixture(aws).invoke(sqs).get()) == ["p-2"])
        let events = JSONValue.array([E.eventBridge("p3"), E.raw("p4")]).serialized()
        let answer = try JSONValue.parse(Array(try Self.fixture(aws).invoke(events).get().utf8))
        #expect(answer["results"]?.arrayValue?.compactMap { $0["order_id"]?.stringValue } == ["p3", "p4"])
    }

    @Test("s3:TestEvent: acknowledged, nothing written, nothing failed")
    func s3TestEvent() throws {
        let aws = InMemoryAWS()
        let fixture = Self.fixture(aws)
        #expect(try fixture.invoke(E.s3TestEvent.serialized()).get() == #"{"ok":true,"ignored":"s3:TestEvent"}"#)
        #expect(try Self.failedIDs(try fixture.invoke(E.sqsEvent([E.sqsRecord("m-t", body: E.body(E.s3TestEvent))])).get()) == [])
        #expect(fixture.script.requests.isEmpty)
    }

    @Test("lanes: FIFO groups and shared orders join records; the rest run apart")
    func lanes() {
        func record(_ group: String?, _ orders: [String]) -> BatchRecord {
            BatchRecord(label: "", groupID: group, orders: orders.map { .success(OrderEvent(orderID: $0, price: nil, envelope: .raw, order: [:])) })
        }
        let records = [record("g", ["1"]), record(nil, ["2"]), record("h", ["3"]), record("g", ["4"]), record(nil, ["3", "5"]), record(nil, [])]
        #expect(BatchProcessor.lanes(records) == [[0, 3], [1], [2, 4], [5]])
        // "é" precomposed and decomposed are different keys: not joined (bytes, not canonical equivalence).
        #expect(BatchProcessor.lanes([record(nil, ["\u{E9}"]), record(nil, ["e\u{301}"])]) == [[0], [1]])
    }
}
