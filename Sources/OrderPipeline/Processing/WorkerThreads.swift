#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs the same blocking work on a few threads at once and waits for all of them: the records of
/// one batch, each thread with its own connections from the shared client's pool.
///
/// Plain pthreads, started per batch and joined before the batch answers: no Dispatch or Foundation
/// in the binary, and no thread outlives the invocation that needed it. Starting one costs tens of
/// microseconds, against the milliseconds of one AWS request.
enum WorkerThreads {
    /// Calls `work` on `count` threads (the calling thread is one of them) and returns when all have returned.
    /// If the system refuses a thread, the others (at least the calling one) do its share.
    static func run(count: Int, _ work: @escaping @Sendable () -> Void) {
        var threads: [pthread_t] = []
        for _ in 1..<max(1, count) {
            let box = Unmanaged.passRetained(WorkBox(work)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { pointer in
                guard let pointer else { return nil }
                let box = Unmanaged<WorkBox>.fromOpaque(pointer).takeRetainedValue()
                box.work()
                return nil
            }, box)
            guard status == 0 else {
                Unmanaged<WorkBox>.fromOpaque(box).release()
                break
            }
            threads.append(thread)
        }
        work()
        for thread in threads {
            pthread_join(thread, nil)
        }
    }

    private final class WorkBox: Sendable {
        let work: @Sendable () -> Void
        init(_ work: @escaping @Sendable () -> Void) { self.work = work }
    }
}
