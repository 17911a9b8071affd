#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Essentials
import Synchronization
import Testing

@Suite("WorkerThread")
struct WorkerThreadTests {
    @Test("the closure runs on a thread of its own, and join waits until it has returned")
    func runsAndJoins() throws {
        let caller = pthread_self()
        let seen = Mutex<(thread: pthread_t?, done: Bool)>((nil, false))
        let thread = try WorkerThread.start(name: "test") {
            seen.withLock { $0.thread = pthread_self() }
            seen.withLock { $0.done = true }
        }
        thread.join()
        let (worker, done) = seen.withLock { ($0.thread, $0.done) }
        #expect(done)
        let other = try #require(worker)
        #expect(pthread_equal(other, caller) == 0, "not the calling thread")
        thread.join()  // a second join returns at once
    }

    @Test("many threads run at once: each waits until all have started")
    func runConcurrently() throws {
        let count = 16
        let started = Mutex(0)
        let allStarted = Semaphore()
        let threads = try (0..<count).map { index in
            try WorkerThread.start(name: "t-\(index)") {
                let now = started.withLock { value -> Int in
                    value += 1
                    return value
                }
                if now == count { allStarted.signal() }
            }
        }
        allStarted.wait()
        for thread in threads { thread.join() }
        #expect(started.withLock { $0 } == count)
    }

    @Test("a detached thread still runs its closure to the end")
    func detached() throws {
        let finished = Semaphore()
        let ran = Mutex(false)
        try WorkerThread.start(name: "detached") {
            ran.withLock { $0 = true }
            finished.signal()
        }.detach()
        finished.wait()
        #expect(ran.withLock { $0 })
    }

    @Test("a thread gets a stack the size of the main thread's on Lambda: deep recursion fits")
    func stack() throws {
        #expect(WorkerThread.stackBytes == 8 * 1_024 * 1_024)
        let depth = Mutex(0)
        @Sendable func recurse(_ level: Int) -> Int {
            // ~1 KiB of stack per level, 2 000 levels: more than the 512 KiB a default-sized
            // secondary thread gets on some systems, well within 8 MiB.
            var buffer = [UInt8](repeating: UInt8(level & 0xFF), count: 16)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1_024) { frame in
                frame.initialize(repeating: buffer[0])
                buffer[0] = frame[1_023]
                return level == 0 ? Int(buffer[0]) : recurse(level - 1) + 1
            }
        }
        let thread = try WorkerThread.start(name: "deep") { depth.withLock { $0 = recurse(2_000) } }
        thread.join()
        #expect(depth.withLock { $0 } == 2_000)
    }
}

@Suite("Semaphore")
struct SemaphoreTests {
    @Test("each signal lets one wait through, whichever thread signals")
    func signals() throws {
        let semaphore = Semaphore(value: 1)
        semaphore.wait()  // the initial signal
        let order = Mutex<[String]>([])
        let thread = try WorkerThread.start(name: "signaller") {
            order.withLock { $0.append("signal") }
            semaphore.signal()
        }
        semaphore.wait()
        order.withLock { $0.append("woke") }
        thread.join()
        #expect(order.withLock { $0 } == ["signal", "woke"])
    }
}
