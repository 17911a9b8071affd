@testable import AWSClient
import JSON
import Testing

@Suite("AWSError")
struct AWSErrorTests {
    @Test("the description names service, operation, code, status, message, attempts, why it gave up and the request ID")
    func fullDescription() {
        let error = AWSError(service: .dynamoDB, operation: "PutItem",
                             kind: .service(status: 400, code: "ProvisionedThroughputExceededException",
                                            message: "The level of configured provisioned throughput for the table was exceeded."),
                             attempts: 4, requestID: "7Q3ABC", giveUpReason: .attemptsExhausted)
        #expect(error.description == """
            DynamoDB PutItem failed: ProvisionedThroughputExceededException (HTTP 400): The level of configured provisioned \
            throughput for the table was exceeded. [4 attempts, retries exhausted, AWS request ID 7Q3ABC]
            """)
    }

    @Test("each give-up reason is spelled out", arguments: [
        (GiveUpReason.attemptsExhausted, "retries exhausted"), (.quotaExhausted, "retry quota exhausted"),
        (.deadline, "no time left before the invocation deadline"),
    ])
    func giveUpReasons(_ reason: GiveUpReason, _ words: String) {
        let error = AWSError(service: .s3, operation: "PutObject", kind: .service(status: 503, code: "SlowDown", message: "Please reduce your request rate."),
                             attempts: 2, requestID: "4442587FB7D0A2F9", giveUpReason: reason)
        #expect(error.description
            == "S3 PutObject failed: SlowDown (HTTP 503): Please reduce your request rate. [2 attempts, \(words), AWS request ID 4442587FB7D0A2F9]")
    }

    @Test("a failure that was never retryable says only how many attempts, and one attempt is singular")
    func notRetryable() {
        let error = AWSError(service: .s3, operation: "PutObject", kind: .service(status: 403, code: "AccessDenied", message: "Access Denied"),
                             attempts: 1, giveUpReason: .notRetryable)
        #expect(error.description == "S3 PutObject failed: AccessDenied (HTTP 403): Access Denied [1 attempt]")
    }

    @Test("an empty message is left out")
    func emptyMessage() {
        let error = AWSError(service: .s3, operation: "PutObject", kind: .service(status: 412, code: "PreconditionFailed", message: ""))
        #expect(error.description == "S3 PutObject failed: PreconditionFailed (HTTP 412) [1 attempt]")
    }

    @Test("failures without an AWS answer say what went wrong", arguments: [
        (AWSError.Kind.transport("Couldn't connect to server (curl error 7)"), "connection error: Couldn't connect to server (curl error 7)"),
        (.credentials("no AWS credentials found"), "no credentials: no AWS credentials found"),
        (.configuration("AWS_ENDPOINT_URL_S3 is not http(s)://host[:port]"), "configuration error: AWS_ENDPOINT_URL_S3 is not http(s)://host[:port]"),
        (.unreadableResponse("invalid JSON at byte 0"), "unreadable response: invalid JSON at byte 0"),
        (.certificateRejected("TLS certificate verification failed: SSL certificate problem: certificate has expired (curl error 60)"),
         "TLS certificate verification failed: SSL certificate problem: certificate has expired (curl error 60)"),
    ])
    func withoutAnswer(_ kind: AWSError.Kind, _ words: String) {
        let error = AWSError(service: .dynamoDB, operation: "UpdateItem", kind: kind, attempts: 3, giveUpReason: .attemptsExhausted)
        #expect(error.description == "DynamoDB UpdateItem failed: \(words) [3 attempts, retries exhausted]")
        #expect(error.code == nil)
        #expect(error.status == nil)
    }

    @Test("code and status are those of the AWS answer")
    func codeAndStatus() {
        let error = AWSError(service: .dynamoDB, operation: "PutItem",
                             kind: .service(status: 400, code: "ConditionalCheckFailedException", message: "The conditional request failed"),
                             details: ["Item": ["order_id": ["S": "123"]]])
        #expect(error.code == "ConditionalCheckFailedException")
        #expect(error.status == 400)
        #expect(error.details?["Item"]?["order_id"] == ["S": "123"])
    }

    @Test("only a lost or failed-on-the-server answer may hide an applied write", arguments: [
        (AWSError.Kind.transport("Connection reset by peer (curl error 56)"), true),
        (.service(status: 500, code: "InternalServerError", message: ""), true),
        (.service(status: 503, code: "ServiceUnavailable", message: ""), true),
        (.unreadableResponse("invalid JSON at byte 0"), true),
        (.certificateRejected("TLS certificate verification failed: host name mismatch"), false),
        (.service(status: 400, code: "ThrottlingException", message: ""), false),
        (.service(status: 400, code: "ValidationException", message: ""), false),
        (.service(status: 403, code: "SignatureDoesNotMatch", message: ""), false),
        (.credentials("no AWS credentials found"), false),
        (.configuration("bad endpoint"), false),
    ])
    func mayHaveBeenApplied(_ kind: AWSError.Kind, _ expected: Bool) {
        #expect(AWSError(service: .dynamoDB, operation: "PutItem", kind: kind).mayHaveBeenApplied == expected)
    }
}
