import Essentials
import HTTP
import JSON
import Testing
import TransportDoubles
@testable import AWSClient

/// `TransactWriteItems` over the scripted transport: the request, the token reused by retries, the
/// cancellation reasons as values, and which cancellations the retry policy retries.
@Suite("DynamoDB TransactWriteItems")
struct TransactWriteItemsTests {
    typealias Fixture = AWSRequestSenderTests.Fixture

    static let actions: [JSONValue] = [
        ["Update": ["TableName": "claims", "Key": ["order_id": ["S": "1"]], "UpdateExpression": "SET #s = :c"]],
        ["Put": ["TableName": "audit", "Item": ["order_id": ["S": "1"]], "ConditionExpression": "attribute_not_exists(order_id)"]],
    ]

    /// A `TransactionCanceledException` as DynamoDB (and moto) send it.
    static func cancelled(_ reasons: String) -> ScriptedService.Step {
        .respond(HTTPResponse(status: 400, headers: [HTTPHeader("x-amzn-requestid", "RID")], body: Array("""
            {"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",\
            "Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [...]",\
            "CancellationReasons":\(reasons)}
            """.utf8)))
    }

    static let conditionFailedOnClaim = cancelled(#"""
        [{"Code":"ConditionalCheckFailed","Message":"The conditional request failed",
          "Item":{"order_id":{"S":"1"},"status":{"S":"COMPLETED"},"owner":{"S":"req-1"}}},{"Code":"None"}]
        """#)

    @Test("the request: the operation's target, the actions in order, and the token")
    func request() throws {
        let fixture = Fixture([.ok("{}")])
        let outcome = try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "tok-1", fixture.call())
        #expect(outcome == .applied)
        let sent = try #require(fixture.script.requests.first)
        #expect(sent.headers.value(for: "x-amz-target") == "DynamoDB_20120810.TransactWriteItems")
        let body = try JSONValue.parse(sent.body)
        #expect(body["ClientRequestToken"]?.stringValue == "tok-1")
        #expect(body["TransactItems"] == .array(Self.actions))
    }

    @Test("a failed condition: the reasons, in action order, with the ALL_OLD item; never retried")
    func conditionFailed() throws {
        let fixture = Fixture([Self.conditionFailedOnClaim, .ok()])
        let outcome = try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "t", fixture.call())
        #expect(outcome == .cancelled([
            CancellationReason(code: "ConditionalCheckFailed", message: "The conditional request failed",
                               item: ["order_id": .string("1"), "status": .string("COMPLETED"), "owner": .string("req-1")]),
            CancellationReason(code: "None"),
        ]))
        #expect(fixture.script.requests.count == 1)
    }

    @Test("a lost answer is retried with the same body, token included")
    func retrySendsSameToken() throws {
        let fixture = Fixture([.applyThenLose(.connectionReset), .ok()])
        #expect(try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "same", fixture.call()) == .applied)
        let requests = fixture.script.requests
        #expect(requests.count == 2)
        #expect(requests[0].body == requests[1].body)
    }

    @Test("cancelled by a conflict alone (no failed condition): retried by the policy, then applied")
    func conflictRetried() throws {
        let fixture = Fixture([Self.cancelled(#"[{"Code":"None"},{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}]"#), .ok()])
        #expect(try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "t", fixture.call()) == .applied)
        #expect(fixture.script.requests.count == 2)
    }

    @Test("cancelled by throttling: retried with the throttling backoff until the attempts run out")
    func throttlingRetried() throws {
        let throttled = Self.cancelled(#"[{"Code":"ThrottlingError","Message":"Throughput exceeds the current capacity"},{"Code":"None"}]"#)
        let fixture = Fixture([throttled, throttled, throttled], maxAttempts: 3)
        #expect {
            _ = try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "t", fixture.call())
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.code == "TransactionCanceledException" && error.attempts == 3 && error.giveUpReason == .attemptsExhausted
        }
        // Throttling waits on a 1 s base (half of it with the fixture's jitter of 0.5): 500 ms, then 1 s.
        #expect(fixture.clock.now - AWSRequestSenderTests.start == 1_500)
    }

    @Test("cancelled by a validation error: final at once, with AWS's message")
    func validationFinal() throws {
        let fixture = Fixture([Self.cancelled(#"[{"Code":"None"},{"Code":"ValidationError","Message":"bad number"}]"#), .ok()])
        #expect {
            _ = try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "t", fixture.call())
        } throws: { error in
            (error as? AWSError)?.code == "TransactionCanceledException" && (error as? AWSError)?.attempts == 1
        }
    }

    @Test("the token used before with other parameters: an answer, not retried")
    func tokenReused() throws {
        let fixture = Fixture([.awsError(400, "IdempotentParameterMismatchException", "non-identical request"), .ok()])
        let outcome = try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "t", fixture.call())
        #expect(outcome == .tokenReused(message: "non-identical request"))
        #expect(fixture.script.requests.count == 1)
    }

    @Test("a token still in flight (TransactionInProgressException) is waited for and retried")
    func inProgressRetried() throws {
        let fixture = Fixture([.awsError(400, "TransactionInProgressException", "in progress"), .ok()])
        #expect(try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: "t", fixture.call()) == .applied)
        #expect(fixture.script.requests.count == 2)
    }

    @Test("a token outside DynamoDB's 1 to 36 characters is refused before anything is sent", arguments: ["", String(repeating: "a", count: 37)])
    func tokenLength(_ token: String) {
        let fixture = Fixture([.ok()])
        #expect {
            _ = try DynamoDBClient(sender: fixture.sender).transactWriteItems(Self.actions, clientRequestToken: token, fixture.call())
        } throws: { error in
            guard let error = error as? AWSError, case .configuration(let detail) = error.kind else { return false }
            return detail.contains("found \(token.unicodeScalars.count)")
        }
        #expect(fixture.script.requests.isEmpty)
    }
}

@Suite("CancellationReason")
struct CancellationReasonTests {
    @Test("reasons read from the error body: code, message and item; a reason without a code is None")
    func parse() throws {
        let body = try JSONValue.parse(Array(#"""
            {"__type":"x#TransactionCanceledException","CancellationReasons":[
              {"Code":"None"},
              {"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"order_id":{"S":"7"},"price":{"N":"19.99"}}},
              {}]}
            """#.utf8))
        let reasons = try #require(CancellationReason.reasons(in: body))
        #expect(reasons == [
            CancellationReason(code: "None"),
            CancellationReason(code: "ConditionalCheckFailed", message: "The conditional request failed",
                               item: ["order_id": .string("7"), "price": .number("19.99")]),
            CancellationReason(code: "None"),
        ])
        #expect(reasons.map(\.conditionFailed) == [false, true, false])
    }

    @Test("a body without a list of reasons has none")
    func noReasons() throws {
        #expect(CancellationReason.reasons(in: nil) == nil)
        #expect(CancellationReason.reasons(in: ["CancellationReasons": "not a list"]) == nil)
    }

    @Test("how a cancellation without a failed condition is retried", arguments: [
        (["None", "TransactionConflict"], FailureKind.transient),
        (["ThrottlingError", "TransactionConflict"], .throttling),
        (["ProvisionedThroughputExceeded", "None"], .throttling),
        (["TransactionConflict", "ValidationError"], .permanent),
        (["ItemCollectionSizeLimitExceeded"], .permanent),
        (["None", "None"], .permanent),
    ])
    func failureKind(_ codes: [String], _ expected: FailureKind) {
        #expect(CancellationReason.failureKind(of: codes.map { CancellationReason(code: $0) }) == expected)
    }

    @Test("the retry classification reads the reasons, not the message")
    func classifyByReasons() {
        let misleading = "Transaction cancelled [TransactionConflict]"
        let validation: JSONValue = ["CancellationReasons": [["Code": "ValidationError"]]]
        #expect(FailureKind.classify(status: 400, code: "TransactionCanceledException", message: misleading, details: validation) == .permanent)
        let conflict: JSONValue = ["CancellationReasons": [["Code": "TransactionConflict"]]]
        #expect(FailureKind.classify(status: 400, code: "TransactionCanceledException", message: "", details: conflict) == .transient)
        #expect(FailureKind.classify(status: 400, code: "TransactionCanceledException", message: misleading) == .permanent)
    }

    @Test("a transaction's answers: a failed condition or a reused token match; a conflict alone does not")
    func refusalMatches() throws {
        func error(_ body: String) throws -> AWSErrorResponse {
            AWSErrorResponse(HTTPResponse(status: 400, headers: [], body: Array(body.utf8)))
        }
        let refusal = AWSRefusal.transactionAnswer
        #expect(refusal.matches(status: 400, error: try error(#"{"__type":"x#TransactionCanceledException","CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed"}]}"#)))
        #expect(!refusal.matches(status: 400, error: try error(#"{"__type":"x#TransactionCanceledException","CancellationReasons":[{"Code":"TransactionConflict"}]}"#)))
        #expect(refusal.matches(status: 400, error: try error(#"{"__type":"x#IdempotentParameterMismatchException","message":"m"}"#)))
        #expect(!refusal.matches(status: 400, error: try error(#"{"__type":"x#ConditionalCheckFailedException"}"#)))
    }
}
