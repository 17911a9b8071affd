import AWSClient
import HTTP
import JSON
import LambdaRuntime
import Testing
import TransportDoubles
@testable import OrderPipeline

/// The completion as one `TransactWriteItems` (AUDIT_TABLE, TOTALS_TABLE), every branch, through the
/// real clients over a scripted transport.
@Suite("OrderProcessor with the audit trail")
struct OrderProcessorAuditTests {
    typealias Fixture = PipelineFixture
    static let tables = AuditTrailTables(audit: "audit", totals: "totals")

    static func fixture(_ steps: [ScriptedService.Step], maxAttempts: Int? = nil) -> Fixture {
        Fixture(steps, maxAttempts: maxAttempts, auditTrail: tables)
    }

    /// A cancelled transaction, as DynamoDB sends it: one reason per action.
    static func cancelled(_ reasons: [JSONValue]) -> ScriptedService.Step {
        let body: JSONValue = [
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
            "CancellationReasons": .array(reasons),
        ]
        return .respond(HTTPResponse(status: 400, headers: [], body: body.serializedBytes()))
    }

    static func failed(_ item: DynamoDBItem?) -> JSONValue {
        var reason: JSONObject = ["Code": "ConditionalCheckFailed", "Message": "The conditional request failed"]
        if let item { reason["Item"] = item.json }
        return .object(reason)
    }

    static let none: JSONValue = ["Code": "None"]

    static func audited(hash: String) -> DynamoDBItem {
        AuditEntry(orderID: "42", requestID: "req-0", processedAt: "2025-12-31T23:00:00.000Z", s3Key: "raw/events/42.json",
                   payloadHash: hash, source: "raw", price: "10.5").item
    }

    // MARK: - First time

    @Test("a new order: claim, write, one transaction (3 requests); the audit item and the day's totals in it")
    func firstTime() throws {
        let fixture = Self.fixture([.ok(), .ok(), .ok()])
        let response = try fixture.invoke(rawOrder(price: "10.50")).get()
        #expect(response.contains(#""first_time":true"#))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems"])
        #expect(fixture.metricRequests == 3)

        let transaction = try #require(fixture.body(2))
        #expect(transaction["ClientRequestToken"]?.stringValue == CompletionTransaction.clientRequestToken(orderID: "42", owner: Fixture.requestID))
        let actions = try #require(transaction["TransactItems"]?.arrayValue)
        #expect(actions.count == 3)
        let claim = try #require(actions[0]["Update"])
        #expect(claim["TableName"]?.stringValue == "processed-orders")
        #expect(claim["ConditionExpression"]?.stringValue == "#owner = :me AND #status = :in_progress")
        #expect(claim["ExpressionAttributeValues"]?[":result"]?["S"]?.stringValue == response, "the stored result is the answer")
        let audit = try #require(actions[1]["Put"]?["Item"])
        #expect(audit["order_id"]?["S"]?.stringValue == "42")
        #expect(audit["request_id"]?["S"]?.stringValue == Fixture.requestID)
        #expect(audit["processed_at"]?["S"]?.stringValue == "2026-01-01T00:00:00.000Z")
        #expect(audit["s3_key"]?["S"]?.stringValue == "raw/events/42.json")
        #expect(audit["payload_hash"]?["S"]?.stringValue == (try OrderProcessorTests.payloadHash(rawOrder(price: "10.50"))))
        #expect(audit["source"]?["S"]?.stringValue == "raw")
        #expect(audit["price"]?["N"]?.stringValue == "10.5", "the canonical decimal")
        let totals = try #require(actions[2]["Update"])
        #expect(totals["Key"]?["day"]?["S"]?.stringValue == "2026-01-01")
        #expect(totals["ExpressionAttributeValues"]?[":price"]?["N"]?.stringValue == "10.5")
    }

    @Test("an S3 record (no price): counted in the totals, no revenue")
    func s3RecordWithoutPrice() throws {
        let event = #"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"in"},"object":{"key":"incoming/o-9.json","size":3,"eTag":"e"}}}]}"#
        let fixture = Self.fixture([.ok(), .ok(), .ok()])
        _ = try fixture.invoke(event).get()
        let actions = try #require(fixture.body(2)?["TransactItems"]?.arrayValue)
        #expect(actions[1]["Put"]?["Item"]?["price"] == nil)
        #expect(actions[1]["Put"]?["Item"]?["source"]?["S"]?.stringValue == "s3://in/incoming/o-9.json")
        #expect(actions[2]["Update"]?["UpdateExpression"]?.stringValue == "ADD #orders :one")
    }

