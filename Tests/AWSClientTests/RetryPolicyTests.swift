@testable import AWSClient
import Testing

@Suite("RetryPolicy")
struct RetryPolicyTests {
    static let dynamoDB = RetryPolicy.standard(for: .dynamoDB)
    static let s3 = RetryPolicy.standard(for: .s3)
    static let now: Int64 = 1_795_633_746_123
    static let farDeadline: Int64 = now + 900_000

    static func decide(_ kind: FailureKind, policy: RetryPolicy = dynamoDB, attemptsMade: Int = 1, now: Int64 = RetryPolicyTests.now,
                       deadline: Int64? = farDeadline, unit: Double = 1,
                       quota: inout RetryQuota) -> (decision: RetryDecision, tokens: Int) {
        policy.decide(kind: kind, attemptsMade: attemptsMade, nowMilliseconds: now, deadlineMilliseconds: deadline, unit: unit, quota: &quota)
    }

    // MARK: - Standard policies

    @Test("DynamoDB makes 4 attempts with a 25 ms base, as the SDKs' standard mode does")
    func dynamoDBStandard() {
        #expect(Self.dynamoDB.maxAttempts == 4)
        #expect(Self.dynamoDB.baseDelayMilliseconds == 25)
    }

    @Test("S3 makes 3 attempts with a 50 ms base")
    func s3Standard() {
        #expect(Self.s3.maxAttempts == 3)
        #expect(Self.s3.baseDelayMilliseconds == 50)
    }

    @Test("throttling backs off from 1 s and no wait exceeds 20 s", arguments: [dynamoDB, s3])
    func sharedLimits(_ policy: RetryPolicy) {
        #expect(policy.throttlingBaseDelayMilliseconds == 1_000)
        #expect(policy.maxBackoffMilliseconds == 20_000)
    }

    // MARK: - Backoff

    @Test("a jitter unit of 0 waits not at all", arguments: [1, 2, 3, 10, 64])
    func zeroUnit(_ attemptsMade: Int) {
        for kind in [FailureKind.transient, .throttling, .timeout] {
            #expect(Self.dynamoDB.backoffMilliseconds(attemptsMade: attemptsMade, kind: kind, unit: 0) == 0)
        }
    }

    @Test("a jitter unit of 1 waits exactly base × 2^(n−1), capped at 20 s", arguments: [
        (FailureKind.transient, 1, Int64(25)), (.transient, 2, 50), (.transient, 3, 100), (.transient, 4, 200), (.transient, 10, 12_800),
        (.transient, 11, 20_000), (.transient, 40, 20_000), (.transient, 1_000, 20_000), (.timeout, 1, 25), (.timeout, 3, 100),
        (.throttling, 1, 1_000), (.throttling, 2, 2_000), (.throttling, 3, 4_000), (.throttling, 5, 16_000), (.throttling, 6, 20_000),
        (.throttling, 64, 20_000),
    ])
    func fullUnit(_ kind: FailureKind, _ attemptsMade: Int, _ expected: Int64) {
        #expect(Self.dynamoDB.backoffMilliseconds(attemptsMade: attemptsMade, kind: kind, unit: 1) == expected)
    }

    @Test("S3's ceiling doubles from its own 50 ms base")
    func s3Ceiling() {
        #expect((1...4).map { Self.s3.backoffMilliseconds(attemptsMade: $0, kind: .transient, unit: 1) } == [50, 100, 200, 400])
    }

    @Test("every unit in [0, 1] gives a wait within [0, ceiling]: full jitter", arguments: [FailureKind.transient, .throttling])
    func fullJitterRange(_ kind: FailureKind) {
        for attemptsMade in 1...12 {
            let ceiling = Self.dynamoDB.backoffMilliseconds(attemptsMade: attemptsMade, kind: kind, unit: 1)
            var previous: Int64 = 0
            for step in 0...100 {
                let unit = Double(step) / 100
                let wait = Self.dynamoDB.backoffMilliseconds(attemptsMade: attemptsMade, kind: kind, unit: unit)
                #expect((0...ceiling).contains(wait))
                #expect(wait >= previous, "the wait grows with the unit")
                previous = wait
            }
            let half = Self.dynamoDB.backoffMilliseconds(attemptsMade: attemptsMade, kind: kind, unit: 0.5)
            #expect(half == ceiling / 2, "the whole range is used, not only its upper half")
        }
    }

    @Test("units outside [0, 1] are clamped", arguments: [(-0.5, 0), (1.5, 100), (Double.infinity, 100)] as [(Double, Int64)])
    func clampedUnit(_ unit: Double, _ expected: Int64) {
        #expect(Self.dynamoDB.backoffMilliseconds(attemptsMade: 3, kind: .transient, unit: unit) == expected)
    }

    // MARK: - Decisions

    @Test("a permanent failure is never retried and costs nothing")
    func permanent() {
        var quota = RetryQuota()
        let result = Self.decide(.permanent, quota: &quota)
        #expect(result.decision == .giveUp(.notRetryable))
        #expect(result.tokens == 0)
        #expect(quota.available == 500)
    }

    @Test("retries stop when every attempt has been made", arguments: [(dynamoDB, 4), (s3, 3)])
    func attemptsExhausted(_ policy: RetryPolicy, _ attempts: Int) {
        var quota = RetryQuota()
        #expect(Self.decide(.transient, policy: policy, attemptsMade: attempts - 1, quota: &quota).decision != .giveUp(.attemptsExhausted))
        let before = quota.available
        #expect(Self.decide(.transient, policy: policy, attemptsMade: attempts, quota: &quota).decision == .giveUp(.attemptsExhausted))
        #expect(Self.decide(.throttling, policy: policy, attemptsMade: attempts + 1, quota: &quota).decision == .giveUp(.attemptsExhausted))
        #expect(quota.available == before, "giving up costs nothing")
    }

