import Essentials
import HTTP
import JSON
import Testing
@testable import AWSClient

/// DynamoDB's JSON protocol and S3's PutObject over the scripted transport.
@Suite("DynamoDBClient and S3Client")
struct ServiceClientTests {
    typealias Fixture = AWSRequestSenderTests.Fixture

    @Test("a conditional call that holds: the target header, the JSON body, the response document")
    func conditionalApplied() throws {
        let fixture = Fixture([.ok(#"{"Attributes":{"order_id":{"S":"1"}}}"#)])
        let outcome = try DynamoDBClient(sender: fixture.sender).conditionalCall("PutItem", ["TableName": "t"], fixture.call())
        #expect(outcome == .applied(["Attributes": ["order_id": ["S": "1"]]]))
        let sent = try #require(fixture.script.requests.first)
        #expect(sent.headers.value(for: "x-amz-target") == "DynamoDB_20120810.PutItem")
        #expect(sent.headers.value(for: "content-type") == "application/x-amz-json-1.0")
        #expect(sent.body == Array(#"{"TableName":"t"}"#.utf8))
    }

    @Test("an empty 200 body reads as {}")
    func emptyBody() throws {
        let fixture = Fixture([.ok("")])
        #expect(try DynamoDBClient(sender: fixture.sender).conditionalCall("DeleteItem", [:], fixture.call()) == .applied([:]))
    }

    @Test("a failed condition is an answer carrying the item that blocked it")
    func conditionFailed() throws {
        let fixture = Fixture([.awsError(400, "ConditionalCheckFailedException", extra: #","Item":{"order_id":{"S":"1"}}"#)])
        let outcome = try DynamoDBClient(sender: fixture.sender).conditionalCall("PutItem", [:], fixture.call())
        #expect(outcome == .conditionFailed(item: ["order_id": ["S": "1"]]))
    }

    @Test("a 200 that is not JSON is an unreadable response with the request ID")
    func unreadable() {
        let fixture = Fixture([.respond(HTTPResponse(status: 200, headers: [HTTPHeader("x-amzn-requestid", "RID")], body: Array("<html>".utf8)))])
        #expect {
            _ = try DynamoDBClient(sender: fixture.sender).conditionalCall("PutItem", [:], fixture.call())
        } throws: { error in
            guard let error = error as? AWSError, case .unreadableResponse = error.kind else { return false }
            return error.requestID == "RID"
        }
    }

    @Test("PutObject with If-None-Match: created with its ETag and version")
    func putCreated() throws {
        let fixture = Fixture([.respond(HTTPResponse(status: 200, headers: [HTTPHeader("etag", "\"abc\""), HTTPHeader("x-amz-version-id", "v1")], body: []))])
        let outcome = try S3Client(sender: fixture.sender).putObject(bucket: "orders", key: "raw/a b.json", body: Array("{}".utf8),
                                                                     contentType: "application/json", onlyIfAbsent: true, fixture.call())
        #expect(outcome == .created(eTag: "\"abc\"", versionID: "v1"))
        let sent = try #require(fixture.script.requests.first)
        #expect(sent.method == "PUT")
        #expect(sent.url == "https://orders.s3.eu-west-1.amazonaws.com/raw/a%20b.json")
        #expect(sent.headers.value(for: "if-none-match") == "*")
        #expect(sent.headers.value(for: "x-amz-content-sha256") == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    }

    @Test("a 412 on a put that is only if absent: the object already exists, no retry")
    func putAlreadyExists() throws {
        let fixture = Fixture([.s3Error(412, "PreconditionFailed")])
        let outcome = try S3Client(sender: fixture.sender).putObject(bucket: "orders", key: "k", body: [], contentType: "application/json",
                                                                     onlyIfAbsent: true, fixture.call())
        #expect(outcome == .alreadyExists)
        #expect(fixture.script.requests.count == 1)
    }

    @Test("a lost answer to a put, then 412 on the retry: our own write is already there")
    func lostPutThen412() throws {
        let fixture = Fixture([.applyThenLose(.connectionReset), .s3Error(412, "PreconditionFailed")])
        let outcome = try S3Client(sender: fixture.sender).putObject(bucket: "orders", key: "k", body: [], contentType: "application/json",
                                                                     onlyIfAbsent: true, fixture.call())
        #expect(outcome == .alreadyExists)
        #expect(fixture.script.applied == 2)
    }

    @Test("a 412 on an unconditional put is an error")
    func unconditional412() {
        let fixture = Fixture([.s3Error(412, "PreconditionFailed")])
        #expect(throws: AWSError.self) {
            _ = try S3Client(sender: fixture.sender).putObject(bucket: "orders", key: "k", body: [], contentType: "application/json",
                                                               onlyIfAbsent: false, fixture.call())
        }
    }

    @Test("buckets with dots and endpoint overrides use path-style URLs")
    func pathStyle() {
        let fixture = Fixture([])
        let s3 = S3Client(sender: fixture.sender)
        let (endpoint, path) = s3.location(bucket: "my.orders", key: "raw/1.json")
        #expect(endpoint.host == "s3.eu-west-1.amazonaws.com")
        #expect(path == "/my.orders/raw/1.json")
    }
}
