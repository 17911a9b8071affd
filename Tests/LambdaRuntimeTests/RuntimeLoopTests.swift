#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Essentials
import Synchronization
import HTTP
@testable import LambdaRuntime
import Testing
import TransportDoubles

/// The loop against a scripted Runtime API: no socket, no sleeping (waits are recorded).
/// Serialized: the loop sets the process-wide `_X_AMZN_TRACE_ID`.
@Suite("RuntimeLoop", .serialized)
struct RuntimeLoopTests {
    typealias Scripted = ScriptedRuntimeAPIClient

    /// Runs the loop to its end and returns what ended it and the waits it asked for.
    static func run(_ client: Scripted, _ handler: RecordingHandler, _ log: LogLines = LogLines(),
                    policy: NextRetryPolicy = .standard, setsTraceEnvironment: Bool = true) -> (RuntimeAPIError, [Int64]) {
        var waits: [Int64] = []
        let failure = RuntimeLoop.run(client: client, handler: handler, logger: log.logger, setsTraceEnvironment: setsTraceEnvironment,
                                      nextRetry: policy) { waits.append($0) }
        return (failure, waits)
    }

    @Test("each event is handled and its response posted; the handler's logger carries the request ID")
    func servesEvents() {
        let client = Scripted(nexts: [.success(Scripted.invocation("r-1")), .success(Scripted.invocation("r-2"))])
        let handler = RecordingHandler()
        let (failure, waits) = Self.run(client, handler)
        #expect(client.posts == [.response(requestID: "r-1", body: Array("ok:r-1".utf8)),
                                 .response(requestID: "r-2", body: Array("ok:r-2".utf8))])
        #expect(handler.seen.map(\.loggerRequestID) == ["r-1", "r-2"])
        #expect(failure == Scripted.endOfScript, "only the Runtime API's failure ends the loop")
        #expect(waits.isEmpty, "a 403 on /next is not transient: no retry")
        #expect(client.nextCalls == 3)
    }

    @Test("a failing handler's error is posted to /error and the loop goes on to the next event")
    func failingHandler() {
        let client = Scripted(nexts: [.success(Scripted.invocation("bad")), .success(Scripted.invocation("good"))])
        let handler = RecordingHandler { invocation in
            invocation.context.requestID == "bad"
                ? .failure(FunctionError(errorType: "InvalidOrderEvent", errorMessage: "expected price (a number); found none"))
                : .success(Array("{}".utf8))
        }
        let (failure, _) = Self.run(client, handler)
        #expect(client.posts == [
            .error(requestID: "bad", FunctionError(errorType: "InvalidOrderEvent", errorMessage: "expected price (a number); found none")),
            .response(requestID: "good", body: Array("{}".utf8)),
        ])
        #expect(failure == Scripted.endOfScript)
    }

    @Test("a response Lambda refuses with 400 is logged as a warning, nothing more is posted, the loop goes on")
    func rejectedResponse() {
        let client = Scripted(nexts: [.success(Scripted.invocation("late")), .success(Scripted.invocation("next"))],
                              responseOutcomes: [.success(.rejected(status: 400, body: #"{"errorType":"InvalidRequestID"}"#))])
        let log = LogLines()
        let (failure, _) = Self.run(client, RecordingHandler(), log)
        #expect(client.posts == [.response(requestID: "late", body: Array("ok:late".utf8)),
                                 .response(requestID: "next", body: Array("ok:next".utf8))])
        #expect(log.lines.contains { $0.contains("\tlate\tWARN\tRuntime API refused the response (HTTP 400): {\\\"errorType\\\":\\\"InvalidRequestID\\\"}") },
                "\(log.lines)")
        #expect(failure == Scripted.endOfScript)
    }

    @Test("a response refused with 413 is reported as Function.ResponseSizeTooLarge, naming its size")
    func responseTooLarge() {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 6_291_557)
        let client = Scripted(nexts: [.success(Scripted.invocation("big")), .success(Scripted.invocation("small"))],
                              responseOutcomes: [.success(.rejected(status: 413, body: "payload too large"))])
        let handler = RecordingHandler { $0.context.requestID == "big" ? .success(big) : .success(Array("{}".utf8)) }
        _ = Self.run(client, handler)
        #expect(client.posts.count == 3)
        #expect(client.posts.dropFirst().first == .error(requestID: "big", FunctionError(
            errorType: "Function.ResponseSizeTooLarge",
            errorMessage: "the response of 6291557 bytes exceeds Lambda's payload limit")))
        #expect(client.posts.last == .response(requestID: "small", body: Array("{}".utf8)))
    }

    @Test("an error report Lambda refuses is logged and the loop goes on")
    func rejectedErrorReport() {
        let client = Scripted(nexts: [.success(Scripted.invocation("gone")), .success(Scripted.invocation("next"))],
                              errorOutcomes: [.success(.rejected(status: 400, body: "Invalid request ID"))])
        let handler = RecordingHandler { _ in .failure(FunctionError(errorType: "OrderConflict", errorMessage: "m")) }
        let log = LogLines()
        let (failure, _) = Self.run(client, handler, log)
        #expect(client.posts.count == 2)
        #expect(log.lines.contains { $0.hasSuffix("\tgone\tWARN\tRuntime API refused the error report (HTTP 400): Invalid request ID") }, "\(log.lines)")
        #expect(failure == Scripted.endOfScript)
    }

    @Test("a post the Runtime API cannot take (500, transport) is logged with the request ID and the loop asks /next again", arguments: [
        RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/r-1/response", status: 500, body: "Container error")),
        RuntimeAPIError(.transport(endpoint: "/runtime/invocation/r-1/response", .connectionReset)),
    ])
    func failingPost(_ error: RuntimeAPIError) {
        let client = Scripted(nexts: [.success(Scripted.invocation("r-1")), .success(Scripted.invocation("r-2"))],
                              responseOutcomes: [.failure(error)])
        let handler = RecordingHandler()
        let log = LogLines()
        let (failure, waits) = Self.run(client, handler, log)
        #expect(failure == Scripted.endOfScript, "only /next ends the loop")
        #expect(handler.seen.map(\.requestID) == ["r-1", "r-2"], "the next event is served")
        #expect(client.posts.count == 2, "a failed post is not retried")
        #expect(waits.isEmpty)
        #expect(log.lines.contains { $0.hasSuffix("\tr-1\tERROR\tRuntime API did not take the response: \(error); asking /next for the next event") },
                "\(log.lines)")
    }

    @Test("a 410 on /response or /error (the invoke already timed out) is logged with the request ID, nothing else is posted, and the loop goes on",
          arguments: [false, true])
    func invocationTimedOut(_ failing: Bool) {
        let gone = RuntimeAPIClient.PostOutcome.invocationTimedOut(body: #"{"errorType":"ErrorRuntimeInvokeTimeout","errorMessage":"Invoke timeout"}"#)
        let client = Scripted(nexts: [.success(Scripted.invocation("late", invocationID: "i-late")),
                                      .success(Scripted.invocation("next", invocationID: "i-next"))],
                              responseOutcomes: failing ? [] : [.success(gone)], errorOutcomes: failing ? [.success(gone)] : [])
        let error = FunctionError(errorType: "DependencyFailure", errorMessage: "DynamoDB PutItem timed out")
        let handler = RecordingHandler { failing && $0.context.requestID == "late" ? .failure(error) : .success(Array("{}".utf8)) }
        let log = LogLines()
        let (failure, _) = Self.run(client, handler, log)
        let late = InvocationAddress(requestID: "late", invocationID: "i-late")
        #expect(client.posts == [
            failing ? .error(late, error) : .response(late, body: Array("{}".utf8)),
            .response(InvocationAddress(requestID: "next", invocationID: "i-next"), body: Array("{}".utf8)),
        ])
        let what = failing ? "error report" : "response"
        #expect(log.lines.contains {
            $0.hasSuffix("\tlate\tWARN\tInvocation had already timed out; Runtime API dropped its \(what) (HTTP 410): "
                         + #"{\"errorType\":\"ErrorRuntimeInvokeTimeout\",\"errorMessage\":\"Invoke timeout\"}"#)
        }, "\(log.lines)")
        #expect(failure == Scripted.endOfScript)
    }

    @Test("400 (unknown invocation ID) and 403 on a post are logged as refusals and the loop goes on", arguments: [
        (400, #"{"errorType":"InvalidInvocationId"}"#), (403, "Forbidden"),
    ])
    func refusedPosts(_ status: Int, _ body: String) {
        let client = Scripted(nexts: [.success(Scripted.invocation("a", invocationID: "i-a")), .success(Scripted.invocation("b"))],
                              responseOutcomes: [.success(.rejected(status: status, body: body))])
        let log = LogLines()
        let (failure, _) = Self.run(client, RecordingHandler(), log)
        #expect(client.posts.count == 2)
        #expect(log.lines.contains { $0.contains("\ta\tWARN\tRuntime API refused the response (HTTP \(status)): ") }, "\(log.lines)")
        #expect(failure == Scripted.endOfScript)
    }

    @Test("every answer goes to its invocation's address: the invocation ID from /next is echoed, also on the size-limit error")
    func invocationIDsEchoed() {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 7_000_000)
        let client = Scripted(nexts: [.success(Scripted.invocation("ok", invocationID: "i-1")),
                                      .success(Scripted.invocation("bad", invocationID: "i-2")),
                                      .success(Scripted.invocation("big", invocationID: "i-3")),
                                      .success(Scripted.invocation("old"))],
                              responseOutcomes: [.success(.accepted), .success(.rejected(status: 413, body: "too large"))])
        let handler = RecordingHandler { invocation in
            switch invocation.context.requestID {
            case "bad": .failure(FunctionError(errorType: "InvalidOrderEvent", errorMessage: "m"))
            case "big": .success(big)
            default: .success(Array("{}".utf8))
            }
        }
        _ = Self.run(client, handler)
        #expect(client.posts.map { post -> InvocationAddress in
            switch post {
            case .response(let address, _), .error(let address, _): address
            }
        } == [
            InvocationAddress(requestID: "ok", invocationID: "i-1"), InvocationAddress(requestID: "bad", invocationID: "i-2"),
            InvocationAddress(requestID: "big", invocationID: "i-3"), InvocationAddress(requestID: "big", invocationID: "i-3"),
            InvocationAddress(requestID: "old"),
        ])
    }

    @Test("the handler's logger carries the invocation's tenant ID, and no other invocation's")
    func tenantID() {
        let client = Scripted(nexts: [.success(Scripted.invocation("t-1", tenantID: "tenant-a")), .success(Scripted.invocation("t-2")),
                                      .success(Scripted.invocation("t-3", tenantID: "tenant-b"))])
        let handler = RecordingHandler()
        _ = Self.run(client, handler)
        #expect(handler.seen.map(\.loggerTenantID) == ["tenant-a", nil, "tenant-b"])
    }

    @Test("a /next failure that is not transient (403, 404, missing request ID) ends the loop at once", arguments: [
        RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 403, body: "")),
        RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 404, body: "")),
        RuntimeAPIError(.missingHeader(AmazonHeaders.requestID)),
        RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", HTTPError(.transport(curlCode: 3, message: "URL using bad/illegal format")))),
    ])
    func failingNext(_ error: RuntimeAPIError) {
        let client = Scripted(nexts: [.failure(error), .success(Scripted.invocation("never"))])
        let handler = RecordingHandler()
        let (failure, waits) = Self.run(client, handler)
        #expect(failure == error)
        #expect(waits.isEmpty)
        #expect(handler.seen.isEmpty)
    }

    static let transientNextFailures = [
        RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", .connectionRefused)),
        RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", .connectionReset)),
        RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", .timedOut)),
        RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 500, body: "Container error")),
        RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 502, body: "")),
    ]

    @Test("a transient /next failure is tried again after a short wait, and the event after it is served",
          arguments: transientNextFailures)
    func transientNextRetried(_ error: RuntimeAPIError) {
        let client = Scripted(nexts: [.failure(error), .failure(error), .success(Scripted.invocation("after"))])
        let log = LogLines()
        let (failure, waits) = Self.run(client, RecordingHandler(), log)
        #expect(waits == [100, 300])
        #expect(client.posts == [.response(requestID: "after", body: Array("ok:after".utf8))])
        #expect(failure == Scripted.endOfScript)
        let warnings = log.lines.filter { $0.contains("\tWARN\t") }
        #expect(warnings.count == 2)
        #expect(warnings.first?.hasSuffix("\(error); trying /next again in 100 ms (failure 1 in a row)") == true, "\(warnings)")
    }

    @Test("four transient /next failures in a row end the loop after about a second of waits")
    func transientNextGivesUp() {
        let refused = RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", .connectionRefused))
        let client = Scripted(nexts: Array(repeating: .failure(refused), count: 4) + [.success(Scripted.invocation("never"))])
        let (failure, waits) = Self.run(client, RecordingHandler())
        #expect(failure == refused)
        #expect(waits == [100, 300, 600])
        #expect(waits.reduce(0, +) == 1_000)
        #expect(client.nextCalls == 4)
    }

    @Test("the count of failures in a row starts over after a success")
    func counterResets() {
        let reset = RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", .connectionReset))
        let failures: [Result<Invocation, RuntimeAPIError>] = Array(repeating: .failure(reset), count: 3)
        let client = Scripted(nexts: failures + [.success(Scripted.invocation("a"))] + failures + [.success(Scripted.invocation("b"))])
        let (failure, waits) = Self.run(client, RecordingHandler())
        #expect(waits == [100, 300, 600, 100, 300, 600])
        #expect(client.posts.count == 2)
        #expect(failure == Scripted.endOfScript)
    }

    @Test("a /next with a request ID but an unreadable deadline is answered with Runtime.InvalidInvocation, and the loop goes on")
    func invalidInvocationAnswered() {
        let problem = RuntimeAPIError(.malformedHeader(AmazonHeaders.deadline, "soon")).description
        let client = Scripted(nexts: [.failure(RuntimeAPIError(.invalidInvocation(InvocationAddress(requestID: "r-bad"), problem: problem))),
                                      .success(Scripted.invocation("r-good"))])
        let handler = RecordingHandler()
        let log = LogLines()
        let (failure, waits) = Self.run(client, handler, log)
        #expect(client.posts == [
            .error(requestID: "r-bad", FunctionError(
                errorType: "Runtime.InvalidInvocation",
                errorMessage: #"Runtime API /next response has a malformed lambda-runtime-deadline-ms header (expected Unix time in milliseconds): "soon""#)),
            .response(requestID: "r-good", body: Array("ok:r-good".utf8)),
        ])
        #expect(handler.seen.map(\.requestID) == ["r-good"], "the handler never sees the unreadable event")
        #expect(waits.isEmpty)
        #expect(log.lines.contains { $0.contains("\tr-bad\tERROR\tRuntime API /next response has a malformed") }, "\(log.lines)")
        #expect(failure == Scripted.endOfScript)
    }

    @Test("an unreadable invocation's answer echoes its invocation ID; when it cannot be posted, the loop still goes on")
    func invalidInvocationPostFails() {
        let postFailure = RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/r-bad/error", status: 500, body: ""))
        let address = InvocationAddress(requestID: "r-bad", invocationID: "i-bad")
        let client = Scripted(nexts: [.failure(RuntimeAPIError(.invalidInvocation(address, problem: "p"))),
                                      .success(Scripted.invocation("r-good"))],
                              errorOutcomes: [.failure(postFailure)])
        let handler = RecordingHandler()
        let (failure, _) = Self.run(client, handler)
        #expect(client.posts.first == .error(address, FunctionError(errorType: "Runtime.InvalidInvocation", errorMessage: "p")))
        #expect(handler.seen.map(\.requestID) == ["r-good"])
        #expect(failure == Scripted.endOfScript)
    }

    @Test("_X_AMZN_TRACE_ID holds the invocation's trace ID while it is handled, and is cleared for one without")
    func traceEnvironment() {
        let trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
        let client = Scripted(nexts: [.success(Scripted.invocation("traced", traceID: trace)), .success(Scripted.invocation("untraced")),
                                      .success(Scripted.invocation("traced-again", traceID: "Root=1-2"))])
        let handler = RecordingHandler()
        _ = Self.run(client, handler)
        #expect(handler.seen.map(\.traceEnvironment) == [trace, nil, "Root=1-2"])
    }

    @Test("several workers never set _X_AMZN_TRACE_ID: it would belong to whichever wrote it last")
    func workersLeaveTraceEnvironment() throws {
        setenv("_X_AMZN_TRACE_ID", "Root=1-set-by-someone-else", 1)
        defer { unsetenv("_X_AMZN_TRACE_ID") }
        let api = SharedRuntimeAPI()
        let handler = TraceReadingHandler()
        api.deliver([.success(Scripted.invocation("a", traceID: "Root=1-a;Lineage=1:ab:0")),
                     .success(Scripted.invocation("b", traceID: "Root=1-b;Lineage=1:cd:0"))])
        let stopped = Mutex(false)
        let runner = try WorkerThread.start(name: "runner") {
            _ = RuntimeWorkers.run(RuntimeConcurrency(workers: 2), makeClient: { api.makeClient($0) }, handler: handler,
                                   logger: LogLines().logger, sleep: { _ in })
            stopped.withLock { $0 = true }
        }
        #expect(api.waitForPosts(2))
        api.close(with: Scripted.endOfScript)
        #expect(waitUntil(10_000) { stopped.withLock { $0 } })
        runner.join()
        #expect(handler.seen == ["Root=1-set-by-someone-else", "Root=1-set-by-someone-else"])
    }

    @Test("a loop told not to (one of several workers) leaves _X_AMZN_TRACE_ID alone")
    func noTraceEnvironment() {
        setenv("_X_AMZN_TRACE_ID", "Root=1-set-by-someone-else", 1)
        defer { unsetenv("_X_AMZN_TRACE_ID") }
        let client = Scripted(nexts: [.success(Scripted.invocation("traced", traceID: "Root=1-mine")), .success(Scripted.invocation("untraced"))])
        let handler = RecordingHandler()
        _ = Self.run(client, handler, setsTraceEnvironment: false)
        #expect(handler.seen.map(\.traceEnvironment) == ["Root=1-set-by-someone-else", "Root=1-set-by-someone-else"])
    }

    @Test("the retry policy waits 100, 300, 600 ms and then gives up", arguments: [
        (0, Int64?.none), (1, 100), (2, 300), (3, 600), (4, nil), (10, nil),
    ])
    func policy(_ failures: Int, _ delay: Int64?) {
        #expect(NextRetryPolicy.standard.delay(afterConsecutiveFailures: failures) == delay)
    }

    @Test("with no retries in the policy, the first transient failure ends the loop")
    func noRetries() {
        let refused = RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", .connectionRefused))
        let client = Scripted(nexts: [.failure(refused), .success(Scripted.invocation("never"))])
        let (failure, waits) = Self.run(client, RecordingHandler(), policy: NextRetryPolicy(delaysMilliseconds: []))
        #expect(failure == refused)
        #expect(waits.isEmpty)
    }
}

/// Records `_X_AMZN_TRACE_ID` as each invocation saw it.
private final class TraceReadingHandler: InvocationHandler, Sendable {
    private let traces = Mutex<[String?]>([])
    var seen: [String?] { traces.withLock { $0 } }

    func handle(_ invocation: Invocation, logger: Logger) -> Result<[UInt8], FunctionError> {
        let trace = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
        traces.withLock { $0.append(trace) }
        return .success([])
    }
}
