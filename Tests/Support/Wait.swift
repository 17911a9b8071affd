import Foundation

/// Polls a condition until it holds or the bound passes: tests wait on conditions, never on sleeps.
/// - Parameters:
///   - description: What is awaited, for the failure message.
///   - timeout: The bound.
///   - interval: Time between polls.
///   - condition: Returns `true` when satisfied.
/// - Throws: ``TestSetupError`` when the bound passes first, or whatever the condition throws.
package func waitUntil(_ description: String, timeout: Duration = .seconds(15), interval: Duration = .milliseconds(20),
               _ condition: () throws -> Bool) throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try condition() { return }
        if clock.now >= deadline { throw TestSetupError("timed out after \(timeout) waiting for \(description)") }
        Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
    }
}
