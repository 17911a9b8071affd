import Essentials
import Synchronization

/// Collects the lines a logger writes, so a test can read them back.
final class CollectingLogSink: Sendable {
    private let collected = Mutex<[String]>([])

    /// The sink to hand to a `Logger`.
    var sink: LogSink {
        LogSink { [self] line in collected.withLock { $0.append(line) } }
    }

    /// Every line written so far, in order.
    var lines: [String] {
        collected.withLock { $0 }
    }
}
