import Essentials
import Foundation
import Testing

@Suite("SystemClock")
struct SystemClockTests {
    @Test("the wall clock is Unix time in milliseconds")
    func wall() {
        let before = Int64(Date().timeIntervalSince1970 * 1_000)
        let wall = SystemClock.wallMilliseconds()
        let after = Int64(Date().timeIntervalSince1970 * 1_000)
        #expect(wall >= before - 1 && wall <= after + 1, "\(before) ≤ \(wall) ≤ \(after)")
    }

    @Test("the monotonic clock never goes back, and a sleep lasts at least what was asked")
    func monotonicAndSleep() {
        let start = SystemClock.monotonicNanoseconds()
        SystemClock.sleep(milliseconds: 5)
        let end = SystemClock.monotonicNanoseconds()
        #expect(end >= start + 5_000_000)
    }

    @Test("sleeping zero or a negative time returns at once")
    func noSleep() {
        let start = SystemClock.monotonicNanoseconds()
        SystemClock.sleep(milliseconds: 0)
        SystemClock.sleep(milliseconds: -100)
        #expect(SystemClock.monotonicNanoseconds() >= start)
    }
}
