import HTTP
import Synchronization

/// An ``HTTPTransport`` that answers from a script instead of a socket, for unit tests of the code
/// above the seam (the Runtime API client, the AWS request sender, the claim store, the archive).
///
/// Replies are taken in order, one per request; when none is left, the `fallback` answers (by
/// default a refused connection, recorded as unscripted, so a test that sends more than it
/// scripted fails on its own assertions). Every exchange is recorded. Like ``HTTPConnection``, it
/// hands back header names lower-cased, and a delay longer than the request's total timeout
/// ends in a timeout error. It is `Sendable` (state behind a `Mutex`), so concurrent callers can share one.
public final class ScriptedTransport: HTTPTransport, Sendable {
    /// One recorded exchange.
    public struct Exchange: Sendable {
        /// What was sent.
        public let request: HTTPRequest
        /// What the caller got.
        public let outcome: Outcome
        /// The simulated time the exchange took (from ``ScriptedReply/delayed(milliseconds:_:)``).
        public let delayMilliseconds: Int
        /// Whether the request came after the script ran out.
        public let unscripted: Bool
    }

    /// What the caller of one exchange got.
    public enum Outcome: Sendable, Equatable {
        /// A response with this status.
        case responded(status: Int)
        /// The request reached the server, which applied it, but the response was lost.
        case lostResponse(status: Int)
        /// The request failed before it reached the server (or the server never answered).
        case failed(HTTPError)
    }

    private struct State {
        var script: [ScriptedReply]
        var next = 0
        var exchanges: [Exchange] = []
    }

    private let state: Mutex<State>
    private let fallback: @Sendable (HTTPRequest) -> ScriptedReply
    private let onDelay: @Sendable (Int) -> Void

    /// Creates a transport.
    /// - Parameters:
    ///   - script: The replies, in the order requests will get them.
    ///   - fallback: Answers once the script is used up (the request is recorded as unscripted).
    ///   - onDelay: Called with the milliseconds of each simulated delay, e.g. to advance a test clock.
    public init(_ script: [ScriptedReply] = [],
                fallback: @escaping @Sendable (HTTPRequest) -> ScriptedReply = { _ in .connectionRefused },
                onDelay: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.state = Mutex(State(script: script))
        self.fallback = fallback
        self.onDelay = onDelay
    }

    /// Adds replies to the end of the script.
    public func append(_ replies: ScriptedReply...) {
        state.withLock { $0.script += replies }
    }

    /// Every exchange so far, in order.
    public var exchanges: [Exchange] {
        state.withLock { $0.exchanges }
    }

    /// Every request so far, in order.
    public var requests: [HTTPRequest] {
        exchanges.map(\.request)
    }

    /// Scripted replies not yet used.
    public var remainingReplies: Int {
        state.withLock { $0.script.count - $0.next }
    }

    /// Requests that came after the script ran out.
    public var unscriptedRequests: [HTTPRequest] {
        exchanges.filter(\.unscripted).map(\.request)
    }

    public func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let scripted: ScriptedReply? = state.withLock { state in
            guard state.next < state.script.count else { return nil }
            defer { state.next += 1 }
            return state.script[state.next]
        }
        let reply = scripted ?? fallback(request)
        let (outcome, delay) = resolve(reply, for: request, waited: 0)
        state.withLock { $0.exchanges.append(Exchange(request: request, outcome: outcome.recorded, delayMilliseconds: delay,
                                                      unscripted: scripted == nil)) }
        switch outcome {
        case .response(let response):
            return response
        case .failure(let error, _):
            throw error
        }
    }

    private enum Resolved {
        case response(HTTPResponse)
        case failure(HTTPError, recorded: Outcome)

        static func failure(_ error: HTTPError) -> Resolved { .failure(error, recorded: .failed(error)) }

        var recorded: Outcome {
            switch self {
            case .response(let response): return .responded(status: response.status)
            case .failure(_, let recorded): return recorded
            }
        }
    }

    private func resolve(_ reply: ScriptedReply, for request: HTTPRequest, waited: Int) -> (Resolved, Int) {
        switch reply {
        case .response(let response):
            var normalized = response
            normalized.headers = response.headers.map(\.lowercasedName)
            return (.response(normalized), waited)
        case .failure(let error):
            return (.failure(error), waited)
        case .lostResponse(let response):
            return (.failure(.connectionReset, recorded: .lostResponse(status: response.status)), waited)
        case .delayed(let milliseconds, let then):
            // A delay past the total timeout is a timeout, as libcurl makes it: the caller waited that long.
            if let total = request.timeouts.totalMilliseconds, waited + milliseconds >= total {
                onDelay(total - waited)
                return (.failure(.timedOut), total)
            }
            onDelay(milliseconds)
            return resolve(then, for: request, waited: waited + milliseconds)
        }
    }
}

/// What a ``ScriptedTransport`` does with one request.
public indirect enum ScriptedReply: Sendable {
    /// Answers with this response.
    case response(HTTPResponse)
    /// Fails with this transport error; nothing reached the server.
    case failure(HTTPError)
    /// The server received and applied the request, but the connection broke before the response
    /// arrived: the caller gets ``HTTPError/connectionReset``, the record says what was applied.
    case lostResponse(HTTPResponse)
    /// Takes this long (simulated: the transport calls its `onDelay`), then does the other thing.
    case delayed(milliseconds: Int, ScriptedReply)

    /// A response with a status, headers and a UTF-8 body.
    /// - Parameters:
    ///   - status: The status code.
    ///   - headers: Header fields (names are lower-cased on delivery, as libcurl's are by HTTPConnection).
    ///   - body: The body text.
    /// - Returns: The reply.
    public static func status(_ status: Int, headers: [HTTPHeader] = [], body: String = "") -> ScriptedReply {
        .response(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    /// A response with a status, headers and a binary body.
    public static func status(_ status: Int, headers: [HTTPHeader] = [], bytes: [UInt8]) -> ScriptedReply {
        .response(HTTPResponse(status: status, headers: headers, body: bytes))
    }

    /// The connection was refused (nothing listens): curl error 7.
    public static let connectionRefused = ScriptedReply.failure(.connectionRefused)
    /// The connection was reset before the request got through: curl error 56.
    public static let connectionReset = ScriptedReply.failure(.connectionReset)
    /// The exchange timed out: curl error 28.
    public static let timedOut = ScriptedReply.failure(.timedOut)
}

extension HTTPError {
    /// What libcurl reports when nothing listens: `CURLE_COULDNT_CONNECT`.
    public static let connectionRefused = HTTPError(.transport(curlCode: 7, message: "Failed to connect to 127.0.0.1 port 9001: Connection refused"))
    /// What libcurl reports for a reset connection: `CURLE_RECV_ERROR`.
    public static let connectionReset = HTTPError(.transport(curlCode: 56, message: "Recv failure: Connection reset by peer"))
    /// What libcurl reports after the total timeout: `CURLE_OPERATION_TIMEDOUT`.
    public static let timedOut = HTTPError(.transport(curlCode: 28, message: "Operation timed out"))
}
