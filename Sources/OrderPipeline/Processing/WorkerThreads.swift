import Essentials

/// Runs the same blocking work on a few threads at once and waits for all of them: the records of
/// one batch, each thread with its own connections from the shared client's pool.
///
/// Threads are the runtime's own ``WorkerThread``s (POSIX threads, no Dispatch or Foundation),
/// started per batch and joined before the batch answers, so no thread outlives the invocation that
/// needed it. Starting one costs tens of microseconds, against the milliseconds of one AWS request.
enum WorkerThreads {
    /// Calls `work` on `count` threads (the calling thread is one of them) and returns when all have returned.
    /// If the system refuses a thread, the others (at least the calling one) do its share.
    static func run(count: Int, _ work: @escaping @Sendable () -> Void) {
        var threads: [WorkerThread] = []
        for index in 1..<max(1, count) {
            guard let thread = try? WorkerThread.start(name: "batch record worker \(index)", work) else { break }
            threads.append(thread)
        }
        work()
        for thread in threads {
            thread.join()
        }
    }
}
