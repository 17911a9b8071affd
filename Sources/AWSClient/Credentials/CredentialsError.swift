/// No usable credentials, with what was tried.
public struct CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was tried and why each failed.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// One place credentials can come from.
public protocol CredentialsSource {
    /// A short name for messages, e.g. "environment".
    var name: String { get }

    /// Fetches credentials.
    /// - Returns: The credentials, or `nil` when this source is not configured at all
    ///   (the chain then tries the next one).
    /// - Throws: ``CredentialsError`` when the source is configured but broken: that is reported,
    ///   not silently skipped.
    func fetch() throws(CredentialsError) -> AWSCredentials?

    /// Why this source had nothing, for the "none found" message.
    var notConfiguredReason: String { get }
}
