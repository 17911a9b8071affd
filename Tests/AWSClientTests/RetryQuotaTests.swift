@testable import AWSClient
import Testing

@Suite("RetryQuota")
struct RetryQuotaTests {
    @Test("a new quota holds 500 tokens; a retry costs 14, one after throttling 5")
    func standardNumbers() {
        let quota = RetryQuota()
        #expect(quota.capacity == 500)
        #expect(quota.available == 500)
        #expect(quota.retryCost == 14)
        #expect(quota.throttlingRetryCost == 5)
    }

    @Test("a retry takes its cost from the bucket", arguments: [
        (FailureKind.transient, 14), (.timeout, 14), (.clockSkew, 14), (.throttling, 5),
    ])
    func acquire(_ kind: FailureKind, _ cost: Int) {
        var quota = RetryQuota()
        #expect(quota.acquire(for: kind) == cost)
        #expect(quota.available == 500 - cost)
    }

    @Test("a retry the bucket cannot pay for is refused and takes nothing")
    func refusesWhenEmpty() {
        var quota = RetryQuota(capacity: 14)
        #expect(quota.acquire(for: .transient) == 14, "exactly enough is enough")
        #expect(quota.available == 0)
        #expect(quota.acquire(for: .transient) == nil)
        #expect(quota.acquire(for: .throttling) == nil)
        #expect(quota.available == 0)

        var almost = RetryQuota(capacity: 13)
        #expect(almost.acquire(for: .transient) == nil)
        #expect(almost.available == 13)
        #expect(almost.acquire(for: .throttling) == 5, "a cheaper throttling retry may still fit")
        #expect(almost.available == 8)
    }

    @Test("a success refunds what its retries took")
    func refund() {
        var quota = RetryQuota()
        let paid = (quota.acquire(for: .transient) ?? 0) + (quota.acquire(for: .throttling) ?? 0)
        #expect(quota.available == 481)
        quota.recordSuccess(paidForRetries: paid)
        #expect(quota.available == 500)
    }

    @Test("a success at the first attempt adds one token")
    func firstTimeSuccess() {
        var quota = RetryQuota()
        _ = quota.acquire(for: .transient)
        _ = quota.acquire(for: .transient)
        #expect(quota.available == 472)
        quota.recordSuccess(paidForRetries: 0)
        #expect(quota.available == 473)
    }

    @Test("the bucket never holds more than its capacity")
    func cappedAtCapacity() {
        var quota = RetryQuota()
        quota.recordSuccess(paidForRetries: 0)
        #expect(quota.available == 500)
        _ = quota.acquire(for: .throttling)
        quota.recordSuccess(paidForRetries: 14)
        #expect(quota.available == 500)
    }

    @Test("a dependency that keeps failing drains the bucket, and then retries stop")
    func drains() {
        var quota = RetryQuota()
        var granted = 0
        while quota.acquire(for: .transient) != nil { granted += 1 }
        #expect(granted == 35, "500 / 14")
        #expect(quota.available == 10)

        // Through the policy, as the sender uses it: the invocation after the drain gets no retry at all.
        let policy = RetryPolicy.standard(for: .dynamoDB)
        let decision = policy.decide(kind: .transient, attemptsMade: 1, nowMilliseconds: 0, deadlineMilliseconds: nil, unit: 0.5,
                                     quota: &quota).decision
        #expect(decision == .giveUp(.quotaExhausted))
    }

    @Test("a failing dependency seen through the policy stops being retried after the quota is spent")
    func drainsThroughPolicy() {
        let policy = RetryPolicy.standard(for: .dynamoDB)
        var quota = RetryQuota()
        var retries = 0
        var gaveUpOnQuota = false
        // Each request fails every attempt with a 503; the sender asks the policy after each one.
        for _ in 0..<100 {
            var attempts = 1
            while true {
                let (decision, _) = policy.decide(kind: .transient, attemptsMade: attempts, nowMilliseconds: 0, deadlineMilliseconds: nil,
                                                  unit: 0, quota: &quota)
                guard case .retry = decision else {
                    if decision == .giveUp(.quotaExhausted) { gaveUpOnQuota = true }
                    break
                }
                retries += 1
                attempts += 1
            }
        }
        #expect(retries == 35)
        #expect(gaveUpOnQuota)
    }
}
