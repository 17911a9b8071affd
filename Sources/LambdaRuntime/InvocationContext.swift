import HTTP

/// What the Runtime API says about one invocation, from the headers of `/next`.
public struct InvocationContext: Sendable, Equatable {
    /// The request ID, which identifies the request that triggered the function invocation.
    public var requestID: String
    /// The date that the function times out, in Unix time milliseconds.
    public var deadlineMilliseconds: Int64
    /// The ARN of the Lambda function, version, or alias that's specified in the invocation.
    public var invokedFunctionARN: String
    /// The AWS X-Ray tracing header, when tracing is on.
    public var traceID: String?
    /// For invocations from the AWS Mobile SDK, data about the client application and device.
    public var clientContext: String?
    /// For invocations from the AWS Mobile SDK, data about the Amazon Cognito identity provider.
    public var cognitoIdentity: String?
    /// The tenant ID, for functions with tenant isolation.
    public var tenantID: String?
    /// The nonce of this delivery of the invoke (`Lambda-Runtime-Invocation-Id`, 2026): echoed on
    /// `/response` and `/error` so Lambda can refuse a timed-out invoke's late answer instead of
    /// giving it to a newer invoke of the same request ID. `nil` from older Runtime APIs.
    public var invocationID: String?

    /// Creates a context.
    public init(
        requestID: String,
        deadlineMilliseconds: Int64,
        invokedFunctionARN: String,
        traceID: String? = nil,
        clientContext: String? = nil,
        cognitoIdentity: String? = nil,
        tenantID: String? = nil,
        invocationID: String? = nil
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.tenantID = tenantID
        self.invocationID = invocationID
    }

    /// Where this invocation's answer goes: its request ID and, when `/next` gave one, its invocation ID.
    public var address: InvocationAddress {
        InvocationAddress(requestID: requestID, invocationID: invocationID)
    }

    /// Reads the context from the response headers of `GET /runtime/invocation/next`.
    ///
    /// Header dump of a real invocation, for reference:
    /// `lambda-runtime-aws-request-id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd`,
    /// `lambda-runtime-deadline-ms: 1542409706888`,
    /// `lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-2:123456789012:function:custom-runtime`,
    /// `lambda-runtime-trace-id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1`,
    /// and since 2026 `lambda-runtime-invocation-id: 0b7f5c2e-…` (a nonce per delivery).
    /// Empty optional headers count as absent: an empty header is not worth echoing, and a
    /// proxy may drop it.
    /// - Parameter headers: The response headers (names lower-cased).
    /// - Throws: ``RuntimeAPIError`` when the request ID or the deadline is missing or malformed.
    public init(headers: [HTTPHeader]) throws(RuntimeAPIError) {
        // One pass over the headers, keeping the first of each name (as `value(for:)` would), instead
        // of a case-insensitive scan of all of them per name: this runs for every invocation.
        var requestID, rawDeadline, arn, traceID, clientContext, cognitoIdentity, tenantID, invocationID: String?
        for header in headers {
            if header.hasName(AmazonHeaders.requestID) { requestID = requestID ?? header.value }
            else if header.hasName(AmazonHeaders.deadline) { rawDeadline = rawDeadline ?? header.value }
            else if header.hasName(AmazonHeaders.invokedFunctionARN) { arn = arn ?? header.value }
            else if header.hasName(AmazonHeaders.traceID) { traceID = traceID ?? header.value }
            else if header.hasName(AmazonHeaders.clientContext) { clientContext = clientContext ?? header.value }
            else if header.hasName(AmazonHeaders.cognitoIdentity) { cognitoIdentity = cognitoIdentity ?? header.value }
            else if header.hasName(AmazonHeaders.tenantID) { tenantID = tenantID ?? header.value }
            else if header.hasName(AmazonHeaders.invocationID) { invocationID = invocationID ?? header.value }
        }
        guard let requestID, !requestID.isEmpty else {
            throw RuntimeAPIError(.missingHeader(AmazonHeaders.requestID))
        }
        guard let rawDeadline else {
            throw RuntimeAPIError(.missingHeader(AmazonHeaders.deadline))
        }
        guard let deadline = Int64(rawDeadline), deadline > 0 else {
            throw RuntimeAPIError(.malformedHeader(AmazonHeaders.deadline, rawDeadline))
        }
        self.init(
            requestID: requestID,
            deadlineMilliseconds: deadline,
            invokedFunctionARN: arn ?? "",
            traceID: Self.nonEmpty(traceID),
            clientContext: clientContext,
            cognitoIdentity: cognitoIdentity,
            tenantID: Self.nonEmpty(tenantID),
            invocationID: Self.nonEmpty(invocationID)
        )
    }

    private static func nonEmpty(_ value: String?) -> String? {
        value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Milliseconds left before the deadline (negative once it has passed; 0 is a real value, not "unknown").
    /// - Parameter nowMilliseconds: The current Unix time in milliseconds.
    /// - Returns: The remaining time.
    public func remainingMilliseconds(now nowMilliseconds: Int64) -> Int64 {
        deadlineMilliseconds - nowMilliseconds
    }
}

/// Header names of the Runtime API, lower-cased as the HTTP layer delivers them.
public enum AmazonHeaders {
    public static let requestID = "lambda-runtime-aws-request-id"
    public static let deadline = "lambda-runtime-deadline-ms"
    public static let invokedFunctionARN = "lambda-runtime-invoked-function-arn"
    public static let traceID = "lambda-runtime-trace-id"
    public static let clientContext = "lambda-runtime-client-context"
    public static let cognitoIdentity = "lambda-runtime-cognito-identity"
    public static let tenantID = "lambda-runtime-aws-tenant-id"
    public static let invocationID = "lambda-runtime-invocation-id"
    /// Sent on `/response` and `/error`, as Lambda spells it.
    public static let invocationIDRequest = "Lambda-Runtime-Invocation-Id"
    public static let functionErrorType = "Lambda-Runtime-Function-Error-Type"
}

/// Where an invocation's answer goes: `/invocation/{requestID}/…`, with the invocation ID echoed as
/// a header when `/next` gave one (and none when it did not: older Runtime APIs).
public struct InvocationAddress: Sendable, Hashable, CustomStringConvertible {
    /// The request ID, the path segment of `/response` and `/error`.
    public var requestID: String
    /// The nonce of the delivery, echoed as `Lambda-Runtime-Invocation-Id`.
    public var invocationID: String?

    /// Creates an address.
    public init(requestID: String, invocationID: String? = nil) {
        self.requestID = requestID
        self.invocationID = invocationID
    }

    public var description: String {
        invocationID.map { "\(requestID) (invocation \($0))" } ?? requestID
    }
}
