import Essentials

/// The two clocks the protocol reads: the wall clock for claims, leases and timestamps, the
/// monotonic clock for latencies. Injected, so tests pin time and move it.
public struct PipelineClocks: Sendable {
    /// Unix time in milliseconds.
    public var wallMilliseconds: @Sendable () -> Int64
    /// A monotonic clock in nanoseconds.
    public var monotonicNanoseconds: @Sendable () -> UInt64

    /// Creates clocks.
    public init(wallMilliseconds: @escaping @Sendable () -> Int64, monotonicNanoseconds: @escaping @Sendable () -> UInt64) {
        self.wallMilliseconds = wallMilliseconds
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    /// The system's clocks.
    public static let system = PipelineClocks(wallMilliseconds: { SystemClock.wallMilliseconds() },
                                              monotonicNanoseconds: { SystemClock.monotonicNanoseconds() })

    /// Time elapsed on the monotonic clock, in milliseconds with sub-millisecond precision.
    func milliseconds(since start: UInt64) -> Double {
        Double(monotonicNanoseconds() - start) / 1_000_000
    }
}
