import JSON
import Testing
@testable import OrderPipeline

/// SQS, SNS and Pipes envelopes: what each record's message holds, and what fails the whole event.
@Suite("Batch envelopes")
struct BatchEnvelopeTests {
    typealias E = BatchEvents

    static func batch(_ event: String) throws -> BatchEvent {
        guard case .batch(let batch) = try EnvelopeNormalizer.normalize(Array(event.utf8)) else {
            throw OrderPipelineError.invalidOrderEvent("not a batch")
        }
        return batch
    }

    static func invalidMessage(_ event: String) -> String? {
        do {
            _ = try EnvelopeNormalizer.normalize(Array(event.utf8))
            return nil
        } catch {
            guard case .invalidOrderEvent(let message) = error else { return nil }
            return message
        }
    }

    /// Each record's orders, as "ID" for a valid order and "!" + the message for an invalid one.
    static func summary(_ record: BatchRecord) -> [String] {
        record.orders.map { order in
            switch order {
            case .success(let order): order.orderID
            case .failure(let error): "!" + error.message
            }
        }
    }

    @Test("an SQS body may hold any envelope we know: EventBridge, raw, JSON text, SNS notification, S3 notification")
    func sqsBodies() throws {
        let batch = try Self.batch(E.sqsEvent([
            E.sqsRecord("m-eb", body: E.body(E.eventBridge("1"))),
            E.sqsRecord("m-raw", body: E.body(E.raw("2"))),
            E.sqsRecord("m-text", body: E.body(.string(E.raw("3").serialized()))),
            E.sqsRecord("m-sns", body: E.body(E.snsNotification(E.eventBridge("4")))),
            E.sqsRecord("m-s3", body: E.body(E.s3Notification(["incoming/5.json", "incoming/6.json"]))),
        ]))
        #expect(batch.source == .sqs(fifo: false, viaPipes: false))
        #expect(batch.reportsItemFailures)
        #expect(batch.records.map(\.messageID) == ["m-eb", "m-raw", "m-text", "m-sns", "m-s3"])
        #expect(batch.records.map(Self.summary) == [["1"], ["2"], ["3"], ["4"], ["5", "6"]])
        #expect(batch.records.allSatisfy { $0.groupID == nil }, "a standard queue has no FIFO groups")
        let fromSNS = try batch.records[3].orders[0].get()
        #expect(fromSNS.envelope == .eventBridge(source: "demo.orders", detailType: "OrderCreated", eventID: "ev-1"))
        #expect(try batch.records[2].orders[0].get().wasJSONText)
    }

