@testable import OrderPipeline
import Testing

@Suite("ClaimDecision")
struct ClaimDecisionTests {
    /// 2026-11-25T19:09:06.123Z in Unix milliseconds.
    static let now: Int64 = 1_795_633_746_123
    static let nowSeconds: Int64 = now / 1_000
    static let me = "req-me"
    static let hash = "hash-of-this-event"

    static func record(_ status: ClaimStatus?, owner: String? = "req-other", lease: Int64? = nil, expiry: Int64? = nil,
                       hash: String? = ClaimDecisionTests.hash, rawStatus: String? = nil) -> ClaimRecord {
        var record = ClaimRecord(orderID: "123", status: status, owner: owner, leaseExpiresMilliseconds: lease,
                                 expiryTimeSeconds: expiry, payloadHash: hash)
        if let rawStatus { record.rawStatus = rawStatus }
        return record
    }

    static func decide(_ existing: ClaimRecord?, now: Int64 = ClaimDecisionTests.now) -> ClaimDecision {
        ClaimDecision.decide(existing: existing, requestID: me, payloadHash: hash, nowMilliseconds: now)
    }

    @Test("no item (it vanished since the condition failed) means claim again")
    func noItem() {
        #expect(Self.decide(nil) == .claimAgain)
    }

    @Test("an item whose TTL has passed counts as gone, whatever its status", arguments: [
        record(.completed, expiry: nowSeconds - 1),
        record(.completed, expiry: nowSeconds - 1, hash: "other"),
        record(.inProgress, lease: now + 60_000, expiry: nowSeconds - 1),
        record(nil, expiry: nowSeconds - 1, rawStatus: "ARCHIVED"),
    ])
    func ttlExpired(_ existing: ClaimRecord) {
        #expect(Self.decide(existing) == .claimAgain)
    }

    @Test("a completed order with the same hash is a duplicate")
    func completedSameHash() {
        let existing = Self.record(.completed, expiry: Self.nowSeconds + 172_800)
        #expect(Self.decide(existing) == .duplicate(existing))
    }

    @Test("a completed order stored without a hash is a duplicate")
    func completedWithoutHash() {
        let existing = Self.record(.completed, hash: nil)
        #expect(Self.decide(existing) == .duplicate(existing))
    }

    @Test("a completed order with another hash is a conflict")
    func completedOtherHash() {
        let existing = Self.record(.completed, hash: "hash-of-another-event")
        #expect(Self.decide(existing) == .conflict(existing))
    }

    @Test("a claim held by this very request is ours: proceed", arguments: [Optional(now + 1), now - 1, nil])
    func ownClaim(_ lease: Int64?) {
        #expect(Self.decide(Self.record(.inProgress, owner: Self.me, lease: lease)) == .proceed)
    }

    @Test("someone else's live claim is in progress", arguments: [Optional(now + 1), now + 900_000, nil])
    func liveLease(_ lease: Int64?) {
        let existing = Self.record(.inProgress, lease: lease)
        #expect(Self.decide(existing) == .inProgress(existing))
    }

    @Test("someone else's expired claim can be claimed again", arguments: [now - 1, now - 900_000])
    func expiredLease(_ lease: Int64) {
        #expect(Self.decide(Self.record(.inProgress, lease: lease)) == .claimAgain)
    }

    @Test("an unknown status is a conflict, never overwritten or waited for")
    func unknownStatus() {
        let existing = Self.record(nil, rawStatus: "ARCHIVED")
        #expect(Self.decide(existing) == .conflict(existing))
    }

    // MARK: - Units: the TTL is in seconds, the lease in milliseconds (the trap Powertools fell into)

    @Test("a TTL in seconds an hour ahead is live, though it is far below now in milliseconds")
    func ttlSecondsNotMilliseconds() {
        let existing = Self.record(.completed, expiry: Self.nowSeconds + 3_600)
        #expect(existing.expiryTimeSeconds.map { $0 < Self.now } == true, "compared with milliseconds it would look expired")
        #expect(Self.decide(existing) == .duplicate(existing))
    }

    @Test("a lease in milliseconds one second ahead is live, though it is far above now in seconds")
    func leaseMillisecondsNotSeconds() {
        let existing = Self.record(.inProgress, lease: Self.now + 1_000, expiry: Self.nowSeconds + 172_800)
        #expect(Self.decide(existing) == .inProgress(existing))
        let expired = Self.record(.inProgress, lease: Self.now - 1_000, expiry: Self.nowSeconds + 172_800)
        #expect(Self.decide(expired) == .claimAgain)
    }

    @Test("a lease that ends exactly now is still held, as the claim condition `lease_expires_ms < :now_ms` sees it")
    func leaseOfExactlyNow() {
        let existing = Self.record(.inProgress, lease: Self.now)
        #expect(Self.decide(existing) == .inProgress(existing))
        #expect(Self.decide(existing, now: Self.now + 1) == .claimAgain)
    }

    @Test("a TTL of exactly this second is still live, as the claim condition `expiry_time < :now_s` sees it")
    func ttlOfExactlyNow() {
        let existing = Self.record(.completed, expiry: Self.nowSeconds)
        #expect(Self.decide(existing) == .duplicate(existing))
        #expect(Self.decide(existing, now: (Self.nowSeconds + 1) * 1_000) == .claimAgain)
        #expect(Self.decide(existing, now: Self.nowSeconds * 1_000 + 999) == .duplicate(existing), "the same second, rounded down")
    }
}
