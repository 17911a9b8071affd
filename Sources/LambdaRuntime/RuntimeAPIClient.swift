import HTTP
import JSON

/// What the run loop needs of the Runtime API: fetch an event, post its answer.
///
/// ``RuntimeAPIClient`` is the real one; unit tests drive ``RuntimeLoop`` with a scripted one, as
/// swift-aws-lambda-runtime tests its run loop with a mock client.
public protocol RuntimeAPIClientProtocol: AnyObject {
    /// Waits for the next event (`GET /runtime/invocation/next`).
    func nextInvocation() throws(RuntimeAPIError) -> Invocation
    /// Sends a successful result (`POST /runtime/invocation/{id}/response`).
    func sendResponse(_ body: [UInt8], to address: InvocationAddress) throws(RuntimeAPIError) -> RuntimeAPIClient.PostOutcome
    /// Reports a failed invocation (`POST /runtime/invocation/{id}/error`).
    func sendError(_ error: FunctionError, to address: InvocationAddress) throws(RuntimeAPIError) -> RuntimeAPIClient.PostOutcome
}

/// The Lambda Runtime API (2018-06-01) over one kept-alive connection (an ``HTTPTransport``).
///
/// - SeeAlso: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
public final class RuntimeAPIClient: RuntimeAPIClientProtocol {
    private let baseURL: String
    /// `GET /next` is the same request every time: built once.
    private let nextRequest: HTTPRequest
    private static let nextPath = "/runtime/invocation/next"
    private let transport: any HTTPTransport
    /// Posting a result is local and quick; a stuck Runtime API must not hang the runtime for ever.
    static let postTimeouts = HTTPTimeouts(connectMilliseconds: 1_000, totalMilliseconds: 10_000)
    /// No total timeout on `/next`: Lambda freezes the sandbox while the request waits, and a timer
    /// would fire on thaw (Lambda's docs: "Do not set a timeout on the GET request").
    static let nextTimeouts = HTTPTimeouts(connectMilliseconds: 1_000, totalMilliseconds: nil)

    /// Checks that `AWS_LAMBDA_RUNTIME_API` is `host:port`, without making a connection.
    /// - Throws: ``RuntimeAPIError`` naming the value when it is not.
    public static func validate(endpoint: String) throws(RuntimeAPIError) {
        guard let colon = endpoint.lastIndex(of: ":"),
              !endpoint[..<colon].isEmpty,
              let port = Int(endpoint[endpoint.index(after: colon)...]), (1...65_535).contains(port)
        else { throw RuntimeAPIError(.invalidEndpoint(endpoint)) }
    }

    /// Creates the client on its own libcurl connection.
    /// - Parameter endpoint: `host:port` from `AWS_LAMBDA_RUNTIME_API`.
    /// - Throws: ``RuntimeAPIError`` when the endpoint is not `host:port` or no handle can be made.
    public convenience init(endpoint: String) throws(RuntimeAPIError) {
        try Self.validate(endpoint: endpoint)  // before a libcurl handle is made for nothing
        let connection: HTTPConnection
        do {
            connection = try HTTPConnection(trustStore: nil)
        } catch {
            throw RuntimeAPIError(.transport(endpoint: "init", error))
        }
        try self.init(endpoint: endpoint, transport: connection)
    }

    /// Creates the client on a given transport (a scripted one in unit tests).
    /// - Parameters:
    ///   - endpoint: `host:port` from `AWS_LAMBDA_RUNTIME_API`.
    ///   - transport: Carries every exchange; the client uses it from one thread.
    /// - Throws: ``RuntimeAPIError`` when the endpoint is not `host:port`.
    public init(endpoint: String, transport: any HTTPTransport) throws(RuntimeAPIError) {
        try Self.validate(endpoint: endpoint)
        baseURL = "http://\(endpoint)/2018-06-01"
        nextRequest = HTTPRequest(method: "GET", url: baseURL + Self.nextPath, timeouts: Self.nextTimeouts)
        self.transport = transport
    }

    /// Waits for the next event (`GET /runtime/invocation/next`).
    /// - Returns: The event and its context.
    /// - Throws: ``RuntimeAPIError`` when the Runtime API fails or answers without the required
    ///   headers; ``RuntimeAPIError/Code/invalidInvocation(_:problem:)`` when the request ID
    ///   came but another required header is missing or unreadable, so the caller can answer it.
    public func nextInvocation() throws(RuntimeAPIError) -> Invocation {
        let path = Self.nextPath
        let response = try send(nextRequest, path)
        guard response.status == 200 else {
            throw RuntimeAPIError(.unexpectedStatus(endpoint: path, status: response.status, body: response.bodyText))
        }
        do {
            return Invocation(context: try InvocationContext(headers: response.headers), event: response.body)
        } catch {
            // With a request ID the event can be answered; without one it cannot even be named.
            if let requestID = response.headers.value(for: AmazonHeaders.requestID), !requestID.isEmpty,
               error.code != .missingHeader(AmazonHeaders.requestID) {
                let invocationID = response.headers.value(for: AmazonHeaders.invocationID).flatMap { $0.isEmpty ? nil : $0 }
                throw RuntimeAPIError(.invalidInvocation(InvocationAddress(requestID: requestID, invocationID: invocationID),
                                                         problem: error.description))
            }
            throw error
        }
    }

