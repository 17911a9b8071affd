/// The Runtime API failed or answered something the runtime cannot work with.
///
/// Lambda restarts a runtime that exits, so these end the process with a message.
public struct RuntimeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed.
    public enum Code: Sendable, Equatable {
        /// `AWS_LAMBDA_RUNTIME_API` is missing or not `host:port`.
        case invalidEndpoint(String)
        /// The request never completed (connection refused, reset, …).
        case transport(endpoint: String, detail: String)
        /// The Runtime API answered with a status that means the runtime must stop.
        case unexpectedStatus(endpoint: String, status: Int, body: String)
        /// `/next` came without a required header.
        case missingHeader(String)
        /// `/next` came with a header the runtime cannot read.
        case malformedHeader(String, String)
    }

    /// What failed.
    public let code: Code

    /// Creates an error.
    public init(_ code: Code) {
        self.code = code
    }

    /// A one-line description for the log line written before the process exits.
    public var description: String {
        switch code {
        case .invalidEndpoint(let value):
            return "AWS_LAMBDA_RUNTIME_API must be host:port, found \"\(value)\""
        case .transport(let endpoint, let detail):
            return "Runtime API request \(endpoint) failed: \(detail)"
        case .unexpectedStatus(let endpoint, let status, let body):
            return "Runtime API request \(endpoint) answered HTTP \(status): \(body.prefix(512))"
        case .missingHeader(let name):
            return "Runtime API /next response has no \(name) header"
        case .malformedHeader(let name, let value):
            return "Runtime API /next response has a malformed \(name) header: \"\(value.prefix(128))\""
        }
    }
}
