import Foundation
import TestSupport

/// Runs `count` blocking calls at once on their own threads and collects the results in order.
/// (The cooperative thread pool has as many threads as cores, so it cannot run 50 blocking calls at once.)
func concurrently<Result: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> Result) -> [Result] {
    let slots = ResultSlots<Result>()
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            let value = body(index)
            slots.lock.withLock { slots.values[index] = value }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    return (0..<count).compactMap { slots.values[$0] }
}

/// Results filled in by several threads.
private final class ResultSlots<Value>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: Value] = [:]
}

/// Unix time in milliseconds, as the function and moto see it.
func nowMilliseconds() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1_000)
}
