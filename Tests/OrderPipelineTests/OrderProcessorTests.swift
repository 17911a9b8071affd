import AWSClient
import Essentials
import Hashing
import HTTP
import JSON
import LambdaRuntime
import Testing
import TransportDoubles
@testable import OrderPipeline

/// The exactly-once protocol, step by step, through the real clients over a scripted transport:
/// every branch of the claim, the write and the completion, and the release after a failure.
@Suite("OrderProcessor")
struct OrderProcessorTests {
    typealias Fixture = PipelineFixture

    static func payloadHash(_ event: String = rawOrder()) throws -> String {
        guard case .single(let order) = try EnvelopeNormalizer.normalize(Array(event.utf8)) else { throw TestFailure() }
        return SHA256.hash(order.canonicalOrder.canonicalSerializedBytes()).hexEncodedString
    }
    struct TestFailure: Error {}

    static func completed(hash: String, owner: String = "req-0", result: String? = #"{"ok":true}"#,
                          processedAt: String = "2025-12-31T23:00:00.000Z") -> ClaimRecord {
        var record = ClaimRecord(orderID: "42", status: .completed, owner: owner, payloadHash: hash)
        record.processedAt = processedAt
        record.s3Key = "raw/events/42.json"
        record.result = result
        return record
    }

    static func inProgress(owner: String, leaseExpires: Int64) -> ClaimRecord {
        ClaimRecord(orderID: "42", status: .inProgress, owner: owner, leaseExpiresMilliseconds: leaseExpires)
    }

    // MARK: - First time

    @Test("a new order: claim, write, complete (3 requests), the first-time answer, and the EMF count")
    func firstTime() throws {
        let fixture = Fixture([.ok(), .ok(), .ok()])
        let response = try fixture.invoke(rawOrder(), timeLeft: 10_000).get()
        #expect(response == #"{"ok":true,"order_id":"42","first_time":true,"s3_key":"raw/events/42.json","processed_at":"2026-01-01T00:00:00.000Z"}"#)
        #expect(fixture.operations == ["PutItem", "PutObject", "UpdateItem"])
        #expect(fixture.metricRequests == 3)
        let claim = try #require(fixture.body(0))
        #expect(claim["Item"]?["status"]?["S"]?.stringValue == "IN_PROGRESS")
        #expect(claim["Item"]?["owner"]?["S"]?.stringValue == Fixture.requestID)
        #expect(claim["Item"]?["lease_expires_ms"]?["N"]?.stringValue == String(Fixture.start + 10_000))
        #expect(claim["Item"]?["payload_hash"]?["S"]?.stringValue == (try Self.payloadHash()))
        let completion = try #require(fixture.body(2))
        #expect(completion[ "ExpressionAttributeValues"]?[":result"]?["S"]?.stringValue == response, "the stored result is the answer")
        let object = try #require(fixture.script.requests.dropFirst().first)
        #expect(object.url == "https://orders.s3.eu-west-1.amazonaws.com/raw/events/42.json")
        #expect(fixture.log.contains("Processed order 42 at price 10.5"))
    }

    // MARK: - Claim refused

    @Test("a completed order with the same content: duplicate after one request, the stored answer's facts")
    func duplicate() throws {
        let fixture = Fixture([refusal(Self.completed(hash: try Self.payloadHash()))])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response == #"{"ok":true,"duplicate":true,"order_id":"42","s3_key":"raw/events/42.json","processed_at":"2025-12-31T23:00:00.000Z"}"#)
        #expect(fixture.operations == ["PutItem"])
        #expect(fixture.metricRequests == 1)
    }

