/// What to do when the conditional claim was refused, decided from the item that blocked it
/// (returned with the failure: no extra read).
public enum ClaimDecision: Sendable, Equatable {
    /// The claim is ours already: an earlier attempt of this request got it (a retried request
    /// whose first try succeeded, or Lambda redelivering under the same request ID). Carry on.
    case proceed
    /// The order is done and this is the same order: answer as a duplicate.
    case duplicate(ClaimRecord)
    /// The order ID is done with different content: refuse, touch nothing.
    case conflict(ClaimRecord)
    /// Someone else holds a live claim: fail with a retryable error.
    case inProgress(ClaimRecord)
    /// The blocking item has expired (or vanished) since DynamoDB looked: claim again.
    case claimAgain

    /// Decides.
    /// - Parameters:
    ///   - existing: The item that failed the condition, if DynamoDB returned one.
    ///   - requestID: This invocation's request ID.
    ///   - payloadHash: The hash of this event's canonical order.
    ///   - nowMilliseconds: The current Unix time in milliseconds.
    /// - Returns: The decision.
    public static func decide(existing: ClaimRecord?, requestID: String, payloadHash: String, nowMilliseconds: Int64) -> ClaimDecision {
        guard let existing else { return .claimAgain }
        // Seconds against seconds: the TTL attribute is epoch seconds, the lease epoch milliseconds.
        if let expiry = existing.expiryTimeSeconds, expiry < nowMilliseconds / 1_000 { return .claimAgain }
        switch existing.status {
        case .completed:
            // Items written without a hash cannot prove a conflict: treat them as the same order.
            if let stored = existing.payloadHash, stored != payloadHash { return .conflict(existing) }
            return .duplicate(existing)
        case .inProgress:
            if existing.owner == requestID { return .proceed }
            if let lease = existing.leaseExpiresMilliseconds, lease < nowMilliseconds { return .claimAgain }
            return .inProgress(existing)
        case nil:
            // An unknown status is not ours to overwrite or to wait for: surface it.
            return .conflict(existing)
        }
    }
}
