import AWSClient
import JSON
@testable import OrderPipeline
import Testing

@Suite("ClaimRecord")
struct ClaimRecordTests {
    static let full = ClaimRecord(
        orderID: "123", status: .completed, owner: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
        leaseExpiresMilliseconds: 1_795_633_746_123, expiryTimeSeconds: 1_795_806_546,
        payloadHash: "f2e9a94220660ed806da662ab01b48ed99d61dc4dc4454b9373fa69ff9d20627",
        processedAt: "2026-11-25T19:09:06.123Z", price: "42.50", source: "eventbridge:demo.orders",
        s3Key: "raw/events/123.json", result: #"{"ok":true,"order_id":"123","first_time":true}"#)

    /// The record written to DynamoDB's JSON and read back, as a claim and its `ALL_OLD` item travel.
    static func roundTrip(_ record: ClaimRecord) throws -> ClaimRecord {
        let json = try JSONValue.parse(record.item.json.serialized())
        let item = try #require(DynamoDBItem.fromJSON(json))
        return try #require(ClaimRecord(item: item))
    }

    @Test("every attribute has its DynamoDB type and name")
    func attributeJSON() {
        #expect(Self.full.item.json.serialized() == """
            {"expiry_time":{"N":"1795806546"},"lease_expires_ms":{"N":"1795633746123"},"order_id":{"S":"123"},\
            "owner":{"S":"8476a536-e9f4-11e8-9739-2dfe598c3fcd"},\
            "payload_hash":{"S":"f2e9a94220660ed806da662ab01b48ed99d61dc4dc4454b9373fa69ff9d20627"},\
            "price":{"N":"42.50"},"processed_at":{"S":"2026-11-25T19:09:06.123Z"},"result":{"S":"{\\"ok\\":true,\\"order_id\\":\\"123\\",\\"first_time\\":true}"},\
            "s3_key":{"S":"raw/events/123.json"},"source":{"S":"eventbridge:demo.orders"},"status":{"S":"COMPLETED"}}
            """)
    }

    @Test("a record survives the trip to attribute JSON and back", arguments: [
        full,
        ClaimRecord(orderID: "big order-7", status: .inProgress, owner: "r", leaseExpiresMilliseconds: 1, expiryTimeSeconds: 2,
                    payloadHash: "h", price: "0", source: "s3://b/incoming/big order-7.json", s3Key: "raw/events/big order-7.json"),
        ClaimRecord(orderID: "注文", status: .inProgress),
    ])
    func roundTrip(_ record: ClaimRecord) throws {
        #expect(try Self.roundTrip(record) == record)
    }

    @Test("absent attributes are not written and stay absent when read")
    func absentAttributes() throws {
        let record = ClaimRecord(orderID: "123", status: .inProgress)
        #expect(Set(record.item.keys) == ["order_id", "status"])
        let read = try Self.roundTrip(record)
        #expect(read.owner == nil)
        #expect(read.leaseExpiresMilliseconds == nil)
        #expect(read.expiryTimeSeconds == nil)
        #expect(read.payloadHash == nil)
        #expect(read.processedAt == nil)
        #expect(read.price == nil)
        #expect(read.source == nil)
        #expect(read.s3Key == nil)
        #expect(read.result == nil)
    }

    @Test("an item with only its key reads as a record without a status")
    func keyOnly() throws {
        let record = try #require(ClaimRecord(item: ["order_id": .string("123")]))
        #expect(record.status == nil)
        #expect(record.rawStatus == nil)
        #expect(record.item == ["order_id": .string("123")])
    }

    @Test("an unknown status is kept as its raw text and written back unchanged")
    func unknownStatus() throws {
        let record = try #require(ClaimRecord(item: ["order_id": .string("123"), "status": .string("ARCHIVED")]))
        #expect(record.status == nil)
        #expect(record.rawStatus == "ARCHIVED")
        #expect(record.item["status"] == .string("ARCHIVED"))
    }

    @Test("known statuses are read from their stored names", arguments: [("IN_PROGRESS", ClaimStatus.inProgress), ("COMPLETED", .completed)])
    func knownStatuses(_ text: String, _ status: ClaimStatus) throws {
        let record = try #require(ClaimRecord(item: ["order_id": .string("1"), "status": .string(text)]))
        #expect(record.status == status)
        #expect(record.rawStatus == text)
    }

    @Test("an item without a string order_id is not a claim record", arguments: [
        DynamoDBItem(), ["status": .string("COMPLETED")], ["order_id": .number("123")],
    ])
    func notARecord(_ item: DynamoDBItem) {
        #expect(ClaimRecord(item: item) == nil)
    }

    @Test("attributes of the wrong type are read as absent")
    func wrongTypes() throws {
        let record = try #require(ClaimRecord(item: [
            "order_id": .string("1"), "lease_expires_ms": .string("1795633746123"), "expiry_time": .number("1.5"),
            "price": .string("42"), "owner": .number("7"),
        ]))
        #expect(record.leaseExpiresMilliseconds == nil)
        #expect(record.expiryTimeSeconds == nil)
        #expect(record.price == nil)
        #expect(record.owner == nil)
    }

    @Test("the ALL_OLD item of a failed condition is read from the DynamoDB error body")
    func fromErrorBody() throws {
        let body = try JSONValue.parse("""
            {"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed",\
            "Item":{"order_id":{"S":"123"},"status":{"S":"IN_PROGRESS"},"owner":{"S":"r-1"},"lease_expires_ms":{"N":"1795633746123"},\
            "expiry_time":{"N":"1795806546"},"payload_hash":{"S":"h"}}}
            """)
        let item = try #require(body["Item"].flatMap(DynamoDBItem.fromJSON))
        #expect(ClaimRecord(item: item) == ClaimRecord(orderID: "123", status: .inProgress, owner: "r-1",
                                                      leaseExpiresMilliseconds: 1_795_633_746_123, expiryTimeSeconds: 1_795_806_546,
                                                      payloadHash: "h"))
    }

    @Test("itemJSON is item.json byte for byte, whichever attributes are set", arguments: [
        full,
        ClaimRecord(orderID: "big order-7", status: .inProgress, owner: "r", leaseExpiresMilliseconds: 1, expiryTimeSeconds: 2,
                    payloadHash: "h", price: "0", source: "s3://b/incoming/big order-7.json", s3Key: "raw/events/big order-7.json"),
        ClaimRecord(orderID: "注文", status: .inProgress),
        ClaimRecord(orderID: "x", status: nil, processedAt: "2026-11-25T19:09:06.123Z", result: "{}"),
    ])
    func itemJSON(_ record: ClaimRecord) {
        #expect(record.itemJSON.serialized() == record.item.json.serialized())
        var unknown = record
        unknown.rawStatus = "ARCHIVED"
        #expect(unknown.itemJSON.serialized() == unknown.item.json.serialized())
    }
}
