import AWSClient
import Hashing
import JSON
import Testing
@testable import OrderPipeline

/// The audit item, the totals' day and price, the completing transaction's JSON and its token.
@Suite("Audit trail")
struct AuditTrailTests {
    static let entry = AuditEntry(orderID: "42", requestID: "req-1", processedAt: "2026-03-04T23:59:59.999Z",
                                  s3Key: "raw/events/42.json", payloadHash: "abc", source: "raw", price: "19.99")

    static let claimUpdate: JSONObject = [
        "TableName": "claims", "Key": ["order_id": ["S": "42"]], "UpdateExpression": "SET #status = :completed",
        "ConditionExpression": "#owner = :me AND #status = :in_progress", "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    ]

    @Test("the transaction: the claim's update, the audit put unless it exists, the day's ADD of one order and its price")
    func transactionJSON() throws {
        let transaction = CompletionTransaction(claimUpdate: Self.claimUpdate, tables: try #require(AuditTrailTables(audit: "audit", totals: "totals")),
                                                entry: Self.entry)
        let expected = try JSONValue.parse(Array(#"""
            [
              {"Update": {"TableName": "claims", "Key": {"order_id": {"S": "42"}}, "UpdateExpression": "SET #status = :completed",
                          "ConditionExpression": "#owner = :me AND #status = :in_progress", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
              {"Put": {"TableName": "audit",
                       "Item": {"order_id": {"S": "42"}, "request_id": {"S": "req-1"}, "processed_at": {"S": "2026-03-04T23:59:59.999Z"},
                                "s3_key": {"S": "raw/events/42.json"}, "payload_hash": {"S": "abc"}, "source": {"S": "raw"},
                                "price": {"N": "19.99"}},
                       "ConditionExpression": "attribute_not_exists(#order_id)", "ExpressionAttributeNames": {"#order_id": "order_id"},
                       "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
              {"Update": {"TableName": "totals", "Key": {"day": {"S": "2026-03-04"}},
                          "UpdateExpression": "ADD #orders :one, #revenue :price",
                          "ExpressionAttributeNames": {"#orders": "orders", "#revenue": "revenue"},
                          "ExpressionAttributeValues": {":one": {"N": "1"}, ":price": {"N": "19.99"}}}}
            ]
            """#.utf8))
        #expect(JSONValue.array(transaction.actions) == expected)
        #expect(transaction.auditIndex == 1)
    }

    @Test("an order without a price is counted, and adds no revenue")
    func noPrice() throws {
        var entry = Self.entry
        entry.price = nil
        let transaction = CompletionTransaction(claimUpdate: Self.claimUpdate, tables: try #require(AuditTrailTables(audit: nil, totals: "totals")),
                                                entry: entry)
        let actions = transaction.actions
        #expect(actions.count == 2, "the claim and the totals; no audit table")
        let totals = try #require(actions.last?["Update"])
        #expect(totals["UpdateExpression"]?.stringValue == "ADD #orders :one")
        #expect(totals["ExpressionAttributeValues"] == [":one": ["N": "1"]])
        #expect(transaction.auditIndex == nil)
    }

    @Test("only the audit table: the claim and the audit put")
    func auditOnly() throws {
        let transaction = CompletionTransaction(claimUpdate: Self.claimUpdate, tables: try #require(AuditTrailTables(audit: "audit", totals: nil)),
                                                entry: Self.entry)
        #expect(transaction.actions.map { $0.objectValue?.keys.first } == ["Update", "Put"])
    }

    @Test("no tables, no audit trail")
    func neither() {
        #expect(AuditTrailTables(audit: nil, totals: nil) == nil)
    }

    @Test("the token: 36 hex characters, the same for the same order and owner, different for any other")
    func token() {
        let token = CompletionTransaction.clientRequestToken(orderID: "42", owner: "req-1")
        #expect(token.count == 36)
        #expect(token.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        #expect(CompletionTransaction.clientRequestToken(orderID: "42", owner: "req-1") == token, "every retry sends the same token")
        let others = [
            CompletionTransaction.clientRequestToken(orderID: "43", owner: "req-1"),
            CompletionTransaction.clientRequestToken(orderID: "42", owner: "req-2"),
            CompletionTransaction.clientRequestToken(orderID: "42", owner: "req-1", generation: 2),
            // Field boundaries count: ("4", "2\nreq-1") is not ("42", "req-1").
            CompletionTransaction.clientRequestToken(orderID: "4", owner: "2\nreq-1"),
        ]
        #expect(Set(others + [token]).count == 5)
        let longKey = String(repeating: "é", count: 256)  // a 512-byte order key still gives 36 characters
        #expect(CompletionTransaction.clientRequestToken(orderID: longKey, owner: "req-1").count == 36)
    }

    @Test("the token is the start of the SHA-256 of the order and owner, length-prefixed")
    func tokenDerivation() {
        let material = "order-pipeline/complete/v1\n2:42\n5:req-1\n1"
        let digest = SHA256.hash(Array(material.utf8)).hexEncodedString
        #expect(CompletionTransaction.clientRequestToken(orderID: "42", owner: "req-1") == String(digest.prefix(36)))
    }

    @Test("the totals' day is the UTC date of processed_at", arguments: [
        ("2026-03-04T23:59:59.999Z", "2026-03-04"),
        ("2026-03-05T00:00:00.000Z", "2026-03-05"),
        ("2026-03-05T01:30:00+02:00", "2026-03-04"),
    ])
    func day(_ processedAt: String, _ expected: String) {
        var entry = Self.entry
        entry.processedAt = processedAt
        #expect(entry.day == expected)
    }

    @Test("prices go to DynamoDB as exact decimal text without an exponent", arguments: [
        ("19.99", "19.99"), ("42", "42"), ("0", "0"), ("0.01", "0.01"),
        ("1.5e-7", "0.00000015"), ("1e-7", "0.0000001"), ("1e+21", "1000000000000000000000"),
        ("1.25e+22", "12500000000000000000000"), ("1.5e+0", "1.5"), ("2.5E1", "25"),
        ("-1.5e-7", "-0.00000015"), ("1e+400", "1e+400"), ("x1e5", "x1e5"),
    ])
    func plainDecimal(_ literal: String, _ expected: String) {
        #expect(AuditEntry.plainDecimal(literal) == expected)
    }

    @Test("an audit item reads back as the entry it was written from")
    func itemRoundTrip() throws {
        #expect(AuditEntry(item: Self.entry.item) == Self.entry)
        var noPrice = Self.entry
        noPrice.price = nil
        #expect(noPrice.item["price"] == nil)
        #expect(AuditEntry(item: noPrice.item) == noPrice)
        #expect(AuditEntry(item: ["request_id": .string("r")]) == nil, "no order_id")
    }

    @Test("a cancellation whose reasons name none of the transaction's conditions is an error, not a guess")
    func unexplainedCancellation() throws {
        let transaction = CompletionTransaction(claimUpdate: Self.claimUpdate, tables: try #require(AuditTrailTables(audit: "audit", totals: "totals")),
                                                entry: Self.entry)
        #expect {
            _ = try ClaimStore.decide([CancellationReason(code: "None"), CancellationReason(code: "None"),
                                       CancellationReason(code: "ConditionalCheckFailed")], transaction, owner: "req-1")
        } throws: { error in
            (error as? AWSError)?.description.contains("name none of its conditions [None, None, ConditionalCheckFailed]") == true
        }
    }
}
