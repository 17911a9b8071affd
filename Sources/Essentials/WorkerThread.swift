#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A POSIX thread that runs one closure: the runtime's workers on Lambda Managed Instances, each
/// running blocking libcurl code, without Foundation's `Thread` or Dispatch (neither is linked in).
public final class WorkerThread: Sendable {
    /// A thread the system would not start, with `pthread_create`'s reason.
    public struct StartError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The thread's name.
        public var name: String
        /// `strerror` of the code `pthread_create` returned, e.g. "Resource temporarily unavailable".
        public var reason: String
        public var description: String { "cannot start thread \(name): \(reason)" }
    }

    /// 8 MiB, the main thread's stack on Lambda (`ulimit -s`), so a worker runs what the main
    /// thread could (the JSON parser nests up to 512 levels). Only the touched pages cost memory.
    public static let stackBytes = 8 << 20

    private let thread: pthread_t
    /// Whether ``join()`` or ``detach()`` has run: a POSIX thread is joined or detached once.
    private let released = Mutex(false)

    private init(thread: pthread_t) {
        self.thread = thread
    }

    /// Starts a thread running `body`.
    /// - Parameters:
    ///   - name: Names the thread in errors (`pthread_setname_np` is a GNU extension the Glibc
    ///     module does not expose).
    ///   - body: What the thread runs; the thread ends when it returns.
    /// - Returns: The running thread.
    /// - Throws: ``StartError`` when `pthread_create` fails (out of threads or memory).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(StartError) -> WorkerThread {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        // The closure travels to the new thread as a retained pointer, released there.
        let payload = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { raw in
            guard let raw else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, payload)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(payload).release()
            throw StartError(name: name, reason: String(cString: strerror(result)))
        }
        return WorkerThread(thread: thread)
    }

    /// Waits until the thread's closure has returned. Later calls (or calls after ``detach()``) return at once.
    public func join() {
        released.withLock { released in
            guard !released else { return }
            pthread_join(thread, nil)
            released = true
        }
    }

    /// Lets the system reclaim the thread when it ends, for a thread nobody will join (one that
    /// lives as long as the process).
    public func detach() {
        released.withLock { released in
            guard !released else { return }
            pthread_detach(thread)
            released = true
        }
    }
}

/// The closure a thread runs, boxed so it can cross `pthread_create` as one pointer.
private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void

    init(_ run: @escaping @Sendable () -> Void) {
        self.run = run
    }
}

/// A counting semaphore (POSIX `sem_t`): one thread waits until others signal, without Dispatch.
public final class Semaphore: @unchecked Sendable {
    // @unchecked: a sem_t is made to be used from many threads at once; its address never changes.
    private let semaphore: UnsafeMutablePointer<sem_t>

    /// Creates a semaphore.
    /// - Parameter value: Signals available before the first wait.
    public init(value: UInt32 = 0) {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, value)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Adds one signal, waking one waiter.
    public func signal() {
        sem_post(semaphore)
    }

    /// Blocks until a signal is available and takes it.
    public func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
