import HTTP
import Synchronization

/// A scripted AWS service behind the ``HTTPTransport`` seam: the connections it opens (through
/// ``factory()``, as the AWS request sender's connection pool opens them) share one script, as
/// connections to one service share one server. Every request is recorded and answered by the next
/// step (a response, an AWS error, a reset, a timeout, or a response that is applied but lost on the
/// way back), with no socket; it counts what the server applied, and catches a connection used by two
/// threads at once. ``ScriptedTransport`` is the single scripted connection of the Runtime API tests.
public final class ScriptedService: Sendable {
    /// One answer.
    public enum Step: Sendable {
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
        public var requests: [HTTPRequest] = []
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
    public init(_ steps: [Step] = [], clock: TestClock? = nil, fallback: (@Sendable (HTTPRequest) -> HTTPResponse)? = nil) {
        state.withLock { $0.steps = steps }
        self.clock = clock
        self.fallback = fallback
    }

    /// Opens connections to this script, as the sender's transport factory (for any service key).
    public func factory<Service>() -> @Sendable (Service) throws(HTTPError) -> any HTTPTransport {
        { _ throws(HTTPError) in
            self.state.withLock { $0.opened += 1 }
            return Connection(script: self)
        }
    }

    /// Every request received, in order.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }
    /// Requests the server applied (answered, or applied and lost).
    public var applied: Int { state.withLock { $0.applied } }
    /// Connections opened.
    public var opened: Int { state.withLock { $0.opened } }
    /// The most requests that were in flight at once.
    public var maximumInFlight: Int { state.withLock { $0.maximumInFlight } }
    /// Times a connection was entered by a thread while another was still using it (must stay 0).
    public var overlappingUses: Int { state.withLock { $0.overlappingUses } }
    /// Steps not used yet.
    public var remainingSteps: Int { state.withLock { $0.steps.count } }

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
        let script: ScriptedService
        /// Set while a request is on this connection: a second thread finding it set is a pool bug.
        let busy = Mutex(false)
        init(script: ScriptedService) { self.script = script }
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

extension ScriptedService.Step {
    /// A 200 with a JSON body.
    public static func ok(_ body: String = "{}", headers: [HTTPHeader] = []) -> Self {
        .respond(HTTPResponse(status: 200, headers: headers, body: Array(body.utf8)))
    }

    /// An AWS JSON error (DynamoDB style).
    public static func awsError(_ status: Int, _ code: String, _ message: String = "scripted", extra: String = "",
                         headers: [HTTPHeader] = []) -> Self {
        .respond(HTTPResponse(status: status, headers: headers,
                              body: Array(#"{"__type":"com.amazonaws.dynamodb.v20120810#\#(code)","message":"\#(message)"\#(extra)}"#.utf8)))
    }

    /// An S3 XML error.
    public static func s3Error(_ status: Int, _ code: String) -> Self {
        .respond(HTTPResponse(status: status, headers: [],
                              body: Array("<Error><Code>\(code)</Code><Message>scripted</Message><RequestId>REQ</RequestId></Error>".utf8)))
    }

    /// A connection reset by the peer (libcurl's CURLE_RECV_ERROR).
    public static var reset: Self { .fail(.connectionReset) }
    /// A timed-out exchange (CURLE_OPERATION_TIMEDOUT).
    public static var timeout: Self { .fail(.timedOut) }
}

/// A wall clock the test moves: sleeps and scripted delays advance it.
public final class TestClock: Sendable {
    private let milliseconds: Mutex<Int64>
    public init(_ start: Int64) { milliseconds = Mutex(start) }
    public var now: Int64 { milliseconds.withLock { $0 } }
    public func advance(by delta: Int64) { milliseconds.withLock { $0 += max(0, delta) } }
}
