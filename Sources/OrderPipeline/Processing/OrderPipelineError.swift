import LambdaRuntime

/// Why an order was not processed, by the contract's error types.
public enum OrderPipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The event is not one of the supported envelopes or misses a required field.
    case invalidOrderEvent(String)
    /// The order ID was processed before with different content.
    case orderConflict(String)
    /// Another invocation holds a live claim on the order; retryable.
    case orderInProgress(String)
    /// AWS kept failing after retries.
    case dependencyFailure(String)

    /// The contract name users alarm on.
    public var errorType: String {
        switch self {
        case .invalidOrderEvent: "InvalidOrderEvent"
        case .orderConflict: "OrderConflict"
        case .orderInProgress: "OrderInProgress"
        case .dependencyFailure: "DependencyFailure"
        }
    }

    /// The message.
    public var message: String {
        switch self {
        case .invalidOrderEvent(let text), .orderConflict(let text), .orderInProgress(let text), .dependencyFailure(let text):
            text
        }
    }

    /// The error as Lambda reports it.
    public var functionError: FunctionError {
        FunctionError(errorType: errorType, errorMessage: message)
    }

    public var description: String { "\(errorType): \(message)" }
}
