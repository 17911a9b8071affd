import HTTP
import JSON

/// The Runtime API failed or answered something the runtime cannot work with.
///
/// Lambda restarts a runtime that exits, so most of these end the process with a message; the
/// loop retries a transient `/next` failure a few times first (``isTransient``) and answers an
/// ``Code/invalidInvocation(_:problem:)`` with an error instead. A failed post (`/response`,
/// `/error`) is logged and the loop goes on: only a failing `/next` ends it.
public struct RuntimeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed.
    public enum Code: Sendable, Equatable {
        /// `AWS_LAMBDA_RUNTIME_API` is missing or not `host:port`.
        case invalidEndpoint(String)
        /// The request never completed (connection refused, reset, timed out, …).
        case transport(endpoint: String, HTTPError)
        /// The Runtime API answered with a status that means the runtime must stop.
        case unexpectedStatus(endpoint: String, status: Int, body: String)
        /// `/next` came without a required header.
        case missingHeader(String)
        /// `/next` came with a header the runtime cannot read.
        case malformedHeader(String, String)
        /// `/next` named its request but another required header is missing or unreadable
        /// (`problem` says which and what came): the event can be answered with an error, at this
        /// address (the invocation ID echoed when one came).
        case invalidInvocation(InvocationAddress, problem: String)
    }

    /// What failed.
    public let code: Code

    /// Creates an error.
    public init(_ code: Code) {
        self.code = code
    }

    /// A failure that may well not happen again a moment later: the connection was refused, reset
    /// or timed out, or the Runtime API answered 5xx. aws-lambda-cpp retries `/next` on these.
    public var isTransient: Bool {
        switch code {
        case .transport(_, let error):
            return error.isTimeout || error.isConnectionFailure
        case .unexpectedStatus(_, let status, _):
            return (500..<600).contains(status)
        case .invalidEndpoint, .missingHeader, .malformedHeader, .invalidInvocation:
            return false
        }
    }

    /// A one-line description for the log line written before the process exits.
    public var description: String {
        switch code {
        case .invalidEndpoint(let value):
            return "AWS_LAMBDA_RUNTIME_API must be host:port, found \(JSONString.excerpt(value, limit: 64))"
        case .transport(let endpoint, let error):
            return "Runtime API request \(endpoint) failed: \(error)"
        case .unexpectedStatus(let endpoint, let status, let body):
            return "Runtime API request \(endpoint) answered HTTP \(status): \(JSONString.excerpt(body, limit: 512, quoted: false))"
        case .missingHeader(let name):
            return "Runtime API /next response has no \(name) header"
        case .malformedHeader(let name, let value):
            let expected = name == AmazonHeaders.deadline ? " (expected Unix time in milliseconds)" : ""
            return "Runtime API /next response has a malformed \(name) header\(expected): \(JSONString.excerpt(value, limit: 64))"
        case .invalidInvocation(_, let problem):
            return problem
        }
    }
}