    @Test("a bad record fails alone, saying which record and what was wrong")
    func badRecords() throws {
        let batch = try Self.batch(E.sqsEvent([
            E.sqsRecord("m-ok", body: E.body(E.raw("1"))),
            E.sqsRecord("m-text", body: "this is not JSON"),
            E.sqsRecord("m-noprice", body: E.body(["order_id": "2"])),
            E.sqsRecord("m-number", body: 42),
            E.sqsRecord("m-array", body: E.body([1, 2])),
            E.sqsRecord("m-nested", body: .string(E.sqsEvent([E.sqsRecord("x", body: E.body(E.raw("9")))]))),
            E.sqsRecord("m-s3bad", body: E.body(E.s3Notification(["incoming/7.json", "incoming/"]))),
        ]))
        let summaries = batch.records.map(Self.summary)
        #expect(summaries[0] == ["1"])
        #expect(summaries[1].first?.hasPrefix("!expected Records[1].body to be JSON text holding an order event; it is not JSON") == true)
        #expect(summaries[2] == [#"!Records[2].body: expected price (a number) for order "2"; found none"#])
        #expect(summaries[3] == ["!expected Records[3].body to be a string holding an order event; found a number (42)"])
        #expect(summaries[4].first?.hasPrefix("!expected Records[4].body to hold an EventBridge event") == true)
        #expect(summaries[5].first?.hasPrefix("!Records[5].body: expected Records to be a list of S3 notification records") == true,
                "an SQS event inside a body is not read as a batch: \(summaries[5])")
        #expect(summaries[6].count == 2)
        #expect(summaries[6][0] == "7", "the good S3 record of a body is still an order")
        #expect(summaries[6][1].hasPrefix("!Records[6].body: the object key \"incoming/\""))
    }

    @Test("s3:TestEvent is acknowledged and ignored, at the top, in an SQS body and in an SNS message")
    func s3TestEvent() throws {
        #expect(try EnvelopeNormalizer.normalize(Array(E.s3TestEvent.serialized().utf8)) == .ignored("s3:TestEvent"))
        let sqs = try Self.batch(E.sqsEvent([E.sqsRecord("m-1", body: E.body(E.s3TestEvent))]))
        #expect(sqs.records[0].orders.isEmpty)
        #expect(sqs.records[0].ignoredReason == "s3:TestEvent")
        let sns = try Self.batch(E.snsEvent([.string(E.s3TestEvent.serialized())]))
        #expect(sns.records[0].orders.isEmpty && sns.records[0].ignoredReason == "s3:TestEvent")
    }

    @Test("a top-level s3:TestEvent is recognised by its Event, and by its Service when it has one")
    func s3TestEventShape() throws {
        #expect(try EnvelopeNormalizer.normalize(Array(#"{"Event":"s3:TestEvent","Bucket":"b"}"#.utf8)) == .ignored("s3:TestEvent"))
        #expect(try EnvelopeNormalizer.normalize(Array(#"{"Event":"s3:TestEvent","order_id":"1","price":2}"#.utf8)) == .ignored("s3:TestEvent"))
        for other in [#"{"Event":"s3:TestEvent","Service":"Amazon SQS"}"#, #"{"Event":"s3:TestEvents"}"#, #"{"Event":1}"#] {
            #expect(throws: OrderPipelineError.self) { try EnvelopeNormalizer.normalize(Array(other.utf8)) }
        }
        // Not a test event: the order in it is read as usual.
        guard case .single(let order) = try EnvelopeNormalizer.normalize(Array(#"{"Event":"x","order_id":"1","price":2}"#.utf8)) else {
            Issue.record("expected an order")
            return
        }
        #expect(order.orderID == "1")
    }

    @Test("FIFO by the queue ARN: records carry their MessageGroupId; a standard queue's group IDs are not an order")
    func fifo() throws {
        let fifo = try Self.batch(E.sqsEvent([
            E.sqsRecord("m-1", body: E.body(E.raw("1")), arn: E.fifoARN, group: "g-a"),
            E.sqsRecord("m-2", body: E.body(E.raw("2")), arn: E.fifoARN, group: "g-b"),
        ]))
        #expect(fifo.source == .sqs(fifo: true, viaPipes: false))
        #expect(fifo.records.map(\.groupID) == ["g-a", "g-b"])
        let fair = try Self.batch(E.sqsEvent([E.sqsRecord("m-1", body: E.body(E.raw("1")), group: "tenant-a")]))
        #expect(fair.source == .sqs(fifo: false, viaPipes: false))
        #expect(fair.records[0].groupID == nil)
    }

    @Test("a record without a usable messageId fails the whole event: a partial batch response could not name it",
          arguments: [("no messageId", nil as JSONValue?, "none"), ("empty", "", #"a string ("")"#), ("a number", 7, "a number (7)"),
                      ("too long", .string(String(repeating: "m", count: 300)), "a string")])
    func unusableMessageID(_ label: String, _ messageID: JSONValue?, _ found: String) throws {
        let message = try #require(Self.invalidMessage(E.sqsEvent([
            E.sqsRecord("m-ok", body: E.body(E.raw("1"))), E.sqsRecord(messageID, body: E.body(E.raw("2"))),
        ])))
        #expect(message.hasPrefix("expected Records[1].messageId to be a non-empty string of at most 256 bytes; found \(found)"), "\(label): \(message)")
        #expect(message.hasSuffix("nothing in the batch was processed (a partial batch response cannot name the record)"))
    }

    @Test("an SNS event: each record's Message, as above; a record without one fails alone")
    func sns() throws {
        let batch = try Self.batch(E.snsEvent([.string(E.eventBridge("1").serialized()), 5]))
        #expect(batch.source == .sns)
        #expect(!batch.reportsItemFailures)
        #expect(batch.records.map(\.messageID) == ["sns-1", "sns-1"])
        #expect(Self.summary(batch.records[0]) == ["1"])
        #expect(Self.summary(batch.records[1]) == ["!expected Records[1].Sns.Message to be a string holding an order event; found a number (5)"])
    }

    @Test("EventBridge Pipes: an array of SQS records is an SQS batch; any other array is one envelope per element")
    func pipes() throws {
        let sqs = try Self.batch(JSONValue.array([E.sqsRecord("m-1", body: E.body(E.raw("1")))]).serialized())
        #expect(sqs.source == .sqs(fifo: false, viaPipes: true))
        #expect(sqs.reportsItemFailures)
        #expect(sqs.records[0].label == "[0]")
        let events = try Self.batch(JSONValue.array([E.eventBridge("1"), E.raw("2"), .string(E.raw("3").serialized()), 4]).serialized())
        #expect(events.source == .pipes)
        #expect(!events.reportsItemFailures)
        #expect(events.records.map(Self.summary).prefix(3) == [["1"], ["2"], ["3"]])
        #expect(Self.summary(events.records[3]).first?.hasPrefix("!expected [3] to hold an EventBridge event") == true)
        #expect(Self.invalidMessage("[]") == "expected an EventBridge Pipes array to hold at least one event; found an empty array")
    }

    @Test("Records that is not a list is an InvalidOrderEvent naming what it is")
    func recordsNotAList() throws {
        let message = try #require(Self.invalidMessage(#"{"Records": {"eventSource": "aws:sqs", "messageId": "m", "body": "{}"}}"#))
        #expect(message.hasPrefix("expected Records to be a list of S3 notification records"))
        #expect(message.contains("SQS records (eventSource aws:sqs)"))
        #expect(message.hasSuffix("found an object"))
    }

    @Test("a batch over the record cap is refused as a whole, without reading its records")
    func recordCap() throws {
        let record = #"{"eventSource":"aws:sqs"}"#
        let event = #"{"Records":["# + Array(repeating: record, count: BatchEnvelope.maximumRecords + 1).joined(separator: ",") + "]}"
        #expect(Self.invalidMessage(event) == "expected at most 10000 SQS records in one event; found 10001")
    }

    @Test("a batch over the order cap is refused as a whole")
    func orderCap() throws {
        let keys = (0..<100).map { "incoming/\($0).json" }
        let records = (0..<101).map { E.sqsRecord(.string("m-\($0)"), body: E.body(E.s3Notification(keys))) }
        let message = try #require(Self.invalidMessage(E.sqsEvent(records)))
        #expect(message == "expected at most 10000 orders in one batch; Records[100] brings it to 10100; nothing was processed")
    }
    @Test("big and hostile bodies: each record's message stays short and escaped, whatever its body")
    func hostileBodies() throws {
        let megabyte = 1 << 20
        let batch = try Self.batch(E.sqsEvent([
            E.sqsRecord("m-escapes", body: .string(String(repeating: "\u{1B}[2J", count: megabyte / 4))),
            E.sqsRecord("m-deep", body: .string(String(repeating: "[", count: megabyte))),
            E.sqsRecord("m-long-id", body: E.body(["order_id": .string(String(repeating: "x", count: megabyte)), "price": 1])),
            E.sqsRecord("m-big-order", body: E.body(["order_id": "big", "price": 1, "note": .string(String(repeating: "n", count: megabyte))])),
        ]))
        let messages = batch.records.prefix(3).map { Self.summary($0).first ?? "" }
        for message in messages {
            #expect(message.hasPrefix("!"), "invalid: \(message.prefix(200))")
            #expect(message.utf8.count < 2_048, "bounded: \(message.utf8.count) bytes")
            #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "escaped")
        }
        #expect(Self.summary(batch.records[3]) == ["big"], "a valid 1 MB order is read in place")
    }
}
