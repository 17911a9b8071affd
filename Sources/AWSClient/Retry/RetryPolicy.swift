/// What to do after a failed attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Wait this long, then try again.
    case retry(afterMilliseconds: Int64)
    /// Stop and report the failure.
    case giveUp(GiveUpReason)
}

/// Why no further attempt is made.
public enum GiveUpReason: Sendable, Equatable {
    /// The failure is not one that a retry can fix.
    case notRetryable
    /// Every allowed attempt was made.
    case attemptsExhausted
    /// The retry quota is empty: the dependency has been failing.
    case quotaExhausted
    /// Another attempt could not finish before the invocation's deadline (minus the safety margin).
    case deadline

    /// Words for the error message.
    public var explanation: String {
        switch self {
        case .notRetryable: "not retryable"
        case .attemptsExhausted: "retries exhausted"
        case .quotaExhausted: "retry quota exhausted"
        case .deadline: "no time left before the invocation deadline"
        }
    }
}

/// The AWS SDKs' standard retry mode as a pure decision: exponential backoff with full jitter,
/// a cap on attempts, the retry quota, and never an attempt that would outlive the invocation.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first one included (DynamoDB 4, others 3).
    public var maxAttempts: Int
    /// Base delay after a transient failure (DynamoDB 25 ms, others 50 ms).
    public var baseDelayMilliseconds: Int64
    /// Base delay after throttling (1 s).
    public var throttlingBaseDelayMilliseconds: Int64
    /// No single wait is longer than this (20 s).
    public var maxBackoffMilliseconds: Int64
    /// Time kept free before the deadline to release the claim and report the error.
    public var deadlineMarginMilliseconds: Int64
    /// A retry is only worth starting when at least this much time remains for it.
    public var minimumAttemptMilliseconds: Int64

    /// Creates a policy.
    public init(maxAttempts: Int, baseDelayMilliseconds: Int64, throttlingBaseDelayMilliseconds: Int64 = 1_000,
                maxBackoffMilliseconds: Int64 = 20_000, deadlineMarginMilliseconds: Int64 = 500,
                minimumAttemptMilliseconds: Int64 = 100) {
        self.maxAttempts = maxAttempts
        self.baseDelayMilliseconds = baseDelayMilliseconds
        self.throttlingBaseDelayMilliseconds = throttlingBaseDelayMilliseconds
        self.maxBackoffMilliseconds = maxBackoffMilliseconds
        self.deadlineMarginMilliseconds = deadlineMarginMilliseconds
        self.minimumAttemptMilliseconds = minimumAttemptMilliseconds
    }

    /// The SDK standard-mode defaults for a service.
    /// - Parameter service: DynamoDB (4 attempts, 25 ms base) or another (3 attempts, 50 ms base).
    /// - Returns: The policy.
    public static func standard(for service: AWSService) -> RetryPolicy {
        switch service {
        case .dynamoDB: RetryPolicy(maxAttempts: 4, baseDelayMilliseconds: 25)
        case .s3: RetryPolicy(maxAttempts: 3, baseDelayMilliseconds: 50)
        }
    }

    /// The wait before the next attempt: `unit × min(base × 2^(attemptsMade−1), cap)`, full jitter.
    /// - Parameters:
    ///   - attemptsMade: Attempts made so far (1 after the first failure).
    ///   - kind: Why the last attempt failed (throttling uses the longer base).
    ///   - unit: A random number in [0, 1] (tests inject it).
    /// - Returns: The delay in milliseconds.
    public func backoffMilliseconds(attemptsMade: Int, kind: FailureKind, unit: Double) -> Int64 {
        let base = kind == .throttling ? throttlingBaseDelayMilliseconds : baseDelayMilliseconds
        let exponent = min(max(attemptsMade - 1, 0), 30)
        let ceiling = min(Double(base) * Double(1 << exponent), Double(maxBackoffMilliseconds))
        return Int64(ceiling * min(max(unit, 0), 1))
    }

    /// Decides whether to try again.
    /// - Parameters:
    ///   - kind: How the last attempt failed.
    ///   - attemptsMade: Attempts made so far.
    ///   - nowMilliseconds: The current Unix time.
    ///   - deadlineMilliseconds: The invocation deadline, or `nil` when there is none.
    ///   - unit: A random number in [0, 1] for the jitter.
    ///   - quota: The retry quota, charged when a retry is granted.
    /// - Returns: Retry after a delay, or give up and why.
    public func decide(kind: FailureKind, attemptsMade: Int, nowMilliseconds: Int64, deadlineMilliseconds: Int64?,
                       unit: Double, quota: inout RetryQuota) -> (decision: RetryDecision, tokens: Int) {
        guard kind != .permanent else { return (.giveUp(.notRetryable), 0) }
        guard attemptsMade < maxAttempts else { return (.giveUp(.attemptsExhausted), 0) }
        let delay = kind == .clockSkew ? 0 : backoffMilliseconds(attemptsMade: attemptsMade, kind: kind, unit: unit)
        if let deadlineMilliseconds {
            let usableUntil = deadlineMilliseconds - deadlineMarginMilliseconds
            guard nowMilliseconds + delay + minimumAttemptMilliseconds <= usableUntil else {
                return (.giveUp(.deadline), 0)
            }
        }
        // Correcting the clock is not a sign of a struggling service: it costs no tokens.
        if kind == .clockSkew { return (.retry(afterMilliseconds: 0), 0) }
        guard let tokens = quota.acquire(for: kind) else { return (.giveUp(.quotaExhausted), 0) }
        return (.retry(afterMilliseconds: delay), tokens)
    }

    /// The time a single attempt may take: the configured timeout, but never past the usable deadline.
    /// - Parameters:
    ///   - configuredMilliseconds: The per-attempt timeout from the configuration.
    ///   - nowMilliseconds: The current Unix time.
    ///   - deadlineMilliseconds: The invocation deadline, if any.
    /// - Returns: The timeout for this attempt (at least 1 ms).
    public func attemptTimeoutMilliseconds(configuredMilliseconds: Int64, nowMilliseconds: Int64, deadlineMilliseconds: Int64?) -> Int64 {
        guard let deadlineMilliseconds else { return configuredMilliseconds }
        let left = deadlineMilliseconds - deadlineMarginMilliseconds - nowMilliseconds
        return max(1, min(configuredMilliseconds, left))
    }
}
