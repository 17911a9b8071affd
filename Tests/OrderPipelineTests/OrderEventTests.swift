import Hashing
import JSON
@testable import OrderPipeline
import Testing

@Suite("OrderEvent")
struct OrderEventTests {
    /// The order as the handler reads it from an event.
    static func order(_ event: String) throws -> OrderEvent {
        guard case .single(let order) = try EnvelopeNormalizer.normalize(Array(event.utf8)) else {
            Issue.record("expected one order from \(event)")
            throw OrderPipelineError.invalidOrderEvent("not a single order")
        }
        return order
    }

    /// The payload hash the claim stores: SHA-256 of the canonical text, as the processor computes it.
    static func payloadHash(_ order: OrderEvent) -> String {
        SHA256.hash(order.canonicalOrderBytes).hexEncodedString
    }

    static func s3Order(key: String = "incoming/7.json", size: Int64? = 1024, eTag: String? = "etag-1",
                        sequencer: String? = "0A1B", versionID: String? = nil, wasJSONText: Bool = false) -> OrderEvent {
        OrderEvent(orderID: "7", price: nil,
                   envelope: .s3(bucket: "incoming", key: key, size: size, eTag: eTag, sequencer: sequencer, versionID: versionID),
                   order: ["bucket": "incoming", "key": .string(key)], wasJSONText: wasJSONText)
    }

    static let eventBridge = #"{"version":"0","id":"e-1","detail-type":"order.created","source":"demo.orders","detail":{"order_id":123,"price":42}}"#

    // MARK: - Canonical order and payload hash

    @Test("the same order through other envelopes, key orders, whitespace and number spellings has one canonical form", arguments: [
        #"{"price": 42.0, "order_id": "123"}"#,
        #"{"order_id":123,"price":42}"#,
        "{\n  \"price\" : 4.2e1 ,\n\t\"order_id\" : \"123\"\n}",
        #""{\"order_id\": 123, \"price\": 42.00}""#,
        #"{"detail":{"price":42.0,"order_id":"123"},"source":"other.source","detail-type":"order.updated","id":"e-2"}"#,
        #"{"order_id": 123, "price": "42"}"#,
    ])
    func sameOrderSameHash(_ other: String) throws {
        let reference = try Self.order(Self.eventBridge)
        let candidate = try Self.order(other)
        #expect(reference.canonicalOrder.canonicalSerialized() == #"{"order_id":"123","price":42}"#)
        #expect(candidate.canonicalOrder.canonicalSerialized() == reference.canonicalOrder.canonicalSerialized())
        #expect(Self.payloadHash(candidate) == Self.payloadHash(reference))
    }

    @Test("the canonical text written from the event's bytes is byte for byte that of the order as a tree", arguments: [
        eventBridge,
        #"{"order_id":"n","price":"7.50","items":[{"sku":"a","qty":2.0}],"customer":{"tier":"gold","id":"c"},"note":"a\"b\u2028\u0001é"}"#,
        "{\"order_id\":1,\"price\":1,\"\u{E9}\":1,\"e\u{301}\":2,\"\\u00ff\":[1e2,-0,0.10]}",
        #"{"price":1e1,"order_id":"x","order_id2":{"price":"nested is kept as is"}}"#,
        #""{\"detail-type\":\"t\",\"source\":\"s\",\"detail\":{\"order_id\":9,\"price\":2,\"z\":[]}}""#,
    ])
    func canonicalBytesMatchTheTree(_ event: String) throws {
        let order = try Self.order(event)
        #expect(order.canonicalOrderBytes == order.canonicalOrder.canonicalSerializedBytes())
    }

    @Test("the archived document splices the order's text in: the same bytes as the document built as a tree", arguments: [
        eventBridge, #"{"order_id":"n","price":"7.50","items":[{"sku":"a","qty":2.0}],"note":"a\"b\u2028é"}"#,
    ])
    func archivedDocument(_ event: String) throws {
        let order = try Self.order(event)
        var tree: JSONObject = ["order_id": .string(order.orderID)]
        if let price = order.price { tree["price"] = .number(price) }
        tree["order"] = order.order
        tree["source"] = order.sourceDocument
        tree["payload_hash"] = "h"
        tree["processed_at"] = "2026-11-30T00:00:00.000Z"
        tree["request_id"] = "r"
        let document = OrderArchive.document(for: order, payloadHash: "h", processedAt: "2026-11-30T00:00:00.000Z", requestID: "r")
        #expect(document == JSONValue.object(tree).serializedBytes())
    }

    @Test("NFC and NFD spellings of a member name are two members, so they hash apart from either alone")
    func canonicallyEquivalentNamesHashApart() throws {
        let both = try Self.order("{\"order_id\":1,\"price\":1,\"\u{E9}\":1,\"e\u{301}\":1}")
        let one = try Self.order("{\"order_id\":1,\"price\":1,\"\u{E9}\":1}")
        let other = try Self.order("{\"order_id\":1,\"price\":1,\"e\u{301}\":1}")
        #expect(Set([Self.payloadHash(both), Self.payloadHash(one), Self.payloadHash(other)]).count == 3)
    }

