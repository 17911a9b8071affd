import Essentials
import Synchronization

/// What one AWS call inherits from the invocation that makes it: the deadline, the logger, the
/// trace header, and the counter of attempts sent on the invocation's behalf (for its metrics line).
public struct AWSCall: Sendable {
    /// The invocation deadline (Unix ms), or `nil` for none.
    public var deadlineMilliseconds: Int64?
    /// The invocation's logger.
    public var logger: Logger
    /// Counts every attempt sent for the invocation.
    public var attempts: AttemptCounter
    /// Time kept free before the deadline for this call, when it differs from the configured
    /// margin: a cleanup (releasing a claim) may use most of the margin the main work left free.
    public var deadlineMarginMilliseconds: Int64?
    /// The invocation's `Lambda-Runtime-Trace-Id`, sent verbatim as `X-Amzn-Trace-Id` on every
    /// attempt (its `Lineage` field is what Lambda's recursive-loop detection counts), unsigned,
    /// as the AWS SDKs do; `nil` sends none.
    public var traceHeader: String?

    /// Creates a call context.
    /// - Parameters:
    ///   - deadlineMilliseconds: The invocation deadline (Unix ms), or `nil` for none.
    ///   - traceHeader: The invocation's trace ID, or `nil`.
    ///   - logger: The invocation's logger.
    ///   - attempts: Counts the attempts sent.
    public init(deadlineMilliseconds: Int64?, traceHeader: String? = nil, logger: Logger, attempts: AttemptCounter = AttemptCounter()) {
        self.deadlineMilliseconds = deadlineMilliseconds
        self.traceHeader = traceHeader
        self.logger = logger
        self.attempts = attempts
    }

    /// The same call with another deadline, and optionally its own margin (a cleanup's budget).
    public func with(deadlineMilliseconds: Int64?, marginMilliseconds: Int64? = nil) -> AWSCall {
        var copy = self
        copy.deadlineMilliseconds = deadlineMilliseconds
        copy.deadlineMarginMilliseconds = marginMilliseconds
        return copy
    }
}

/// Attempts sent for one invocation. Thread-safe, so the records of one batch may share it.
public final class AttemptCounter: Sendable {
    private let counted = Mutex(0)

    /// Creates a counter at zero.
    public init() {}

    /// Attempts counted so far.
    public var count: Int { counted.withLock { $0 } }

    func increment() {
        counted.withLock { $0 += 1 }
    }
}
