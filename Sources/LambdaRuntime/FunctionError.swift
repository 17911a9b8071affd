import JSON

/// A failed invocation as Lambda reports it: `errorType` and `errorMessage`.
///
/// The handler returns these instead of throwing arbitrary Swift errors, so every failure has a
/// contract name (`InvalidOrderEvent`, `OrderConflict`, `OrderInProgress`, `DependencyFailure`).
public struct FunctionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error type users see and alarm on, e.g. `InvalidOrderEvent`.
    public var errorType: String
    /// A message that says what was expected and what came.
    public var errorMessage: String

    /// Creates a function error.
    /// - Parameters:
    ///   - errorType: The contract name of the error.
    ///   - errorMessage: What went wrong.
    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    /// The body Lambda expects on `/invocation/{id}/error` and `/init/error`:
    /// `{"errorMessage": …, "errorType": …, "stackTrace": []}`.
    public var reportJSON: JSONValue {
        ["errorMessage": .string(errorMessage), "errorType": .string(errorType), "stackTrace": []]
    }

    /// `errorType: errorMessage`.
    public var description: String {
        "\(errorType): \(errorMessage)"
    }
}