    @Test("the payload hash is the SHA-256 of the canonical text")
    func hashValue() throws {
        // printf '{"order_id":"123","price":42}' | sha256sum
        #expect(Self.payloadHash(try Self.order(Self.eventBridge)) == "f2e9a94220660ed806da662ab01b48ed99d61dc4dc4454b9373fa69ff9d20627")
    }

    @Test("a different price, another field or another id gives another canonical form and hash", arguments: [
        #"{"order_id": "123", "price": 43}"#,
        #"{"order_id": "123", "price": 42.01}"#,
        #"{"order_id": "123", "price": 42, "currency": "EUR"}"#,
        #"{"order_id": "1230", "price": 42}"#,
    ])
    func differentOrderDifferentHash(_ other: String) throws {
        let reference = try Self.order(Self.eventBridge)
        let candidate = try Self.order(other)
        #expect(candidate.canonicalOrder.canonicalSerialized() != reference.canonicalOrder.canonicalSerialized())
        #expect(Self.payloadHash(candidate) != Self.payloadHash(reference))
    }

    @Test("nested members are sorted too, so their order does not matter")
    func nestedOrder() throws {
        let first = try Self.order(#"{"order_id":"n","price":1,"items":[{"sku":"a","qty":2}],"customer":{"id":"c","tier":"gold"}}"#)
        let second = try Self.order(#"{"customer":{"tier":"gold","id":"c"},"items":[{"qty":2,"sku":"a"}],"price":1.0,"order_id":"n"}"#)
        #expect(first.canonicalOrder.canonicalSerialized()
            == #"{"customer":{"id":"c","tier":"gold"},"items":[{"qty":2,"sku":"a"}],"order_id":"n","price":1}"#)
        #expect(Self.payloadHash(first) == Self.payloadHash(second))
    }

    @Test("an S3 record's canonical order is the order id, bucket, key, size and ETag")
    func s3Canonical() {
        #expect(Self.s3Order().canonicalOrder.canonicalSerialized()
            == #"{"bucket":"incoming","eTag":"etag-1","key":"incoming/7.json","order_id":"7","size":1024}"#)
        #expect(Self.s3Order(size: nil, eTag: nil).canonicalOrder.canonicalSerialized()
            == #"{"bucket":"incoming","key":"incoming/7.json","order_id":"7"}"#)
    }

    @Test("a re-delivered S3 notification with another sequencer, version or text wrapping is the same order")
    func s3SequencerIgnored() {
        let reference = Self.payloadHash(Self.s3Order())
        #expect(Self.payloadHash(Self.s3Order(sequencer: "FFFF")) == reference)
        #expect(Self.payloadHash(Self.s3Order(sequencer: nil)) == reference)
        #expect(Self.payloadHash(Self.s3Order(versionID: "v2")) == reference)
        #expect(Self.payloadHash(Self.s3Order(wasJSONText: true)) == reference)
    }

    @Test("new content under the same S3 name is a different order", arguments: [
        s3Order(size: 2048), s3Order(eTag: "etag-2"), s3Order(key: "other/7.json"), s3Order(size: nil),
    ])
    func s3ContentChanges(_ changed: OrderEvent) {
        #expect(Self.payloadHash(changed) != Self.payloadHash(Self.s3Order()))
    }

    // MARK: - Source label and document

    @Test("the source label names the envelope", arguments: [
        (OrderEvent(orderID: "1", price: 1, envelope: .eventBridge(source: "demo.orders", detailType: "order.created", eventID: nil), order: [:]),
         "eventbridge:demo.orders"),
        (OrderEvent(orderID: "1", price: 1, envelope: .raw, order: [:]), "raw"),
        (s3Order(), "s3://incoming/incoming/7.json"),
    ])
    func sourceLabel(_ order: OrderEvent, _ label: String) {
        #expect(order.sourceLabel == label)
    }

    @Test("the source document of an EventBridge order carries source, detail-type and id")
    func eventBridgeSourceDocument() throws {
        let order = try Self.order(Self.eventBridge)
        #expect(order.sourceDocument.serialized() == #"{"type":"eventbridge","source":"demo.orders","detail-type":"order.created","id":"e-1"}"#)
        let withoutID = OrderEvent(orderID: "1", price: 1, envelope: .eventBridge(source: "s", detailType: "t", eventID: nil), order: [:])
        #expect(withoutID.sourceDocument.serialized() == #"{"type":"eventbridge","source":"s","detail-type":"t"}"#)
    }

    @Test("the source document of a raw order says raw, and notes a JSON-text wrapping")
    func rawSourceDocument() throws {
        #expect(try Self.order(#"{"order_id":"1","price":1}"#).sourceDocument.serialized() == #"{"type":"raw"}"#)
        #expect(try Self.order(#""{\"order_id\":\"1\",\"price\":1}""#).sourceDocument.serialized() == #"{"type":"raw","json_text":true}"#)
    }

    @Test("the source document of an S3 record carries every object field it has")
    func s3SourceDocument() {
        #expect(Self.s3Order(versionID: "v1").sourceDocument.serialized()
            == #"{"type":"s3","bucket":"incoming","key":"incoming/7.json","size":1024,"eTag":"etag-1","sequencer":"0A1B","versionId":"v1"}"#)
        #expect(Self.s3Order(size: nil, eTag: nil, sequencer: nil).sourceDocument.serialized()
            == #"{"type":"s3","bucket":"incoming","key":"incoming/7.json"}"#)
    }
}
