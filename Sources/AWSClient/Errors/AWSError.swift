import JSON

/// A call to AWS that did not succeed, after whatever retries the policy allowed.
///
/// The message names the service, the operation, the AWS error code and message, the attempts
/// made and the AWS request ID, so a `DependencyFailure` in the logs says everything at once.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it was.
    public enum Kind: Sendable, Equatable {
        /// AWS answered with an error status.
        case service(status: Int, code: String, message: String)
        /// No complete answer: connection refused or reset, or a timeout.
        case transport(String)
        /// The endpoint's TLS certificate did not verify: nothing was sent.
        case certificateRejected(String)
        /// No usable credentials.
        case credentials(String)
        /// An endpoint or other setting cannot work.
        case configuration(String)
        /// AWS answered 2xx with a body we cannot read.
        case unreadableResponse(String)
    }

    /// The service called.
    public var service: AWSService
    /// The API operation, e.g. `PutItem`.
    public var operation: String
    /// What went wrong.
    public var kind: Kind
    /// Attempts made, the first one included.
    public var attempts: Int
    /// AWS's request ID of the last attempt, when it sent one.
    public var requestID: String?
    /// Why retrying stopped, when it was tried.
    public var giveUpReason: GiveUpReason?
    /// The parsed JSON error body, when there is one (DynamoDB returns the blocking item there).
    public var details: JSONValue?

    /// Creates an error.
    public init(service: AWSService, operation: String, kind: Kind, attempts: Int = 1, requestID: String? = nil,
                giveUpReason: GiveUpReason? = nil, details: JSONValue? = nil) {
        self.service = service
        self.operation = operation
        self.kind = kind
        self.attempts = attempts
        self.requestID = requestID
        self.giveUpReason = giveUpReason
        self.details = details
    }

    /// The AWS error code (namespace removed), e.g. `ConditionalCheckFailedException`, when AWS answered.
    public var code: String? {
        if case .service(_, let code, _) = kind { return code }
        return nil
    }

    /// The HTTP status, when AWS answered.
    public var status: Int? {
        if case .service(let status, _, _) = kind { return status }
        return nil
    }

    /// Whether AWS may have applied the request although the call failed: after a broken
    /// connection, a timeout or a 5xx the answer was lost or uncertain ("the operation may have
    /// succeeded or failed", DynamoDB's error docs); a 4xx means it was refused and changed nothing.
    public var mayHaveBeenApplied: Bool {
        switch kind {
        case .transport: true
        case .certificateRejected: false
        case .service(let status, _, _): status >= 500
        case .credentials, .configuration: false
        case .unreadableResponse: true
        }
    }

    /// e.g. `DynamoDB PutItem failed: ThrottlingException (HTTP 400): Rate of requests exceeds the allowed
    /// throughput [4 attempts, retries exhausted, AWS request ID 7Q3…]`.
    public var description: String {
        var text = "\(service.displayName) \(operation) failed: "
        switch kind {
        case .service(let status, let code, let message):
            text += "\(code) (HTTP \(status))"
            if !message.isEmpty { text += ": \(message)" }
        case .transport(let detail):
            text += "connection error: \(detail)"
        case .certificateRejected(let detail):
            text += detail
        case .credentials(let detail):
            text += "no credentials: \(detail)"
        case .configuration(let detail):
            text += "configuration error: \(detail)"
        case .unreadableResponse(let detail):
            text += "unreadable response: \(detail)"
        }
        var notes = ["\(attempts) attempt\(attempts == 1 ? "" : "s")"]
        if let giveUpReason, giveUpReason != .notRetryable { notes.append(giveUpReason.explanation) }
        if let requestID { notes.append("AWS request ID \(requestID)") }
        return text + " [" + notes.joined(separator: ", ") + "]"
    }
}
