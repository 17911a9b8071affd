import LambdaRuntime

/// A missing or invalid setting, naming the variable. Reported through `/runtime/init/error`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable at fault.
    public var variable: String
    /// What is wrong and what is expected.
    public var message: String

    /// Creates an error.
    public init(_ variable: String, _ message: String) {
        self.variable = variable
        self.message = message
    }

    /// The init error Lambda shows for the first invoke.
    public var functionError: FunctionError {
        FunctionError(errorType: "InvalidConfiguration", errorMessage: description)
    }

    public var description: String { "\(variable): \(message)" }
}
