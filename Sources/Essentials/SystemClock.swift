#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The wall clock, a monotonic clock and sleeping, without Foundation.
///
/// Protocol code takes these as parameters (`now: () -> Int64`) so tests can pin time.
public enum SystemClock {
    /// Unix time in milliseconds (`CLOCK_REALTIME`).
    public static func wallMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// A monotonic reading in nanoseconds (`CLOCK_MONOTONIC`), for measuring durations.
    public static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Blocks the calling thread (the loop is synchronous: one invocation at a time).
    /// - Parameter milliseconds: How long; zero or less returns at once.
    public static func sleep(milliseconds: Int64) {
        guard milliseconds > 0 else { return }
        var request = timespec(tv_sec: Int(milliseconds / 1_000), tv_nsec: Int(milliseconds % 1_000) * 1_000_000)
        var remaining = timespec()
        // nanosleep returns early on a signal; sleep for whatever is left.
        while nanosleep(&request, &remaining) == -1 && errno == EINTR {
            request = remaining
        }
    }
}
