import AWSClient
import HTTP
import Synchronization

/// A scripted AWS endpoint behind the ``HTTPTransport`` seam: every request is recorded and answered
/// by the next step of the script (a response, an AWS error, a reset, a timeout, or a response that
/// is applied but lost on the way back), with no socket. Thread-safe: the connections it opens share
/// one script, as connections to one service share one server.
final class ScriptedTransport: Sendable {
    /// One answer.
    enum Step: Sendable {
        /// The server answers.
        case respond(HTTPResponse)
        /// The connection fails before anything is applied (reset, refused, timeout).
        case fail(HTTPError)
        /// The server applies the request (it counts in ``applied``) but the answer never arrives.
        case applyThenLose(HTTPError)
        /// The exchange takes this long (on the test clock) before the next step answers it.
        case delay(milliseconds: Int64)
    }

    private struct State {
        var steps: [Step] = []
        var requests: [HTTPRequest] = []
        var applied = 0
        var opened = 0
        var inFlight = 0
        var maximumInFlight = 0
        var overlappingUses = 0
    }
    private let state = Mutex(State())
    private let clock: TestClock?
    /// What is answered once the script runs out.
    private let fallback: (@Sendable (HTTPRequest) -> HTTPResponse)?

    /// Creates a script.
    /// - Parameters:
    ///   - steps: The answers, in order.
    ///   - clock: Advanced by `.delay` steps.
    ///   - fallback: Answers every request after the script ran out; without it that is a test failure (a 599).
    init(_ steps: [Step] = [], clock: TestClock? = nil, fallback: (@Sendable (HTTPRequest) -> HTTPResponse)? = nil) {
        state.withLock { $0.steps = steps }
        self.clock = clock
        self.fallback = fallback
    }

    /// Opens connections to this script, as the sender's transport factory.
    var factory: @Sendable (AWSService) throws(HTTPError) -> any HTTPTransport {
        { _ throws(HTTPError) in
            self.state.withLock { $0.opened += 1 }
            return Connection(script: self)
        }
    }

    /// Every request received, in order.
    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    /// Requests the server applied (answered, or applied and lost).
    var applied: Int { state.withLock { $0.applied } }
    /// Connections opened.
    var opened: Int { state.withLock { $0.opened } }
    /// The most requests that were in flight at once.
    var maximumInFlight: Int { state.withLock { $0.maximumInFlight } }
    /// Times a connection was entered by a thread while another was still using it (must stay 0).
    var overlappingUses: Int { state.withLock { $0.overlappingUses } }
    /// Steps not used yet.
    var remainingSteps: Int { state.withLock { $0.steps.count } }

    fileprivate func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        state.withLock { state in
            state.requests.append(request)
            state.inFlight += 1
            state.maximumInFlight = max(state.maximumInFlight, state.inFlight)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        while true {
            let step: Step? = state.withLock { $0.steps.isEmpty ? nil : $0.steps.removeFirst() }
            switch step {
            case .delay(let milliseconds):
                clock?.advance(by: milliseconds)
            case .respond(let response):
                state.withLock { $0.applied += 1 }
                return response
            case .fail(let error):
                throw error
            case .applyThenLose(let error):
                state.withLock { $0.applied += 1 }
                throw error
            case nil:
                state.withLock { $0.applied += 1 }
                return fallback?(request) ?? HTTPResponse(status: 599, headers: [], body: Array("script ran out".utf8))
            }
        }
    }

    /// One connection: the seam's class-bound transport, forwarding to the shared script.
    private final class Connection: HTTPTransport {
        let script: ScriptedTransport
        /// Set while a request is on this connection: a second thread finding it set is a pool bug.
        let busy = Mutex(false)
        init(script: ScriptedTransport) { self.script = script }
        func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
            let overlapped = busy.withLock { busy in
                defer { busy = true }
                return busy
            }
            if overlapped { script.state.withLock { $0.overlappingUses += 1 } }
            defer { busy.withLock { $0 = false } }
            return try script.perform(request)
        }
    }
}

extension ScriptedTransport.Step {
    /// A 200 with a JSON body.
    static func ok(_ body: String = "{}", headers: [HTTPHeader] = []) -> Self {
        .respond(HTTPResponse(status: 200, headers: headers, body: Array(body.utf8)))
    }

    /// An AWS JSON error (DynamoDB style).
    static func awsError(_ status: Int, _ code: String, _ message: String = "scripted", extra: String = "",
                         headers: [HTTPHeader] = []) -> Self {
        .respond(HTTPResponse(status: status, headers: headers,
                              body: Array(#"{"__type":"com.amazonaws.dynamodb.v20120810#\#(code)","message":"\#(message)"\#(extra)}"#.utf8)))
    }

    /// An S3 XML error.
    static func s3Error(_ status: Int, _ code: String) -> Self {
        .respond(HTTPResponse(status: status, headers: [],
                              body: Array("<Error><Code>\(code)</Code><Message>scripted</Message><RequestId>REQ</RequestId></Error>".utf8)))
    }

    /// A connection reset by the peer (libcurl's CURLE_RECV_ERROR).
    static var reset: Self { .fail(.connectionReset) }
    /// A timed-out exchange (CURLE_OPERATION_TIMEDOUT).
    static var timeout: Self { .fail(HTTPError(.transport(curlCode: 28, message: "Operation timed out"))) }
}

extension HTTPError {
    static let connectionReset = HTTPError(.transport(curlCode: 56, message: "Connection reset by peer"))
}

/// A wall clock the test moves: sleeps and scripted delays advance it.
final class TestClock: Sendable {
    private let milliseconds: Mutex<Int64>
    init(_ start: Int64) { milliseconds = Mutex(start) }
    var now: Int64 { milliseconds.withLock { $0 } }
    func advance(by delta: Int64) { milliseconds.withLock { $0 += max(0, delta) } }
}
