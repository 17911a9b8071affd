import JSON
@testable import OrderPipeline
import Testing

@Suite("EnvelopeNormalizer")
struct EnvelopeNormalizerTests {
    // MARK: - Fixtures

    /// The Lambda console's EventBridge test event, carrying the demo order (order 123 at price 42).
    static let eventBridge = """
        {
          "version": "0",
          "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
          "detail-type": "order.created",
          "source": "demo.orders",
          "account": "123456789012",
          "time": "2026-11-25T18:43:48Z",
          "region": "us-east-1",
          "resources": [],
          "detail": {
            "order_id": 123,
            "price": 42
          }
        }
        """

    /// A bare order, as a test harness or a direct `aws lambda invoke` sends it.
    static let raw = #"{"order_id": "A-1001", "price": 19.99, "currency": "EUR"}"#

    /// One record of an S3 event notification, as S3 sends it for `PutObject`.
    static func s3Record(key: String, bucket: String? = "incoming-orders-demo", eventSource: String = "aws:s3",
                         eventName: String = "ObjectCreated:Put") -> JSONValue {
        var bucketObject: JSONObject = ["arn": "arn:aws:s3:::incoming-orders-demo"]
        if let bucket { bucketObject["name"] = .string(bucket) }
        return [
            "eventVersion": "2.1",
            "eventSource": .string(eventSource),
            "awsRegion": "us-east-1",
            "eventTime": "2026-11-25T18:45:10.123Z",
            "eventName": .string(eventName),
            "s3": [
                "s3SchemaVersion": "1.0",
                "configurationId": "incoming-orders",
                "bucket": .object(bucketObject),
                "object": [
                    "key": .string(key),
                    "size": 1024,
                    "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                    "sequencer": "0A1B2C3D4E5F678901",
                ],
            ],
        ]
    }

    /// An S3 notification with the given records.
    static func s3Event(_ records: [JSONValue]) -> String {
        JSONValue.object(["Records": .array(records)]).serialized()
    }

    // MARK: - Helpers

    static func normalize(_ text: String) throws(OrderPipelineError) -> NormalizedEvent {
        try EnvelopeNormalizer.normalize(Array(text.utf8))
    }

    /// The one order of an EventBridge, raw or JSON-text event.
    static func single(_ text: String) throws -> OrderEvent {
        guard case .single(let order) = try normalize(text) else {
            Issue.record("expected one order from \(text)")
            throw OrderPipelineError.invalidOrderEvent("not a single order")
        }
        return order
    }

    /// The per-record results of an S3 notification.
    static func records(_ text: String) throws -> [Result<OrderEvent, OrderPipelineError>] {
        guard case .s3Notification(let records) = try normalize(text) else {
            Issue.record("expected an S3 notification from \(text)")
            throw OrderPipelineError.invalidOrderEvent("not an S3 notification")
        }
        return records
    }

    /// The message of the `InvalidOrderEvent` the whole event is rejected with, or `nil` when it is accepted
    /// or fails with another error type.
    static func invalidMessage(_ text: String) -> String? {
        do {
            _ = try normalize(text)
            return nil
        } catch {
            guard case .invalidOrderEvent(let message) = error else { return nil }
            return message
        }
    }

    /// The message of the `InvalidOrderEvent` in the slot of a record.
    static func recordMessage(_ result: Result<OrderEvent, OrderPipelineError>) -> String? {
        guard case .failure(.invalidOrderEvent(let message)) = result else { return nil }
        return message
    }

    // MARK: - EventBridge and raw envelopes

