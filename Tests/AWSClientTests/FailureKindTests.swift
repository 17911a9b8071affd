@testable import AWSClient
import Testing

@Suite("FailureKind")
struct FailureKindTests {
    @Test("throttling codes are throttling whatever the status", arguments: [
        (400, "ProvisionedThroughputExceededException"), (400, "ThrottlingException"), (400, "RequestLimitExceeded"),
        (503, "SlowDown"), (400, "TooManyRequestsException"), (400, "Throttling"), (400, "TransactionInProgressException"),
        (400, "LimitExceededException"), (400, "RequestThrottledException"),
    ])
    func throttlingCodes(_ status: Int, _ code: String) {
        #expect(FailureKind.classify(status: status, code: code, message: nil) == .throttling)
    }

    @Test("status 429 is throttling even without a known code", arguments: [nil, "TooManyRequests", "Whatever"] as [String?])
    func status429(_ code: String?) {
        #expect(FailureKind.classify(status: 429, code: code, message: nil) == .throttling)
    }

    @Test("server errors 500, 502, 503 and 504 are transient", arguments: [500, 502, 503, 504])
    func serverErrors(_ status: Int) {
        #expect(FailureKind.classify(status: status, code: nil, message: nil) == .transient)
        #expect(FailureKind.classify(status: status, code: "InternalError", message: "We encountered an internal error.") == .transient)
    }

    @Test("S3's 409 ConditionalRequestConflict and DynamoDB's TransactionConflictException are transient", arguments: [
        (409, "ConditionalRequestConflict"), (400, "TransactionConflictException"), (400, "RequestTimeout"),
        (500, "InternalServerError"), (503, "ServiceUnavailable"),
    ])
    func transientCodes(_ status: Int, _ code: String) {
        #expect(FailureKind.classify(status: status, code: code, message: nil) == .transient)
    }

    @Test("a clock that is off is recognised by code, or by an expired signature's message", arguments: [
        (403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."),
        (400, "InvalidSignatureException",
         "Signature expired: 20260101T000000Z is now earlier than 20261125T185500Z (20261125T190000Z - 5 min.)"),
        (400, "InvalidSignatureException",
         "Signature not yet current: 20261125T191500Z is still later than 20261125T191000Z (20261125T190500Z + 5 min.)"),
        (400, "RequestExpired", "Request has expired."),
        (400, "RequestInTheFuture", "Request is in the future"),
    ])
    func clockSkew(_ status: Int, _ code: String, _ message: String) {
        #expect(FailureKind.classify(status: status, code: code, message: message) == .clockSkew)
    }

    @Test("an invalid signature that has not expired is permanent", arguments: [
        "The request signature we calculated does not match the signature you provided.", "",
    ])
    func invalidSignature(_ message: String) {
        #expect(FailureKind.classify(status: 400, code: "InvalidSignatureException", message: message) == .permanent)
        #expect(FailureKind.classify(status: 400, code: "InvalidSignatureException", message: nil) == .permanent)
    }

    @Test("condition failures, validation, access and signature errors and preconditions are never retried", arguments: [
        (400, Optional("ConditionalCheckFailedException")), (400, "ValidationException"), (403, "AccessDenied"),
        (403, "AccessDeniedException"), (403, "SignatureDoesNotMatch"), (412, "PreconditionFailed"), (412, nil),
        (404, "NoSuchBucket"), (400, "ResourceNotFoundException"), (409, "BucketAlreadyExists"), (409, nil),
        (403, "InvalidClientTokenId"), (400, "UnrecognizedClientException"), (404, nil), (400, nil),
    ])
    func permanent(_ status: Int, _ code: String?) {
        #expect(FailureKind.classify(status: status, code: code, message: "irrelevant") == .permanent)
    }
}