    @Test("a retryable failure is retried after the backoff and pays the quota", arguments: [
        (FailureKind.transient, 14, Int64(50)), (.timeout, 14, 50), (.throttling, 5, 2_000),
    ])
    func retried(_ kind: FailureKind, _ cost: Int, _ wait: Int64) {
        var quota = RetryQuota()
        let result = Self.decide(kind, attemptsMade: 2, quota: &quota)
        #expect(result.decision == .retry(afterMilliseconds: wait))
        #expect(result.tokens == cost)
        #expect(quota.available == 500 - cost)
    }

    @Test("an empty quota stops retries")
    func quotaExhausted() {
        var quota = RetryQuota(capacity: 13)
        let result = Self.decide(.transient, quota: &quota)
        #expect(result.decision == .giveUp(.quotaExhausted))
        #expect(result.tokens == 0)
        #expect(quota.available == 13)
    }

    @Test("no retry when now + delay + minimum attempt would pass deadline − margin")
    func deadlineCutOff() {
        // DynamoDB, second attempt failed, unit 1: the wait is 50 ms; margin 500 ms, minimum attempt 100 ms.
        var quota = RetryQuota()
        let fits = Self.now + 50 + 100 + 500
        #expect(Self.decide(.transient, attemptsMade: 2, deadline: fits, quota: &quota).decision == .retry(afterMilliseconds: 50))
        let before = quota.available
        #expect(Self.decide(.transient, attemptsMade: 2, deadline: fits - 1, quota: &quota).decision == .giveUp(.deadline))
        #expect(quota.available == before, "a refused retry costs nothing")
        #expect(Self.decide(.transient, attemptsMade: 2, deadline: Self.now, quota: &quota).decision == .giveUp(.deadline))
        #expect(Self.decide(.transient, attemptsMade: 2, deadline: Self.now - 10_000, quota: &quota).decision == .giveUp(.deadline))
    }

    @Test("the deadline check uses the jittered wait, not the ceiling")
    func deadlineUsesJitteredDelay() {
        var quota = RetryQuota()
        let deadline = Self.now + 500 + 100 + 1_000  // room for a 1 s wait, not the 2 s ceiling
        #expect(Self.decide(.throttling, attemptsMade: 2, deadline: deadline, unit: 1, quota: &quota).decision == .giveUp(.deadline))
        #expect(Self.decide(.throttling, attemptsMade: 2, deadline: deadline, unit: 0.5, quota: &quota).decision
            == .retry(afterMilliseconds: 1_000))
    }

    @Test("without a deadline only attempts and quota limit retries")
    func noDeadline() {
        var quota = RetryQuota()
        #expect(Self.decide(.throttling, attemptsMade: 3, deadline: nil, quota: &quota).decision == .retry(afterMilliseconds: 4_000))
    }

    @Test("the margin and minimum attempt come from the policy")
    func customMargins() {
        var policy = Self.dynamoDB
        policy.deadlineMarginMilliseconds = 0
        policy.minimumAttemptMilliseconds = 0
        var quota = RetryQuota()
        #expect(Self.decide(.transient, policy: policy, attemptsMade: 1, deadline: Self.now + 25, quota: &quota).decision
            == .retry(afterMilliseconds: 25))
        #expect(Self.decide(.transient, policy: policy, attemptsMade: 1, deadline: Self.now + 24, quota: &quota).decision == .giveUp(.deadline))
    }

    @Test("clock skew is retried at once and costs no tokens")
    func clockSkew() {
        var quota = RetryQuota(capacity: 0)
        let result = Self.decide(.clockSkew, attemptsMade: 1, unit: 1, quota: &quota)
        #expect(result.decision == .retry(afterMilliseconds: 0))
        #expect(result.tokens == 0)
        #expect(quota.available == 0)
    }

    @Test("clock skew still respects the attempt cap and the deadline")
    func clockSkewLimits() {
        var quota = RetryQuota()
        #expect(Self.decide(.clockSkew, attemptsMade: 4, quota: &quota).decision == .giveUp(.attemptsExhausted))
        #expect(Self.decide(.clockSkew, attemptsMade: 1, deadline: Self.now + 599, quota: &quota).decision == .giveUp(.deadline))
        #expect(Self.decide(.clockSkew, attemptsMade: 1, deadline: Self.now + 600, quota: &quota).decision == .retry(afterMilliseconds: 0))
    }

    // MARK: - Attempt timeout

    @Test("an attempt gets its configured timeout when the deadline is far or absent", arguments: [Optional(farDeadline), nil])
    func configuredTimeout(_ deadline: Int64?) {
        #expect(Self.dynamoDB.attemptTimeoutMilliseconds(configuredMilliseconds: 3_000, nowMilliseconds: Self.now,
                                                         deadlineMilliseconds: deadline) == 3_000)
    }

    @Test("an attempt never runs past deadline − margin, and gets at least 1 ms", arguments: [
        (Int64(2_500), Int64(2_000)), (3_500, 3_000), (3_499, 2_999), (501, 1), (500, 1), (0, 1), (-60_000, 1),
    ])
    func timeoutCutToDeadline(_ remaining: Int64, _ expected: Int64) {
        #expect(Self.dynamoDB.attemptTimeoutMilliseconds(configuredMilliseconds: 3_000, nowMilliseconds: Self.now,
                                                         deadlineMilliseconds: Self.now + remaining) == expected)
    }
}
