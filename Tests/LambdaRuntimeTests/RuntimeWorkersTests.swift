#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Essentials
import JSON
import Synchronization
@testable import LambdaRuntime
import Testing

/// The workers of Lambda Managed Instances against a shared scripted Runtime API: real threads,
/// no sockets. These also run under the thread sanitizer (scripts/test).
@Suite("RuntimeWorkers")
struct RuntimeWorkersTests {
    static let forbidden = RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 403, body: "Forbidden"))

    /// Starts the workers on a thread of the test's own and returns a way to wait for their stop.
    static func start(_ concurrency: RuntimeConcurrency, api: SharedRuntimeAPI, handler: some InvocationHandler & Sendable,
                      logger: Logger,
                      makeClient: (@Sendable (Int) throws(RuntimeAPIError) -> any RuntimeAPIClientProtocol)? = nil)
        throws -> () -> RuntimeWorkers.Stop? {
        let stop = Mutex<RuntimeWorkers.Stop?>(nil)
        let make: @Sendable (Int) throws(RuntimeAPIError) -> any RuntimeAPIClientProtocol = makeClient ?? { api.makeClient($0) }
        let runner = try WorkerThread.start(name: "runner") {
            let result = RuntimeWorkers.run(concurrency, makeClient: make, handler: handler, logger: logger, sleep: { _ in })
            stop.withLock { $0 = result }
        }
        return {
            guard waitUntil(10_000, { stop.withLock { $0 != nil } }) else { return nil }
            runner.join()
            return stop.withLock { $0 }
        }
    }

    @Test("four workers poll at once, each with its own client on its own thread, and serve four invocations at once")
    func fourWorkers() throws {
        let api = SharedRuntimeAPI()
        let handler = OverlappingHandler(gate: 4)
        let log = LogLines()
        let waitForStop = try Self.start(RuntimeConcurrency(workers: 4), api: api, handler: handler, logger: log.logger)
        defer { api.close(with: Self.forbidden) }

        #expect(api.waitForPolling(4), "four /next long-polls at once")
        api.deliver((1...4).map { .success(ScriptedRuntimeAPIClient.invocation("r-\($0)", invocationID: "i-\($0)")) })
        #expect(api.waitForPosts(4))
        #expect(handler.maxInFlight == 4, "the four invocations overlapped")

        let threads = api.clientThreads
        #expect(threads.keys.sorted() == [0, 1, 2, 3])
        let distinct = threads.values.reduce(into: [pthread_t]()) { list, thread in
            if !list.contains(where: { pthread_equal($0, thread) != 0 }) { list.append(thread) }
        }
        #expect(distinct.count == 4, "a thread per worker")
        #expect(!distinct.contains { pthread_equal($0, pthread_self()) != 0 })
        #expect(api.callsOffTheirThread == 0, "a client is only used on the thread that made it")
        #expect(Set(api.posts.map(\.address)) == Set((1...4).map { InvocationAddress(requestID: "r-\($0)", invocationID: "i-\($0)") }),
                "each answer echoes its own invocation's ID")
        #expect(handler.seen.allSatisfy { $0.loggerRequestID == $0.requestID }, "each invocation's logger carries its own request ID")
        for seen in handler.seen {
            #expect(threads.values.contains { pthread_equal($0, seen.thread) != 0 }, "handled on a worker thread")
        }

        api.deliver([.failure(Self.forbidden)])
        let stop = try #require(waitForStop())
        #expect(stop.reason == .runtimeAPI(Self.forbidden))
        #expect(stop.workers == 4)
        #expect((0..<4).contains(stop.worker))
        #expect(stop.description == "worker \(stop.worker) of 4: \(Self.forbidden)")
    }

    @Test("with several workers, JSON lines of an invocation carry its requestId, and a worker's own lines carry its number")
    func workerLines() throws {
        let api = SharedRuntimeAPI()
        let log = LogLines(format: .json)
        let waitForStop = try Self.start(RuntimeConcurrency(workers: 2), api: api, handler: OverlappingHandler(gate: 1), logger: log.logger)
        defer { api.close(with: Self.forbidden) }
        #expect(api.waitForPolling(2))
        let transient = RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 500, body: "Container error"))
        api.deliver([.success(ScriptedRuntimeAPIClient.invocation("r-a")), .failure(transient), .success(ScriptedRuntimeAPIClient.invocation("r-b"))])
        #expect(api.waitForPosts(2))
        api.deliver([.failure(Self.forbidden)])
        _ = try #require(waitForStop())

        let lines = try log.lines.map { try JSONValue.parse(Array($0.utf8)) }
        let handled = lines.filter { $0["message"]?.stringValue == "handled" }
        #expect(Set(handled.compactMap { $0["requestId"]?.stringValue }) == ["r-a", "r-b"])
        #expect(handled.allSatisfy { $0["worker"] == nil }, "invocation lines carry the request, not the worker")
        let retry = try #require(lines.first { $0["message"]?.stringValue?.contains("trying /next again") == true })
        #expect(retry["requestId"] == nil)
        let worker = try #require(retry["worker"]?.numberValue?.int64Value)
        #expect((0..<2).contains(worker))
    }

    @Test("a worker whose client cannot be made stops the runtime, naming the worker, while the others are serving")
    func clientFails() throws {
        let api = SharedRuntimeAPI()
        let broken = RuntimeAPIError(.invalidEndpoint("nowhere"))
        let waitForStop = try Self.start(RuntimeConcurrency(workers: 3), api: api, handler: OverlappingHandler(gate: 1),
                                         logger: LogLines().logger) { index throws(RuntimeAPIError) in
            if index == 2 { throw broken }
            return api.makeClient(index)
        }
        defer { api.close(with: Self.forbidden) }
        let stop = try #require(waitForStop())
        #expect(stop == RuntimeWorkers.Stop(worker: 2, reason: .runtimeAPI(broken), workers: 3))
        #expect(stop.description == "worker 2 of 3: AWS_LAMBDA_RUNTIME_API must be host:port, found \"nowhere\"")
    }

    @Test("one worker runs the loop on the calling thread, and its stop is the Runtime API's failure alone")
    func singleWorker() throws {
        let api = SharedRuntimeAPI()
        api.deliver([.success(ScriptedRuntimeAPIClient.invocation("r-1", invocationID: "i-1")), .failure(Self.forbidden)])
        let stop = RuntimeWorkers.run(.single, makeClient: { api.makeClient($0) }, handler: OverlappingHandler(gate: 1),
                                      logger: LogLines().logger, sleep: { _ in })
        #expect(stop == RuntimeWorkers.Stop(worker: 0, reason: .runtimeAPI(Self.forbidden), workers: 1))
        #expect(stop.description == Self.forbidden.description)
        #expect(api.clientThreads.count == 1)
        #expect(api.clientThreads[0].map { pthread_equal($0, pthread_self()) != 0 } == true, "no thread of its own")
        #expect(api.posts == [SharedRuntimeAPI.Post(address: InvocationAddress(requestID: "r-1", invocationID: "i-1"), isResponse: true)])
    }
}
