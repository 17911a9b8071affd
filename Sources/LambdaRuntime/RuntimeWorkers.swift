import Essentials
import JSON
import Synchronization

/// Runs the loop on as many workers as ``RuntimeConcurrency`` says: one on the calling thread, or
/// N threads (Lambda Managed Instances), each with its own Runtime API connection and `/next`
/// long-poll, all sharing one handler (and through it one AWS client and one logger sink).
///
/// A worker whose `/next` fails for good ends the whole runtime: ``run(_:makeClient:handler:logger:nextRetry:sleep:)``
/// returns at once and `main` exits, so Lambda restarts the execution environment instead of
/// routing invocations to a process that has fewer workers than it announced (the Rust runtime
/// keeps the survivors running; we do not). A Swift trap on any worker (a broken invariant) kills
/// the process, which Lambda also restarts; the invocations in flight on the other workers end as
/// `Runtime.ExitError` and are retried by their sources, and the exactly-once protocol makes the
/// retries safe.
public enum RuntimeWorkers {
    /// Why the runtime stopped.
    public struct Stop: Error, Sendable, Equatable, CustomStringConvertible {
        /// What ended it.
        public enum Reason: Sendable, Equatable {
            /// The worker's `/next` failed for good (or its client could not be made).
            case runtimeAPI(RuntimeAPIError)
            /// The worker's thread could not be started.
            case threadNotStarted(WorkerThread.StartError)
        }

        /// The worker, from 0.
        public var worker: Int
        /// What ended it.
        public var reason: Reason
        /// How many workers were running.
        public var workers: Int

        public var description: String {
            let detail: String
            switch reason {
            case .runtimeAPI(let error): detail = error.description
            case .threadNotStarted(let error): detail = error.description
            }
            return workers == 1 ? detail : "worker \(worker) of \(workers): \(detail)"
        }
    }

    /// Serves invocations on `concurrency.workers` workers until one of them stops.
    /// - Parameters:
    ///   - concurrency: How many workers.
    ///   - makeClient: Makes a worker's own Runtime API client; called on that worker's thread,
    ///     which is the only one to use it.
    ///   - handler: The function, shared by every worker.
    ///   - logger: The process logger; a worker's lines outside invocations carry `worker`.
    ///   - nextRetry: Waits between `/next` tries.
    ///   - sleep: Blocks for the given milliseconds.
    /// - Returns: What stopped the first worker to stop; the others are still running.
    public static func run<Handler: InvocationHandler & Sendable>(
        _ concurrency: RuntimeConcurrency,
        makeClient: @escaping @Sendable (Int) throws(RuntimeAPIError) -> any RuntimeAPIClientProtocol,
        handler: Handler,
        logger: Logger,
        nextRetry: NextRetryPolicy = .standard,
        sleep: @escaping @Sendable (Int64) -> Void = { SystemClock.sleep(milliseconds: $0) }
    ) -> Stop {
        let workers = concurrency.workers
        guard concurrency.isConcurrent else {
            // One invocation at a time: the calling thread is the worker, and `_X_AMZN_TRACE_ID`
            // follows the invocation, as the Runtime API asks of custom runtimes.
            return Stop(worker: 0, reason: .runtimeAPI(serve(0, makeClient, handler, logger, true, nextRetry, sleep)), workers: 1)
        }
        let firstStop = FirstStop()
        for index in 0..<workers {
            let workerLogger = logger.with("worker", .number(.init(index)))
            do {
                // Never joined: a worker lives as long as the process (the first to stop ends it).
                try WorkerThread.start(name: "worker-\(index)") {
                    let failure = serve(index, makeClient, handler, workerLogger, false, nextRetry, sleep)
                    firstStop.record(Stop(worker: index, reason: .runtimeAPI(failure), workers: workers))
                }.detach()
            } catch {
                firstStop.record(Stop(worker: index, reason: .threadNotStarted(error), workers: workers))
                break
            }
        }
        return firstStop.wait()
    }

    /// One worker: its own client, then the loop until `/next` fails for good.
    private static func serve(
        _ index: Int, _ makeClient: (Int) throws(RuntimeAPIError) -> any RuntimeAPIClientProtocol, _ handler: some InvocationHandler,
        _ logger: Logger, _ setsTraceEnvironment: Bool, _ nextRetry: NextRetryPolicy, _ sleep: (Int64) -> Void
    ) -> RuntimeAPIError {
        let client: any RuntimeAPIClientProtocol
        do {
            client = try makeClient(index)
        } catch {
            return error
        }
        return RuntimeLoop.run(client: client, handler: handler, logger: logger, setsTraceEnvironment: setsTraceEnvironment,
                               nextRetry: nextRetry, sleep: sleep)
    }
}

/// The first stop any worker records; the thread that waits wakes at the first one.
private final class FirstStop: Sendable {
    private let first = Mutex<RuntimeWorkers.Stop?>(nil)
    private let stopped = Semaphore()

    func record(_ stop: RuntimeWorkers.Stop) {
        let isFirst = first.withLock { first in
            guard first == nil else { return false }
            first = stop
            return true
        }
        if isFirst { stopped.signal() }
    }

    func wait() -> RuntimeWorkers.Stop {
        stopped.wait()
        guard let stop = first.withLock({ $0 }) else { preconditionFailure("a signal is only sent after a stop is recorded") }
        return stop
    }
}