    @Test("a completed order with other content: OrderConflict, S3 untouched")
    func conflict() throws {
        let fixture = Fixture([refusal(Self.completed(hash: String(repeating: "0", count: 64)))])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "OrderConflict")
        #expect(error.errorMessage.contains("processed before with different content"))
        #expect(fixture.operations == ["PutItem"])
    }

    @Test("a claim item with an unknown status: OrderConflict naming it")
    func unknownStatus() throws {
        var record = ClaimRecord(orderID: "42", status: nil, owner: "x")
        record.rawStatus = "ARCHIVED"
        let fixture = Fixture([refusal(record)])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "OrderConflict")
        #expect(error.errorMessage.contains(#"unknown status "ARCHIVED""#))
    }

    @Test("another request holds a live claim: OrderInProgress with the holder and the lease's end")
    func heldByAnother() throws {
        let fixture = Fixture([refusal(Self.inProgress(owner: "req-other", leaseExpires: Fixture.start + 60_000))])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "OrderInProgress")
        #expect(error.errorMessage.contains("request req-other (claim held until 2026-01-01T00:01:00.000Z)"))
        #expect(fixture.operations == ["PutItem"])
    }

    @Test("our own claim from an earlier delivery: resumed, written and completed")
    func resumeOwnClaim() throws {
        let fixture = Fixture([refusal(Self.inProgress(owner: Fixture.requestID, leaseExpires: Fixture.start + 60_000)), .ok(), .ok()])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response.contains(#""first_time":true"#))
        #expect(fixture.operations == ["PutItem", "PutObject", "UpdateItem"])
        #expect(fixture.log.contains("Resuming own claim on order 42"))
    }

    @Test("a claim whose blocker lapsed meanwhile is tried again, and then succeeds")
    func claimAgain() throws {
        let fixture = Fixture([refusal(Self.inProgress(owner: "req-other", leaseExpires: Fixture.start - 1)), .ok(), .ok(), .ok()])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response.contains(#""first_time":true"#))
        #expect(fixture.operations == ["PutItem", "PutItem", "PutObject", "UpdateItem"])
    }

    @Test("a claim that keeps changing: OrderInProgress after three tries")
    func claimKeepsChanging() throws {
        let gone = ScriptedService.Step.awsError(400, "ConditionalCheckFailedException")  // no Item: deleted meanwhile
        let fixture = Fixture([gone, gone, gone])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "OrderInProgress")
        #expect(error.errorMessage.contains("kept changing during 3 attempts"))
        #expect(fixture.operations == ["PutItem", "PutItem", "PutItem"])
    }

    // MARK: - Claim failed

    @Test("a claim refused for a reason that applied nothing: DependencyFailure, nothing to release")
    func claimRejected() throws {
        let fixture = Fixture([.awsError(400, "ResourceNotFoundException", "table not found")])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "DependencyFailure")
        #expect(error.errorMessage.hasSuffix(#"(order "42": nothing was claimed)"#))
        #expect(fixture.operations == ["PutItem"])
    }

    @Test("a claim whose answers were lost may have been applied: it is released")
    func claimLostThenReleased() throws {
        let fixture = Fixture([.applyThenLose(.connectionReset), .applyThenLose(.connectionReset), .ok()], maxAttempts: 2)
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "DependencyFailure")
        #expect(error.errorMessage.contains("claim released; a retry can start at once"))
        #expect(fixture.operations == ["PutItem", "PutItem", "DeleteItem"])
        let release = try #require(fixture.body(2))
        #expect(release["ConditionExpression"]?.stringValue == "#owner = :me AND #status = :in_progress")
    }

    // MARK: - Write

    @Test("412 on the write: an earlier run wrote it; completed as a duplicate with what the claim replaced")
    func writeFinds412AfterExpiredCompletion() throws {
        var replaced = Self.completed(hash: try Self.payloadHash(), result: #"{"earlier":true}"#)
        replaced.expiryTimeSeconds = Fixture.start / 1_000 - 1
        let fixture = Fixture([.ok(#"{"Attributes":\#(replaced.item.json.serialized())}"#), .s3Error(412, "PreconditionFailed"), .ok()])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response == #"{"ok":true,"duplicate":true,"order_id":"42","s3_key":"raw/events/42.json","processed_at":"2025-12-31T23:00:00.000Z"}"#)
        let completion = try #require(fixture.body(2))
        #expect(completion["ExpressionAttributeValues"]?[":result"]?["S"]?.stringValue == #"{"earlier":true}"#)
        #expect(fixture.log.contains("already existed"))
    }

    @Test("412 on the write with nothing replaced (a crash before completing): duplicate without a date")
    func writeFinds412AfterCrash() throws {
        let fixture = Fixture([.ok(), .s3Error(412, "PreconditionFailed"), .ok()])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response == #"{"ok":true,"duplicate":true,"order_id":"42","s3_key":"raw/events/42.json"}"#)
        #expect(fixture.operations == ["PutItem", "PutObject", "UpdateItem"])
    }

    @Test("a write that keeps failing: the claim is released, DependencyFailure says so")
    func writeFailsReleased() throws {
        let fixture = Fixture([.ok(), .s3Error(500, "InternalError"), .s3Error(500, "InternalError"), .s3Error(500, "InternalError"), .ok()])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorType == "DependencyFailure")
        #expect(error.errorMessage.hasPrefix("S3 PutObject failed: InternalError (HTTP 500)"))
        #expect(error.errorMessage.contains("claim released"))
        #expect(fixture.operations == ["PutItem", "PutObject", "PutObject", "PutObject", "DeleteItem"])
    }

    @Test("a failed write whose claim is no longer ours: nothing to release")
    func writeFailsNothingToRelease() throws {
        let fixture = Fixture([.ok(), .s3Error(403, "AccessDenied"), .awsError(400, "ConditionalCheckFailedException")])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorMessage.contains("no claim of ours to release"))
    }

    @Test("a failed write whose release fails too: the claim lapses at the deadline, and the log says why")
    func releaseFails() throws {
        let fixture = Fixture([.ok(), .s3Error(403, "AccessDenied"), .awsError(400, "ValidationException")])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorMessage.contains("claim not released; if it was written, it lapses at this invocation's deadline"))
        #expect(fixture.log.contains("Could not release claim on order 42"))
    }

    @Test("the release has its own budget: the margin less the time to post the error")
    func releaseBudget() throws {
        let fixture = Fixture([.ok(), .s3Error(403, "AccessDenied"), .ok()])
        _ = fixture.invoke(rawOrder(), timeLeft: 2_000)
        let release = try #require(fixture.script.requests.last)
        #expect(release.timeouts.totalMilliseconds == 1_900, "2 s left, 100 ms kept for posting the error")
        let write = try #require(fixture.script.requests.dropFirst().first)
        #expect(write.timeouts.totalMilliseconds == 1_500, "2 s left less the 500 ms margin")
    }

    // MARK: - Complete

    @Test("completion finds its own earlier completion (a lost answer): success")
    func completedByUsAlready() throws {
        var mine = Self.completed(hash: try Self.payloadHash(), owner: Fixture.requestID)
        mine.processedAt = "2026-01-01T00:00:00.000Z"
        let fixture = Fixture([.ok(), .ok(), .applyThenLose(.connectionReset), refusal(mine)])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response.contains(#""first_time":true"#))
        #expect(!fixture.log.contains("taken over"))
    }

    @Test("completion finds the claim taken over: success, with a warning naming the new owner")
    func takenOver() throws {
        let fixture = Fixture([.ok(), .ok(), refusal(Self.inProgress(owner: "req-new", leaseExpires: Fixture.start + 60_000))])
        let response = try fixture.invoke(rawOrder()).get()
        #expect(response.contains(#""first_time":true"#))
        #expect(fixture.log.contains("taken over by request req-new"))
    }

    @Test("a completion that fails: released, DependencyFailure")
    func completionFails() throws {
        let fixture = Fixture([.ok(), .ok(), .awsError(400, "ValidationException", "bad"), .ok()])
        let error = try #require(fixture.invoke(rawOrder()).failure)
        #expect(error.errorMessage.hasPrefix("DynamoDB UpdateItem failed: ValidationException"))
        #expect(fixture.operations == ["PutItem", "PutObject", "UpdateItem", "DeleteItem"])
    }

    // MARK: - Deadline

    @Test("a deadline already passed: no AWS request, nothing claimed, DependencyFailure saying so")
    func deadlinePassed() throws {
        let fixture = Fixture([.ok(), .ok(), .ok()])
        let error = try #require(fixture.invoke(rawOrder(), timeLeft: -250).failure)
        #expect(error.errorType == "DependencyFailure")
        #expect(error.errorMessage == #"order "42" not started: the invocation deadline passed 250 ms ago; no AWS request was sent and nothing was claimed"#)
        #expect(fixture.script.requests.isEmpty)
        #expect(fixture.metricRequests == 0)
    }

    @Test("less than the margin left: no AWS request either")
    func withinMargin() throws {
        let fixture = Fixture([.ok(), .ok(), .ok()])
        let error = try #require(fixture.invoke(rawOrder(), timeLeft: 300).failure)
        #expect(error.errorMessage.contains("only 300 ms were left before the invocation deadline, within the 500 ms margin"))
        #expect(fixture.script.requests.isEmpty)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