    /// Outcome of posting an invocation's result that the Runtime API answered.
    ///
    /// None of these ends the runtime: the answer is about this one invocation.
    public enum PostOutcome: Sendable, Equatable {
        /// Lambda took it (2xx).
        case accepted
        /// 410 Gone (`ErrorRuntimeInvokeTimeout`): the invoke had already timed out and Lambda
        /// has answered it as such; this late result goes nowhere.
        case invocationTimedOut(body: String)
        /// Lambda refused this one post with another 4xx: 400 when the request or invocation ID
        /// matches nothing it waits for (`InvalidRequestID`, `InvalidInvocationId`) or the
        /// invocation was already answered (`InvalidStateTransition`), 413 when the payload is
        /// too large, 403 when this post is not allowed.
        case rejected(status: Int, body: String)
    }

    /// Sends a successful result (`POST /runtime/invocation/{id}/response`), echoing the invocation ID.
    /// - Parameters:
    ///   - body: The response payload.
    ///   - address: The invocation's request ID and, when `/next` gave one, its invocation ID.
    /// - Returns: What Lambda made of it; 413 means the payload is too large.
    /// - Throws: ``RuntimeAPIError`` when the Runtime API answered 5xx (or another non-2xx,
    ///   non-4xx status) or the post did not complete.
    public func sendResponse(_ body: [UInt8], to address: InvocationAddress) throws(RuntimeAPIError) -> PostOutcome {
        let path = "/runtime/invocation/\(pathSegment(address.requestID))/response"
        return try post(path, body: body, headers: [HTTPHeader("Content-Type", "application/json")] + echo(address))
    }

    /// Reports a failed invocation (`POST /runtime/invocation/{id}/error`), echoing the invocation ID.
    /// - Parameters:
    ///   - error: The error type and message.
    ///   - address: The invocation's request ID and, when `/next` gave one, its invocation ID.
    /// - Returns: What Lambda made of it.
    /// - Throws: ``RuntimeAPIError`` when the Runtime API answered 5xx or the post did not complete.
    public func sendError(_ error: FunctionError, to address: InvocationAddress) throws(RuntimeAPIError) -> PostOutcome {
        let path = "/runtime/invocation/\(pathSegment(address.requestID))/error"
        return try post(path, body: error.reportJSON.serializedBytes(), headers: errorHeaders(error) + echo(address))
    }

    /// `Lambda-Runtime-Invocation-Id` exactly as `/next` gave it; nothing when it gave none.
    private func echo(_ address: InvocationAddress) -> [HTTPHeader] {
        address.invocationID.map { [HTTPHeader(AmazonHeaders.invocationIDRequest, $0)] } ?? []
    }

    /// Reports a configuration error before the first invocation (`POST /runtime/init/error`);
    /// the process exits afterwards and Lambda serves the error to the first invoke.
    /// - Parameter error: The error type and message.
    /// - Throws: ``RuntimeAPIError`` when the Runtime API is unusable.
    public func sendInitError(_ error: FunctionError) throws(RuntimeAPIError) {
        _ = try post("/runtime/init/error", body: error.reportJSON.serializedBytes(), headers: errorHeaders(error))
    }

    private func errorHeaders(_ error: FunctionError) -> [HTTPHeader] {
        [
            HTTPHeader("Content-Type", "application/vnd.aws.lambda.error+json"),
            HTTPHeader(AmazonHeaders.functionErrorType, error.errorType),
        ]
    }

    private func post(_ path: String, body: [UInt8], headers: [HTTPHeader]) throws(RuntimeAPIError) -> PostOutcome {
        let request = HTTPRequest(method: "POST", url: baseURL + path, headers: headers, body: body, timeouts: Self.postTimeouts)
        let response = try send(request, path)
        switch response.status {
        case 200..<300:
            return .accepted
        case 410:
            return .invocationTimedOut(body: response.bodyText)
        case 400..<500:
            return .rejected(status: response.status, body: response.bodyText)
        default:
            // 500 is the Runtime API's "container error". The loop logs it and asks /next, which
            // fails too (and ends the process) when the Runtime API really is unusable.
            throw RuntimeAPIError(.unexpectedStatus(endpoint: path, status: response.status, body: response.bodyText))
        }
    }

    private func send(_ request: HTTPRequest, _ path: String) throws(RuntimeAPIError) -> HTTPResponse {
        do {
            return try transport.perform(request)
        } catch {
            throw RuntimeAPIError(.transport(endpoint: path, error))
        }
    }

    /// Request IDs are UUIDs; anything else is percent-encoded so it cannot change the path.
    private func pathSegment(_ requestID: String) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(requestID.utf8.count)
        for byte in requestID.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                encoded.append(byte)
            default:
                encoded.append(UInt8(ascii: "%"))
                Hex.append(byte, to: &encoded, uppercase: true)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

@available(*, unavailable)
extension RuntimeAPIClient: Sendable {}
