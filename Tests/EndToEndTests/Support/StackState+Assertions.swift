import Testing
import TestSupport

/// The end state every exactly-once test checks, said once.
extension StackState {
    /// The order's object has exactly one version: it was written once, whatever happened.
    func expectOneVersion(of orderID: String, prefix: String = "raw/events/", _ comment: Comment? = nil,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        let key = prefix + orderID + ".json"
        #expect(versions(of: key).count == 1, comment ?? "\(key) is written exactly once", sourceLocation: sourceLocation)
    }

    /// The order's claim item is `COMPLETED`.
    func expectCompleted(_ orderID: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(attribute("status", of: orderID) == "COMPLETED", comment ?? "order \(orderID)'s claim item is COMPLETED",
                sourceLocation: sourceLocation)
    }

    /// The order ended exactly once: one object version and a `COMPLETED` claim item.
    func expectProcessedOnce(_ orderID: String, prefix: String = "raw/events/", sourceLocation: SourceLocation = #_sourceLocation) {
        expectOneVersion(of: orderID, prefix: prefix, sourceLocation: sourceLocation)
        expectCompleted(orderID, sourceLocation: sourceLocation)
    }
}
