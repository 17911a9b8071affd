/// The SDKs' retry quota: a token bucket that stops retries when a dependency keeps failing, so a
/// struggling service is not hammered by every invocation at once.
///
/// Numbers from the AWS SDKs' standard mode ("Retry Behavior 2.1"): 500 tokens; a retry costs 14,
/// a retry after throttling 5; a success refunds what its retries took, or adds 1 when none were needed.
public struct RetryQuota: Sendable, Equatable {
    /// The bucket's size.
    public let capacity: Int
    /// Tokens left.
    public private(set) var available: Int
    /// Cost of a retry after a transient failure or a timeout.
    public let retryCost: Int
    /// Cost of a retry after throttling.
    public let throttlingRetryCost: Int

    /// Creates a full bucket.
    public init(capacity: Int = 500, retryCost: Int = 14, throttlingRetryCost: Int = 5) {
        self.capacity = capacity
        self.available = capacity
        self.retryCost = retryCost
        self.throttlingRetryCost = throttlingRetryCost
    }

    /// Takes the tokens for one retry.
    /// - Parameter kind: Why the attempt failed.
    /// - Returns: The tokens taken, or `nil` when the bucket cannot pay (do not retry).
    public mutating func acquire(for kind: FailureKind) -> Int? {
        let cost = kind == .throttling ? throttlingRetryCost : retryCost
        guard available >= cost else { return nil }
        available -= cost
        return cost
    }

    /// Records a successful request.
    /// - Parameter paidForRetries: What the request's retries took (0 when it succeeded first time).
    public mutating func recordSuccess(paidForRetries: Int) {
        available = min(capacity, available + (paidForRetries > 0 ? paidForRetries : 1))
    }
}