    @Test("412 on the write (a crashed run wrote it): this run completes the order and counts it, dated now")
    func crashedRunCompletedAndCounted() throws {
        let fixture = Self.fixture([.ok(), .s3Error(412, "PreconditionFailed"), .ok()])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response == #"{"ok":true,"duplicate":true,"order_id":"42","s3_key":"raw/events/42.json"}"#)
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems"])
        let actions = try #require(fixture.body(2)?["TransactItems"]?.arrayValue)
        #expect(actions[1]["Put"]?["Item"]?["processed_at"]?["S"]?.stringValue == "2026-01-01T00:00:00.000Z")
        #expect(actions[2]["Update"]?["Key"]?["day"]?["S"]?.stringValue == "2026-01-01")
    }

    // MARK: - Retries

    @Test("the transaction applied but its answer lost: the retry carries the same token and body")
    func lostAnswerSameToken() throws {
        let fixture = Self.fixture([.ok(), .ok(), .applyThenLose(.connectionReset), .ok()])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response.contains(#""first_time":true"#))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "TransactWriteItems"])
        #expect(fixture.script.requests[2].body == fixture.script.requests[3].body)
        #expect(fixture.metricRequests == 4, "the metrics count every attempt")
    }

    @Test("cancelled by a conflict with another transaction: retried, then completed")
    func conflictRetried() throws {
        let conflict: JSONValue = ["Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"]
        let fixture = Self.fixture([.ok(), .ok(), Self.cancelled([Self.none, Self.none, conflict]), .ok()])
        #expect(try fixture.invoke(rawOrder()).get().contains(#""first_time":true"#))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "TransactWriteItems"])
    }

    @Test("500s on the transaction until the attempts run out: DependencyFailure, the claim released for the redelivery")
    func serverErrorsExhausted() throws {
        let fixture = Self.fixture([.ok(), .ok(), .awsError(500, "InternalServerError"), .awsError(500, "InternalServerError"), .ok()],
                                   maxAttempts: 2)
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "DependencyFailure")
        #expect(error.errorMessage.hasPrefix("DynamoDB TransactWriteItems failed: InternalServerError (HTTP 500)"))
        #expect(error.errorMessage.contains("claim released; a retry can start at once"))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "TransactWriteItems", "DeleteItem"])
    }

