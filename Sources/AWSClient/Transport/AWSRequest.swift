import HTTP

/// One AWS API call before signing.
public struct AWSRequest: Sendable {
    /// The service.
    public var service: AWSService
    /// The API operation, for errors and logs (e.g. `PutItem`).
    public var operation: String
    /// The HTTP method.
    public var method: String
    /// Where it goes (the bucket's virtual host for S3 on AWS).
    public var endpoint: ServiceEndpoint
    /// The path, already percent-encoded exactly as it is to be sent and signed.
    public var path: String
    /// The raw query string without `?`, or empty.
    public var query: String
    /// Headers to send and sign (besides `Host` and the signature headers, which are added).
    public var headers: [HTTPHeader]
    /// The body.
    public var body: [UInt8]
    /// The error answer this request expects as an ordinary outcome (a failed condition), if any:
    /// it comes back as ``AWSResponse/refused(_:)`` at once, without the retry decision.
    public var refusal: AWSRefusal?

    /// Creates a request.
    public init(service: AWSService, operation: String, method: String, endpoint: ServiceEndpoint, path: String,
                query: String = "", headers: [HTTPHeader], body: [UInt8], refusal: AWSRefusal? = nil) {
        self.service = service
        self.operation = operation
        self.method = method
        self.endpoint = endpoint
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.refusal = refusal
    }

    /// The full URL handed to libcurl: origin, the encoded path as is, and the query.
    public var url: String {
        endpoint.origin + path + (query.isEmpty ? "" : "?" + query)
    }
}

/// An error answer that is a value to the caller, not a failure: a conditional write that found
/// its condition false.
public enum AWSRefusal: Sendable, Equatable {
    /// An error code in the body, e.g. DynamoDB's `ConditionalCheckFailedException`.
    case errorCode(String)
    /// A status, e.g. S3's 412 for `If-None-Match: *` on an existing key.
    case status(Int)
    /// DynamoDB's answers to a `TransactWriteItems` that applied nothing and must not be retried as
    /// such: cancelled because a condition failed (a `ConditionalCheckFailed` reason), or its
    /// `ClientRequestToken` already used with other parameters. A transaction cancelled only by
    /// conflicts or throttling is not one of them: the retry policy handles it.
    case transactionAnswer

    /// DynamoDB's code for a token reused with other parameters.
    public static let idempotentParameterMismatchCode = "IdempotentParameterMismatchException"

    /// Whether an error response is this refusal.
    func matches(status: Int, error: AWSErrorResponse) -> Bool {
        switch self {
        case .errorCode(let expected): error.code == expected
        case .status(let expected): status == expected
        case .transactionAnswer:
            error.code == Self.idempotentParameterMismatchCode
                || (error.code == FailureKind.transactionCanceledCode
                    && CancellationReason.reasons(in: error.json)?.contains(where: \.conditionFailed) == true)
        }
    }
}