    @Test("the EventBridge order.created event from demo.orders gives order 123 at price 42")
    func eventBridgeEvent() throws {
        let order = try Self.single(Self.eventBridge)
        #expect(order.orderID == "123")
        #expect(order.price == 42)
        #expect(order.envelope == .eventBridge(source: "demo.orders", detailType: "order.created",
                                               eventID: "6a7e8feb-b491-4cf7-a9f1-bf3703467718"))
        #expect(order.order == ["order_id": 123, "price": 42], "the order is the detail object as it arrived")
        #expect(!order.wasJSONText)
    }

    @Test("an EventBridge event without an id still normalises, with no event id")
    func eventBridgeWithoutID() throws {
        let order = try Self.single(#"{"detail-type":"order.created","source":"demo.orders","detail":{"order_id":"9","price":1}}"#)
        #expect(order.envelope == .eventBridge(source: "demo.orders", detailType: "order.created", eventID: nil))
    }

    @Test("a raw order gives its order_id and price, and the whole object is the order")
    func rawOrder() throws {
        let order = try Self.single(Self.raw)
        #expect(order.orderID == "A-1001")
        #expect(order.price?.literal == "19.99")
        #expect(order.envelope == .raw)
        #expect(order.order == ["order_id": "A-1001", "price": 19.99, "currency": "EUR"])
        #expect(!order.wasJSONText)
    }

    @Test("a JSON string holding an envelope is read as the envelope inside", arguments: [eventBridge, raw])
    func jsonText(_ inner: String) throws {
        let direct = try Self.single(inner)
        let viaText = try Self.single(JSONString.quoted(inner))
        #expect(viaText.wasJSONText)
        #expect(viaText.orderID == direct.orderID)
        #expect(viaText.price == direct.price)
        #expect(viaText.envelope == direct.envelope)
        #expect(viaText.order == direct.order)
    }

    @Test("a JSON string holding an S3 notification is read as the notification")
    func jsonTextS3() throws {
        let records = try Self.records(JSONString.quoted(Self.s3Event([Self.s3Record(key: "incoming/7.json")])))
        let order = try #require(records.first).get()
        #expect(order.orderID == "7")
        #expect(order.wasJSONText)
    }

    // MARK: - Order IDs

    @Test("an integer order_id is the same key as its digits in a string", arguments: [
        ("123", "123"), (#""123""#, "123"), ("0", "0"), ("98765432109876543210", "98765432109876543210"),
    ])
    func numericIDs(_ written: String, _ key: String) throws {
        let raw = try Self.single(#"{"order_id": \#(written), "price": 1}"#)
        let eventBridge = try Self.single(#"{"detail-type":"order.created","source":"demo.orders","detail":{"order_id":\#(written),"price":1}}"#)
        #expect(raw.orderID == key)
        #expect(eventBridge.orderID == key)
    }

    @Test("an order_id that is neither a string nor an integer is rejected, naming what was found", arguments: [
        ("123.5", "a number (123.5)"), ("1e3", "a number (1e3)"), ("123.0", "a number (123.0)"), ("true", "a boolean (true)"),
        ("null", "null"), (#"{"id": 1}"#, "an object"), ("[123]", "an array"),
    ])
    func rejectedIDs(_ written: String, _ found: String) throws {
        let raw = try #require(Self.invalidMessage(#"{"order_id": \#(written), "price": 1}"#))
        #expect(raw == "expected order_id to be a string or an integer; found \(found)")
        let eventBridge = try #require(Self.invalidMessage(#"{"detail-type":"t","source":"s","detail":{"order_id":\#(written),"price":1}}"#))
        #expect(eventBridge == "expected detail.order_id to be a string or an integer; found \(found)")
    }

    // MARK: - Order keys

    @Test("unsafe keys are rejected with the reason", arguments: [
        ("", "it is empty"),
        (".", #""." is not allowed"#),
        ("..", #"".." is not allowed"#),
        ("a/b", "it contains '/'"),
        ("../../etc/passwd", "it contains '/'"),
        ("../\u{301}etc", "it contains '/'"),
        ("tab\there", "it contains the control character U+0009"),
        ("nul\u{0}", "it contains the control character U+0000"),
        ("del\u{7F}", "it contains the control character U+007F"),
        ("c1\u{85}", "it contains the control character U+0085"),
        (String(repeating: "x", count: 513), "it is 513 UTF-8 bytes long (at most 512)"),
        (String(repeating: "€", count: 171), "it is 513 UTF-8 bytes long (at most 512)"),
    ])
    func unsafeKeys(_ key: String, _ problem: String) throws {
        let event = JSONValue.object(["order_id": .string(key), "price": 1]).serialized()
        let message = try #require(Self.invalidMessage(event))
        #expect(message.hasPrefix("order_id \""))
        #expect(message.hasSuffix("cannot be used as an order key: \(problem)"))
    }

    @Test("spaces, '+', '=', non-ASCII and exactly 512 bytes are allowed in keys", arguments: [
        "big order-7", "a+b", "k=v", "Bestellung-äöü", "注文-42", "emoji-😀", String(repeating: "x", count: 512),
        String(repeating: "€", count: 170) + "xx",
    ])
    func allowedKeys(_ key: String) throws {
        let order = try Self.single(JSONValue.object(["order_id": .string(key), "price": 1]).serialized())
        #expect(order.orderID == key)
    }

    // MARK: - Prices

    @Test("a numeric string price is accepted as the number it spells", arguments: [
        (#""42.50""#, "42.50"), (#""7""#, "7"), (#"" 3.25 ""#, "3.25"), (#""0""#, "0"),
    ])
    func numericStringPrice(_ written: String, _ literal: String) throws {
        let order = try Self.single(#"{"order_id": "p", "price": \#(written)}"#)
        #expect(order.price?.literal == literal)
    }

    @Test("a negative or non-numeric price is rejected, naming what was found", arguments: [
        ("-1", "a number (-1)"), ("-0.01", "a number (-0.01)"), (#""abc""#, #"a string ("abc")"#), (#""-5""#, #"a string ("-5")"#),
        (#""NaN""#, #"a string ("NaN")"#), ("true", "a boolean (true)"), (#"{"amount": 1}"#, "an object"), ("[]", "an empty array"),
        ("1e999", "a number (1e999)"),
    ])
    func badPrice(_ written: String, _ found: String) throws {
        let message = try #require(Self.invalidMessage(#"{"order_id": "123", "price": \#(written)}"#))
        #expect(message == #"expected price of order "123" to be a non-negative number; found \#(found)"#)
    }

    @Test("a missing or null price is rejected, naming the field and the order", arguments: [
        (#"{"order_id": "124"}"#, #"expected price (a number) for order "124"; found none"#),
        (#"{"order_id": "124", "price": null}"#, #"expected price (a number) for order "124"; found none"#),
        (#"{"detail-type":"order.created","source":"demo.orders","detail":{"order_id":124}}"#,
         #"expected detail.price (a number) for order "124"; found none"#),
    ])
    func missingPrice(_ event: String, _ expected: String) throws {
        #expect(try #require(Self.invalidMessage(event)) == expected)
    }

    // MARK: - Invalid events

    @Test("a payload that is not JSON is rejected with the parser's reason")
    func notJSON() throws {
        let message = try #require(Self.invalidMessage("order_id=125&price=42"))
        #expect(message.hasPrefix("expected a JSON event, but the payload is not JSON: invalid JSON at byte 0:"))
        #expect(message.hasSuffix("expected a JSON value, found 'order'"))
    }

    @Test("an empty payload is rejected as empty, listing the envelopes expected", arguments: ["", " ", "\n\t\r\n "])
    func emptyPayload(_ payload: String) throws {
        let message = try #require(Self.invalidMessage(payload))
        #expect(message == "expected \(EnvelopeNormalizer.expectedShapes); found an empty payload")
        #expect(message.contains("EventBridge"))
        #expect(message.contains("S3 event notification"))
    }

    @Test("a top-level value that is not an object is rejected, naming it", arguments: [
        ("42", "a number (42)"), ("true", "a boolean (true)"), ("null", "null"),
    ])
    func notAnObject(_ payload: String, _ found: String) throws {
        let message = try #require(Self.invalidMessage(payload))
        #expect(message == "expected \(EnvelopeNormalizer.expectedShapes); found \(found)")
    }

    @Test("a JSON string whose text is not JSON is rejected as such")
    func stringNotHoldingJSON() throws {
        let message = try #require(Self.invalidMessage(#""hello order 123""#))
        #expect(message.hasPrefix("the event is a JSON string, but its text is not JSON: invalid JSON at byte 0:"))
    }

    @Test("a JSON string holding something other than an object is rejected, naming what it holds", arguments: [
        (#""42""#, "a number (42)"), (#""[1]""#, "an array"), (#""\"again\"""#, #"a string ("again")"#),
    ])
    func stringHoldingNonObject(_ payload: String, _ found: String) throws {
        let message = try #require(Self.invalidMessage(payload))
        #expect(message.hasPrefix("expected the JSON string to hold an EventBridge event"))
        #expect(!message.contains("or a JSON string holding one of them"), "a JSON string inside a JSON string is not accepted")
        #expect(message.hasSuffix("found \(found)"))
    }

    @Test("an object of no known envelope is rejected, listing its keys")
    func unknownObject() throws {
        let message = try #require(Self.invalidMessage(#"{"customer": "c-17", "total": 10}"#))
        #expect(message == #"expected \#(EnvelopeNormalizer.expectedShapes); found an object with keys "customer", "total""#)
    }

    @Test("a raw order without order_id is rejected as exactly that, listing its keys")
    func rawOrderWithoutID() throws {
        let message = try #require(Self.invalidMessage(#"{"price": 10, "customer": "c-17"}"#))
        #expect(message == #"expected order_id (a string or an integer) next to price in the order; found keys "price", "customer""#)
    }

    @Test("an empty object is rejected as an empty object")
    func emptyObject() throws {
        let message = try #require(Self.invalidMessage("{}"))
        #expect(message == "expected \(EnvelopeNormalizer.expectedShapes); found an empty object")
    }

    @Test("an object with many keys lists the first eight")
    func manyKeys() throws {
        let keys = (1...10).map { "k\($0)" }  // no price: not mistaken for a raw order
        let event = JSONValue.object(JSONObject(keys.map { ($0, JSONValue.null) })).serialized()
        let message = try #require(Self.invalidMessage(event))
        #expect(message.hasSuffix(#"found an object with keys "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", …"#))
    }

    @Test("an EventBridge detail that is not an object is rejected, naming what it is", arguments: [
        (#""{\"order_id\":1}""#, #"a string ("{\"order_id\":1}")"#), ("[]", "an empty array"), ("null", "null"), ("7", "a number (7)"),
    ])
    func detailNotObject(_ detail: String, _ found: String) throws {
        let message = try #require(Self.invalidMessage(#"{"detail-type":"order.created","source":"demo.orders","detail":\#(detail)}"#))
        #expect(message == "expected the EventBridge detail to be an object with order_id and price; found \(found)")
    }

    @Test("an EventBridge event without detail says there is none")
    func missingDetail() throws {
        let message = try #require(Self.invalidMessage(#"{"detail-type":"order.created","source":"demo.orders"}"#))
        #expect(message == "expected the EventBridge detail to be an object with order_id and price; found no detail")
    }

    @Test("an EventBridge event without detail-type or source names the missing field", arguments: [
        (#"{"source":"demo.orders","detail":{"order_id":1,"price":1}}"#, "its detail-type is missing"),
        (#"{"detail-type":"order.created","detail":{"order_id":1,"price":1}}"#, "its source is missing"),
        (#"{"detail-type":7,"source":"demo.orders","detail":{"order_id":1,"price":1}}"#, "its detail-type is a number (7)"),
    ])
    func missingEnvelopeField(_ event: String, _ found: String) throws {
        let message = try #require(Self.invalidMessage(event))
        #expect(message.hasPrefix("expected an EventBridge event with detail-type, source and detail"))
        #expect(message.hasSuffix(found))
    }

    @Test("an EventBridge detail without order_id is rejected, naming the event and the keys found")
    func missingOrderID() throws {
        let message = try #require(Self.invalidMessage(#"{"detail-type":"order.created","source":"demo.orders","detail":{"price":42}}"#))
        #expect(message == #"expected detail.order_id (a string or an integer) in the "order.created" event from "demo.orders"; found keys "price""#)
    }

    // MARK: - S3 notifications

    @Test("an S3 ObjectCreated:Put notification with one record gives the order named by the file")
    func s3OneRecord() throws {
        let records = try Self.records(Self.s3Event([Self.s3Record(key: "incoming/big+order-7.json")]))
        #expect(records.count == 1)
        let order = try #require(records.first).get()
        #expect(order.orderID == "big order-7")
        #expect(order.price == nil)
        #expect(order.envelope == .s3(bucket: "incoming-orders-demo", key: "incoming/big order-7.json", size: 1024,
                                      eTag: "d41d8cd98f00b204e9800998ecf8427e", sequencer: "0A1B2C3D4E5F678901", versionID: nil))
        #expect(order.order["key"] == "incoming/big order-7.json", "the document carries the decoded key")
        #expect(order.order["eventName"] == "ObjectCreated:Put")
    }

    @Test("an S3 notification with several records gives one order per record, in order")
    func s3SeveralRecords() throws {
        let keys = ["incoming/1.json", "incoming/2.json", "other/3.csv"]
        let records = try Self.records(Self.s3Event(keys.map { Self.s3Record(key: $0) }))
        #expect(try records.map { try $0.get().orderID } == ["1", "2", "3"])
    }

    @Test("S3 keys are form-decoded and the file name without its extension is the order key", arguments: [
        ("incoming/big+order-7.json", "big order-7"),
        ("a/b/archive.tar.gz", "archive.tar"),
        ("incoming/a%2Bb.json", "a+b"),
        ("incoming/a+%2B+b.json", "a + b"),
        ("my+file%281%29.json", "my file(1)"),
        ("incoming/order-%E2%82%AC.json", "order-€"),
        ("incoming/x%3D1.json", "x=1"),
        ("incoming/README", "README"),
        ("incoming/.hidden", ".hidden"),
        ("top-level.json", "top-level"),
        ("a%2Fb/c.json", "c"),
    ])
    func s3KeyDecoding(_ encodedKey: String, _ orderID: String) throws {
        let records = try Self.records(Self.s3Event([Self.s3Record(key: encodedKey)]))
        #expect(try #require(records.first).get().orderID == orderID)
    }

    /// A malformed record, labelled so the test log stays short.
    struct BadRecord: Sendable, CustomTestStringConvertible {
        var label: String
        var record: JSONValue
        var message: String
        var testDescription: String { label }
    }

    static let badRecords: [BadRecord] = [
        BadRecord(label: "no bucket", record: s3Record(key: "incoming/1.json", bucket: nil),
                  message: "expected Records[0].s3.bucket.name (a string, at most 1024 bytes); found none"),
        BadRecord(label: "empty bucket name", record: s3Record(key: "incoming/1.json", bucket: ""),
                  message: #"expected Records[0].s3.bucket.name (a string, at most 1024 bytes); found a string ("")"#),
        BadRecord(label: "empty key", record: s3Record(key: ""),
                  message: #"expected Records[0].s3.object.key (a string); found a string ("")"#),
        BadRecord(label: "no key", record: ["eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                            "s3": ["bucket": ["name": "b"], "object": ["size": 1]]],
                  message: "expected Records[0].s3.object.key (a string); found none"),
        BadRecord(label: "Kinesis record", record: s3Record(key: "incoming/1.json", eventSource: "aws:kinesis"),
                  message: "expected Records[0] to be an S3 notification record (eventSource aws:s3); found eventSource \"aws:kinesis\""),
        BadRecord(label: "ObjectRemoved", record: s3Record(key: "incoming/1.json", eventName: "ObjectRemoved:Delete"),
                  message: #"expected Records[0] to be an ObjectCreated notification; found eventName "ObjectRemoved:Delete""#),
        BadRecord(label: "truncated escape", record: s3Record(key: "incoming/100%.json"),
                  message: #"Records[0].s3.object.key "incoming/100%.json" is not valid form-encoded UTF-8"#),
        BadRecord(label: "escape of invalid UTF-8", record: s3Record(key: "incoming/%FF.json"),
                  message: #"Records[0].s3.object.key "incoming/%FF.json" is not valid form-encoded UTF-8"#),
        BadRecord(label: "folder key", record: s3Record(key: "incoming/"),
                  message: #"the object key "incoming/" in Records[0] has no file name to use as the order key"#),
        BadRecord(label: "dot-dot file name", record: s3Record(key: "incoming/...json"),
                  message: #"the file name ".." of Records[0].s3.object.key cannot be used as an order key: ".." is not allowed"#),
        BadRecord(label: "control character", record: s3Record(key: "incoming/%01.json"),
                  message: #"the file name "\u0001" of Records[0].s3.object.key cannot be used as an order key: it contains the control character U+0001"#),
    ]

    @Test("a bad S3 record is an error in its own slot, naming what was expected and found", arguments: badRecords)
    func badRecord(_ bad: BadRecord) throws {
        let records = try Self.records(Self.s3Event([bad.record]))
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(try #require(Self.recordMessage(record)) == bad.message)
    }

    @Test("a bad record among good ones fails only its own slot")
    func badRecordAmongGoodOnes() throws {
        let records = try Self.records(Self.s3Event([
            Self.s3Record(key: "incoming/1.json"),
            Self.s3Record(key: "incoming/2.json", eventName: "ObjectRemoved:Delete"),
            Self.s3Record(key: "incoming/3.json"),
        ]))
        try #require(records.count == 3)
        #expect(try records[0].get().orderID == "1")
        #expect(try #require(Self.recordMessage(records[1])).hasPrefix("expected Records[1] to be an ObjectCreated notification"))
        #expect(try records[2].get().orderID == "3")
    }

    static let notS3 = "expected Records to be a list of S3 notification records (objects with s3.bucket.name and s3.object.key), SQS records (eventSource aws:sqs) or SNS records (EventSource aws:sns); found"

    @Test("Records without an S3 record is not an S3 notification: the whole event is rejected", arguments: [
        (#"{"Records": []}"#, "\(notS3) an empty list"),
        (#"{"Records": {}}"#, "\(notS3) an empty object"),
        (#"{"Records": null}"#, "\(notS3) null"),
        (#"{"Records": ["not a record"]}"#, #"\#(notS3) a list of 1 whose first element is a string ("not a record")"#),
        (#"{"Records": [{"eventSource":"aws:kinesis","kinesis":{}}]}"#,
         #"\#(notS3) a list of 1 whose first element is an object with keys "eventSource", "kinesis""#),
    ])
    func noRecords(_ event: String, _ expected: String) throws {
        #expect(try #require(Self.invalidMessage(event)) == expected)
    }

    @Test("every rejection is an InvalidOrderEvent")
    func rejectionType() {
        #expect(throws: OrderPipelineError.invalidOrderEvent("expected \(EnvelopeNormalizer.expectedShapes); found an empty payload")) {
            try EnvelopeNormalizer.normalize([])
        }
    }

    // MARK: - Hostile input

    @Test("a raw order that also has a detail string, a Records string or a source is a raw order, as the README's table says", arguments: [
        #"{"order_id":"r-1","price":1,"detail":"a note"}"#, #"{"order_id":"r-1","price":1,"Records":"none"}"#,
        #"{"order_id":"r-1","price":1,"Records":[]}"#, #"{"order_id":"r-1","price":1,"Records":[null]}"#,
        #"{"order_id":"r-1","price":1,"source":"shop","detail-type":"x","detail":"text"}"#,
    ])
    func rawOrderWithEnvelopeLikeFields(_ event: String) throws {
        let order = try Self.single(event)
        #expect(order.orderID == "r-1")
        #expect(order.envelope == .raw)
    }

    @Test("an S3 key whose file name starts with a combining mark names the order after the '/' (split by bytes)")
    func combiningMarkFileName() throws {
        let records = try Self.records(Self.s3Event([Self.s3Record(key: "incoming/%CC%B8abc.json")]))
        #expect(try #require(records.first).get().orderID == "\u{338}abc")
    }

    @Test("an EventBridge source, detail-type or id over 256 bytes is refused with a short excerpt, never echoed whole",
          arguments: ["source", "detail-type", "id"])
    func longEventBridgeField(_ field: String) throws {
        var event: JSONObject = ["detail-type": "order.created", "source": "demo.orders", "id": "e-1", "detail": ["order_id": "1", "price": 1]]
        event[field] = .string(String(repeating: "\u{1B}x", count: 50_000))
        let message = try #require(Self.invalidMessage(JSONValue.object(event).serialized()))
        #expect(message.hasPrefix("expected the EventBridge \(field) to be a string of at most 256 bytes"))
        #expect(message.utf8.count < 400)
        #expect(!message.unicodeScalars.contains("\u{1B}"))
    }

    @Test("more than 100 S3 records are refused as a whole, counting them without reading each")
    func tooManyRecords() throws {
        let message = try #require(Self.invalidMessage(Self.s3Event(Array(repeating: Self.s3Record(key: "incoming/1.json"), count: 101))))
        #expect(message == "expected at most 100 S3 notification records in Records (S3 sends one per event); found 101")
        #expect(try Self.records(Self.s3Event(Array(repeating: Self.s3Record(key: "incoming/1.json"), count: 100))).count == 100)
    }

    @Test("values quoted in messages are short escaped excerpts: a long order id, a long key, control characters", arguments: [
        #"{"order_id":"\#(String(repeating: "k", count: 100_000))","price":1}"#,
        #"{"order_id":"a\u001b[2J\r\u0007/b","price":1}"#,
        #"{"price":1,"\#(String(repeating: "n", count: 100_000))":1}"#,
        #"{"\u001b[31m":1,"\r\n":2}"#,
        #"{"detail-type":"t","source":"\u009b2J","detail":{"price":1}}"#,
    ])
    func boundedEcho(_ event: String) throws {
        let message = try #require(Self.invalidMessage(event))
        #expect(message.utf8.count < 2_048, "\(message.utf8.count) bytes")
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(message)")
    }

    @Test("a bad S3 record's long fields are refused with excerpts", arguments: ["eTag", "sequencer", "versionId"])
    func longRecordField(_ field: String) throws {
        var record = Self.s3Record(key: "incoming/1.json")
        guard case .object(var top) = record, case .object(var s3)? = top["s3"], case .object(var object)? = s3["object"] else {
            Issue.record("fixture shape")
            return
        }
        object[field] = .string(String(repeating: "e", count: 5_000))
        s3["object"] = .object(object)
        top["s3"] = .object(s3)
        record = .object(top)
        let records = try Self.records(Self.s3Event([record]))
        let first = try #require(records.first)
        let message = try #require(Self.recordMessage(first))
        #expect(message.hasPrefix("expected Records[0].s3.object.\(field) to be at most 1024 bytes"))
        #expect(message.utf8.count < 400)
    }
}