    @Test("cancelled for a validation error: DependencyFailure at once, released")
    func validationError() throws {
        let invalid: JSONValue = ["Code": "ValidationError", "Message": "An operand in the update expression has an incorrect data type"]
        let fixture = Self.fixture([.ok(), .ok(), Self.cancelled([Self.none, Self.none, invalid]), .ok()])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorMessage.hasPrefix("DynamoDB TransactWriteItems failed: TransactionCanceledException (HTTP 400)"))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "DeleteItem"])
    }

    // MARK: - Cancelled by a condition: the claim decides

    @Test("outside the token's window, the retry meets our own completion: done, not counted again, not retried")
    func completedByUsAlready() throws {
        var mine = OrderProcessorTests.completed(hash: try OrderProcessorTests.payloadHash(), owner: Fixture.requestID)
        mine.processedAt = "2026-01-01T00:00:00.000Z"
        let fixture = Self.fixture([.ok(), .ok(), .applyThenLose(.connectionReset),
                                    Self.cancelled([Self.failed(mine.item), Self.failed(Self.audited(hash: "h")), Self.none])])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response.contains(#""first_time":true"#))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "TransactWriteItems"])
        #expect(!fixture.log.contains("taken over"))
        #expect(!fixture.log.contains("audit trail"))
    }

    @Test("the claim taken over before completion: success, the new owner completes and counts; a warning names it")
    func takenOver() throws {
        let theirs = OrderProcessorTests.inProgress(owner: "req-new", leaseExpires: Fixture.start + 60_000)
        let fixture = Self.fixture([.ok(), .ok(), Self.cancelled([Self.failed(theirs.item), Self.none, Self.none])])
        #expect(try fixture.invoke(rawOrder()).get().contains(#""first_time":true"#))
        #expect(fixture.log.contains("taken over by request req-new"))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems"])
    }

    @Test("the claim item gone (no ALL_OLD item): a takeover by nobody known")
    func claimGone() throws {
        let fixture = Self.fixture([.ok(), .ok(), Self.cancelled([Self.failed(nil), Self.none, Self.none])])
        #expect(try fixture.invoke(rawOrder()).get().contains(#""first_time":true"#))
        #expect(fixture.log.contains("taken over by request ?"))
    }

    // MARK: - The audit table has the order already

    @Test("already audited with the same content (its claim expired since): the claim completes alone, not counted again")
    func alreadyAudited() throws {
        let hash = try OrderProcessorTests.payloadHash()
        let fixture = Self.fixture([.ok(), .s3Error(412, "PreconditionFailed"),
                                    Self.cancelled([Self.none, Self.failed(Self.audited(hash: hash)), Self.none]), .ok()])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response.contains(#""duplicate":true"#))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "UpdateItem"])
        #expect(fixture.log.contains("Order 42 is already in the audit trail (completed by request req-0 at 2025-12-31T23:00:00.000Z)"))
        let update = try #require(fixture.body(3))
        #expect(update["ConditionExpression"]?.stringValue == "#owner = :me AND #status = :in_progress")
    }

    @Test("already audited with other content: OrderConflict, nothing counted, the claim released")
    func auditConflict() throws {
        let fixture = Self.fixture([.ok(), .s3Error(412, "PreconditionFailed"),
                                    Self.cancelled([Self.none, Self.failed(Self.audited(hash: String(repeating: "0", count: 64))), Self.none]),
                                    .ok()])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "OrderConflict")
        #expect(error.errorMessage.contains("the audit trail has it with different content (completed by request req-0"))
        #expect(error.errorMessage.contains("claim released"))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "DeleteItem"])
    }

    // MARK: - The token reused with other parameters

    @Test("IdempotentParameterMismatch: sent again under a fresh token, and the claim's condition decides")
    func tokenReusedThenClaimDecides() throws {
        var mine = OrderProcessorTests.completed(hash: try OrderProcessorTests.payloadHash(), owner: Fixture.requestID)
        mine.processedAt = "2025-12-31T23:59:00.000Z"
        let fixture = Self.fixture([.ok(), .ok(), .awsError(400, "IdempotentParameterMismatchException", "non-identical request"),
                                    Self.cancelled([Self.failed(mine.item), Self.none, Self.none])])
        #expect(try fixture.invoke(rawOrder()).get().contains(#""first_time":true"#))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "TransactWriteItems"])
        let tokens = [fixture.body(2), fixture.body(3)].map { $0?["ClientRequestToken"]?.stringValue }
        #expect(tokens[0] != nil && tokens[1] != nil && tokens[0] != tokens[1])
        #expect(tokens[1] == CompletionTransaction.clientRequestToken(orderID: "42", owner: Fixture.requestID, generation: 2))
        #expect(fixture.log.contains("ClientRequestToken used with other parameters"))
    }

    @Test("IdempotentParameterMismatch under the fresh token as well: DependencyFailure naming it, released")
    func tokenReusedTwice() throws {
        let mismatch = ScriptedService.Step.awsError(400, "IdempotentParameterMismatchException", "non-identical request")
        let fixture = Self.fixture([.ok(), .ok(), mismatch, mismatch, .ok()])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorMessage.hasPrefix("DynamoDB TransactWriteItems failed: IdempotentParameterMismatchException (HTTP 400): non-identical request [2 attempts"))
        #expect(fixture.operations == ["PutItem", "PutObject", "TransactWriteItems", "TransactWriteItems", "DeleteItem"])
    }

    // MARK: - Duplicates and the plain completion

    @Test("a duplicate is still one request: the transaction is never reached")
    func duplicateOneRequest() throws {
        let fixture = Self.fixture([refusal(OrderProcessorTests.completed(hash: try OrderProcessorTests.payloadHash()))])
        #expect(try fixture.invoke(rawOrder()).get().contains(#""duplicate":true"#))
        #expect(fixture.operations == ["PutItem"])
        #expect(fixture.metricRequests == 1)
    }

    @Test("without AUDIT_TABLE and TOTALS_TABLE the completion is the single UpdateItem")
    func withoutTables() throws {
        let fixture = Fixture([.ok(), .ok(), .ok()])
        _ = try fixture.invoke(rawOrder()).get()
        #expect(fixture.operations == ["PutItem", "PutObject", "UpdateItem"])
    }
}
