#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Essentials
import Synchronization
@testable import LambdaRuntime

/// A Runtime API for ``RuntimeWorkers`` tests, shared by the workers as Lambda's is: one queue of
/// `/next` answers that any worker's client may take, blocking while it is empty (a long-poll).
/// Each worker's client records the thread it was made on and every call it served, so a test can
/// check that a client never leaves its worker. ``close(with:)`` makes every poll fail.
final class SharedRuntimeAPI: Sendable {
    struct Post: Equatable {
        let address: InvocationAddress
        let isResponse: Bool
    }

    private struct State {
        var queue: [Result<Invocation, RuntimeAPIError>] = []
        var closedWith: RuntimeAPIError?
        var polling = 0
        var maxPolling = 0
        var clientThreads: [Int: pthread_t] = [:]
        var callsOffTheirThread = 0
        var posts: [Post] = []
    }

    private let state = Mutex(State())

    /// Queues answers for `/next`, taken in order by whichever workers poll.
    func deliver(_ answers: [Result<Invocation, RuntimeAPIError>]) {
        state.withLock { $0.queue += answers }
    }

    /// Every poll from now on fails with this error.
    func close(with error: RuntimeAPIError) {
        state.withLock { $0.closedWith = error }
    }

    var maxPolling: Int { state.withLock { $0.maxPolling } }
    var polling: Int { state.withLock { $0.polling } }
    var posts: [Post] { state.withLock { $0.posts } }
    var clientThreads: [Int: pthread_t] { state.withLock { $0.clientThreads } }
    var callsOffTheirThread: Int { state.withLock { $0.callsOffTheirThread } }

    /// Makes worker `index`'s client (what ``RuntimeWorkers/run(_:makeClient:handler:logger:nextRetry:sleep:)`` calls).
    func makeClient(_ index: Int) -> Client {
        state.withLock { $0.clientThreads[index] = pthread_self() }
        return Client(api: self, thread: pthread_self())
    }

    /// Blocks until at least `count` workers wait in `/next`, or `timeoutMilliseconds` pass.
    /// - Returns: Whether they did.
    func waitForPolling(_ count: Int, timeoutMilliseconds: Int64 = 10_000) -> Bool {
        waitUntil(timeoutMilliseconds) { self.polling >= count }
    }

    /// Blocks until `count` posts were made, or `timeoutMilliseconds` pass.
    func waitForPosts(_ count: Int, timeoutMilliseconds: Int64 = 10_000) -> Bool {
        waitUntil(timeoutMilliseconds) { self.posts.count >= count }
    }

    fileprivate func next(on thread: pthread_t) throws(RuntimeAPIError) -> Invocation {
        state.withLock { state in
            state.polling += 1
            state.maxPolling = max(state.maxPolling, state.polling)
            if pthread_equal(thread, pthread_self()) == 0 { state.callsOffTheirThread += 1 }
        }
        // A long-poll: look at the queue every millisecond until something comes.
        while true {
            let taken: Result<Invocation, RuntimeAPIError>? = state.withLock { state in
                if !state.queue.isEmpty {
                    state.polling -= 1
                    return state.queue.removeFirst()
                }
                if let closed = state.closedWith {
                    state.polling -= 1
                    return .failure(closed)
                }
                return nil
            }
            if let taken { return try taken.get() }
            SystemClock.sleep(milliseconds: 1)
        }
    }

    fileprivate func post(_ post: Post, on thread: pthread_t) -> RuntimeAPIClient.PostOutcome {
        state.withLock { state in
            if pthread_equal(thread, pthread_self()) == 0 { state.callsOffTheirThread += 1 }
            state.posts.append(post)
        }
        return .accepted
    }

    /// One worker's client: not Sendable, used only on the thread that made it.
    final class Client: RuntimeAPIClientProtocol {
        private let api: SharedRuntimeAPI
        private let thread: pthread_t

        fileprivate init(api: SharedRuntimeAPI, thread: pthread_t) {
            self.api = api
            self.thread = thread
        }

        func nextInvocation() throws(RuntimeAPIError) -> Invocation {
            try api.next(on: thread)
        }

        func sendResponse(_ body: [UInt8], to address: InvocationAddress) throws(RuntimeAPIError) -> RuntimeAPIClient.PostOutcome {
            api.post(Post(address: address, isResponse: true), on: thread)
        }

        func sendError(_ error: FunctionError, to address: InvocationAddress) throws(RuntimeAPIError) -> RuntimeAPIClient.PostOutcome {
            api.post(Post(address: address, isResponse: false), on: thread)
        }
    }
}

/// A handler shared by several workers: it records what each invocation saw and holds every
/// invocation until `gate` are in flight at once (or 10 s pass), so a test can prove they overlap.
final class OverlappingHandler: InvocationHandler, Sendable {
    struct Seen: Equatable {
        let requestID: String
        let loggerRequestID: String?
        let thread: pthread_t

        static func == (lhs: Seen, rhs: Seen) -> Bool {
            lhs.requestID == rhs.requestID && lhs.loggerRequestID == rhs.loggerRequestID && pthread_equal(lhs.thread, rhs.thread) != 0
        }
    }

    private struct State {
        var inFlight = 0
        var maxInFlight = 0
        var seen: [Seen] = []
    }

    private let state = Mutex(State())
    private let gate: Int

    init(gate: Int) {
        self.gate = gate
    }

    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    var seen: [Seen] { state.withLock { $0.seen } }

    func handle(_ invocation: Invocation, logger: Logger) -> Result<[UInt8], FunctionError> {
        state.withLock { state in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            state.seen.append(Seen(requestID: invocation.context.requestID, loggerRequestID: logger.requestID, thread: pthread_self()))
        }
        _ = waitUntil(10_000) { self.state.withLock { $0.maxInFlight >= self.gate } }
        logger.info("handled")
        state.withLock { $0.inFlight -= 1 }
        return .success(Array("{}".utf8))
    }
}

/// Checks a condition every millisecond until it holds or the time is up.
/// - Returns: Whether it held.
func waitUntil(_ timeoutMilliseconds: Int64, _ condition: () -> Bool) -> Bool {
    let end = SystemClock.monotonicNanoseconds() + UInt64(timeoutMilliseconds) * 1_000_000
    while !condition() {
        if SystemClock.monotonicNanoseconds() >= end { return false }
        SystemClock.sleep(milliseconds: 1)
    }
    return true
}
