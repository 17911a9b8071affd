import JSON
import Essentials

/// How many invocations the runtime serves at once: `AWS_LAMBDA_MAX_CONCURRENCY`, which Lambda
/// Managed Instances set from the function's `PerExecutionEnvironmentMaxConcurrency` (unset: 1).
public struct RuntimeConcurrency: Sendable, Equatable, CustomStringConvertible {
    /// The variable Lambda sets.
    public static let variable = "AWS_LAMBDA_MAX_CONCURRENCY"
    /// What Lambda accepts for `PerExecutionEnvironmentMaxConcurrency` (its API reference: 1–1600).
    public static let range = 1...1_600
    /// One invocation at a time, as on Lambda's classic execution environments.
    public static let single = RuntimeConcurrency(workers: 1)

    /// The number of workers, each with its own `/next` long-poll.
    public let workers: Int

    /// Creates a setting.
    /// - Parameter workers: A number in ``range``.
    public init(workers: Int) {
        precondition(Self.range.contains(workers), "workers must be in \(Self.range), not \(workers)")
        self.workers = workers
    }

    /// Reads `AWS_LAMBDA_MAX_CONCURRENCY`.
    /// - Parameter environment: The process environment.
    /// - Throws: ``FunctionError`` `InvalidConfiguration` naming the variable, what it expects and
    ///   what came, for anything but a whole number in ``range`` (reported as the init error).
    public init(environment: [String: String]) throws(FunctionError) {
        guard let text = environment[Self.variable] else {
            self = .single
            return
        }
        // Digits only (no sign, space or "0x"): Int("+4") would pass and hide a templating slip.
        guard !text.isEmpty, text.utf8.count <= 4, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let workers = Int(text), Self.range.contains(workers)
        else {
            throw FunctionError(
                errorType: "InvalidConfiguration",
                errorMessage: "\(Self.variable): expected a whole number from \(Self.range.lowerBound) to \(Self.range.upperBound) "
                    + "(invocations served at once), found \(JSONString.excerpt(text, limit: 64))")
        }
        self.workers = workers
    }

    /// Whether more than one invocation may run at once.
    public var isConcurrent: Bool { workers > 1 }

    /// The log format to write: JSON whenever invocations overlap, as Lambda Managed Instances
    /// require, since only a `requestId` on every line tells their lines apart.
    /// - Parameter requested: `AWS_LAMBDA_LOG_FORMAT`.
    public func logFormat(requested: LogFormat) -> LogFormat {
        isConcurrent ? .json : requested
    }

    public var description: String {
        workers == 1 ? "1 worker" : "\(workers) workers"
    }
}
