import JSON

/// How a failed attempt counts for retrying, as the AWS SDKs' standard retry mode sorts errors.
public enum FailureKind: Sendable, Equatable {
    /// The service asked us to slow down (`ThrottlingException`, `SlowDown`, 429 …): long backoff.
    case throttling
    /// A server-side or transient failure (500/502/503/504, S3 409 `ConditionalRequestConflict`,
    /// `TransactionConflictException`) or a broken connection.
    case transient
    /// The attempt ran out of time before an answer came.
    case timeout
    /// The signature was rejected because our clock is off; fixed by correcting the clock once.
    case clockSkew
    /// Anything else: conditional check failures, validation, access denied. Never retried.
    case permanent

    /// Error codes the SDKs treat as throttling.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Error codes that are transient whatever their status.
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalServerError",
        "InternalFailure", "ServiceUnavailable", "TransactionConflictException", "ConditionalRequestConflict",
    ]

    /// DynamoDB's cancelled transaction: its kind depends on the reasons it lists.
    static let transactionCanceledCode = "TransactionCanceledException"

    /// Error codes that mean "your clock is off".
    static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
    ]

    /// How JSON-protocol services (DynamoDB, Kinesis …) word an `InvalidSignatureException` caused by
    /// the clock: our clock behind theirs ("Signature expired: … is now earlier than …") or ahead
    /// ("Signature not yet current: … is still later than …").
    static let clockSkewSignatureMessages = ["Signature expired", "Signature not yet current"]

    /// Sorts an AWS answer.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - code: The AWS error code, if the body or headers named one.
    ///   - message: The AWS error message (a signature refused for its time is only recognisable by it).
    ///   - details: The parsed error body: a cancelled DynamoDB transaction is sorted by its
    ///     `CancellationReasons` (conflicts and throttling are retried, anything else is final).
    /// - Returns: How to treat the failure.
    public static func classify(status: Int, code: String?, message: String?, details: JSONValue? = nil) -> FailureKind {
        if code == transactionCanceledCode {
            return CancellationReason.reasons(in: details).map(CancellationReason.failureKind(of:)) ?? .permanent
        }
        if let code {
            if clockSkewCodes.contains(code) { return .clockSkew }
            if code == "InvalidSignatureException", let message,
               clockSkewSignatureMessages.contains(where: { message.contains($0) }) { return .clockSkew }
            if throttlingCodes.contains(code) { return .throttling }
            if transientCodes.contains(code) { return .transient }
        }
        switch status {
        case 429: return .throttling
        case 500, 502, 503, 504: return .transient
        default: return .permanent
        }
    }
}
