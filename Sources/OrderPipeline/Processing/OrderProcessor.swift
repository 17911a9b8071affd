import Essentials
import AWSClient
import Hashing
import JSON
import LambdaRuntime

/// Runs the idempotency protocol for one order: claim, write once, complete; release on failure.
final class OrderProcessor {
    private let claims: ClaimStore
    private let archive: OrderArchive
    private let ttlSeconds: Int64
    private let deadlineMarginMilliseconds: Int64
    private let now: () -> Int64

    /// Claims are tried this often when the blocking item keeps expiring under us.
    static let maximumClaimAttempts = 3

    init(claims: ClaimStore, archive: OrderArchive, ttlSeconds: Int64, deadlineMarginMilliseconds: Int64, now: @escaping () -> Int64) {
        self.claims = claims
        self.archive = archive
        self.ttlSeconds = ttlSeconds
        self.deadlineMarginMilliseconds = deadlineMarginMilliseconds
        self.now = now
    }

    /// Processes one order.
    /// - Returns: First time or duplicate, or the contract error.
    func process(_ event: OrderEvent, context: InvocationContext, logger: Logger,
                 metrics: inout InvocationMetrics) -> Result<OrderOutcome, OrderPipelineError> {
        let logger = logger.with("order_id", .string(event.orderID))
        // Computed once, from the order as it arrived, and carried through: never recomputed later.
        let payloadHash = SHA256.hash(event.canonicalOrderBytes).hexEncodedString
        let s3Key = archive.objectKey(for: event.orderID)
        let owner = context.requestID
        let deadline = context.deadlineMilliseconds

        // 1. Claim.
        var previous: ClaimRecord?
        var claimAttempts = 0
        claiming: while true {
            claimAttempts += 1
            let time = now()
            let record = ClaimRecord(
                orderID: event.orderID, status: .inProgress, owner: owner, leaseExpiresMilliseconds: deadline,
                expiryTimeSeconds: expiryTime(at: time), payloadHash: payloadHash, price: event.price?.canonicalLiteral,
                source: event.sourceLabel, s3Key: s3Key)
            let outcome: ClaimStore.ClaimOutcome
            let claimStarted = SystemClock.monotonicNanoseconds()
            do {
                outcome = try claims.claim(record, nowMilliseconds: time, deadlineMilliseconds: deadline, logger: logger)
                metrics.claimLatencies.append(Self.milliseconds(since: claimStarted))
            } catch {
                metrics.claimLatencies.append(Self.milliseconds(since: claimStarted))
                guard error.mayHaveBeenApplied else {
                    return .failure(.dependencyFailure("\(error) (order \(EnvelopeNormalizer.quoted(event.orderID)): nothing was claimed)"))
                }
                // The put may have been applied before the connection broke or the server failed:
                // release what may be ours.
                return .failure(fail(error, orderID: event.orderID, owner: owner, context: context, logger: logger))
            }
            switch outcome {
            case .claimed(let replaced):
                previous = replaced
                break claiming
            case .refused(let existing):
                switch ClaimDecision.decide(existing: existing, requestID: owner, payloadHash: payloadHash, nowMilliseconds: now()) {
                case .proceed:
                    logger.info("Resuming own claim on order \(event.orderID)")
                    previous = existing
                    break claiming
                case .duplicate(let stored):
                    logger.info("Duplicate event ignored: \(event.orderID)")
                    return .success(.duplicate(orderID: event.orderID, s3Key: stored.s3Key ?? s3Key, processedAt: stored.processedAt))
                case .conflict(let stored):
                    let detail = stored.status == nil
                        ? "its claim item has the unknown status \"\(stored.rawStatus ?? "")\""
                        : "it was processed before with different content (stored payload hash \(stored.payloadHash?.prefix(12) ?? "?")…, this event \(payloadHash.prefix(12))…)"
                    return .failure(.orderConflict("order \(EnvelopeNormalizer.quoted(event.orderID)) not written: \(detail); S3 was left untouched"))
                case .inProgress(let stored):
                    let until = stored.leaseExpiresMilliseconds.map { UTCDateTime(millisecondsSinceEpoch: $0).iso8601 } ?? "?"
                    return .failure(.orderInProgress("order \(EnvelopeNormalizer.quoted(event.orderID)) is being processed by request \(stored.owner ?? "?") (claim held until \(until)); retry later"))
                case .claimAgain:
                    if claimAttempts < Self.maximumClaimAttempts { continue claiming }
                    return .failure(.orderInProgress("order \(EnvelopeNormalizer.quoted(event.orderID)) could not be claimed: its claim kept changing during \(claimAttempts) attempts; retry later"))
                }
            }
        }

        // 2. Write, only if no object is there yet.
        let processedAt = UTCDateTime(millisecondsSinceEpoch: now()).iso8601
        let document = OrderArchive.document(for: event, payloadHash: payloadHash, processedAt: processedAt, requestID: owner)
        let writeStarted = SystemClock.monotonicNanoseconds()
        let written: S3Client.PutOutcome
        do {
            written = try archive.write(document, key: s3Key, deadlineMilliseconds: deadline, logger: logger)
            metrics.s3WriteLatencies.append(Self.milliseconds(since: writeStarted))
        } catch {
            metrics.s3WriteLatencies.append(Self.milliseconds(since: writeStarted))
            return .failure(fail(error, orderID: event.orderID, owner: owner, context: context, logger: logger))
        }

        let outcome: OrderOutcome
        switch written {
        case .created:
            outcome = .firstTime(orderID: event.orderID, s3Key: s3Key, processedAt: processedAt)
        case .alreadyExists:
            // An earlier run wrote it and never completed (crash, or the item expired): finish its work.
            let earlier = previous?.status == .completed ? previous?.processedAt : nil
            outcome = .duplicate(orderID: event.orderID, s3Key: s3Key, processedAt: earlier)
        }

        // 3. Complete.
        let result: String
        if case .duplicate = outcome, let earlierResult = previous?.result { result = earlierResult } else { result = outcome.response.serialized() }
        let completedAt: String?
        if case .firstTime = outcome { completedAt = processedAt } else { completedAt = outcome.processedAtIfKnown }
        do {
            let completion = try claims.complete(orderID: event.orderID, owner: owner, processedAt: completedAt, result: result,
                                                 expiryTimeSeconds: expiryTime(at: now()), deadlineMilliseconds: deadline, logger: logger)
            if case .takenOver(let newOwner) = completion {
                logger.warn("Claim on order \(event.orderID) was taken over by request \(newOwner ?? "?") before completion; the object is in place and the new owner completes it")
            }
        } catch {
            return .failure(fail(error, orderID: event.orderID, owner: owner, context: context, logger: logger))
        }

        switch outcome {
        case .firstTime:
            let price = event.price.map { "at price \($0.literal)" } ?? "from \(event.sourceLabel)"
            logger.info("Processed order \(event.orderID) \(price) (wrote s3://\(archive.bucket)/\(s3Key))")
        case .duplicate:
            logger.info("Duplicate event ignored: \(event.orderID) (s3://\(archive.bucket)/\(s3Key) already existed)")
        }
        return .success(outcome)
    }

    /// Time elapsed on the monotonic clock, in milliseconds with sub-millisecond precision.
    private static func milliseconds(since start: UInt64) -> Double {
        Double(SystemClock.monotonicNanoseconds() - start) / 1_000_000
    }

    /// The TTL attribute for a claim or completion made now (`nil` when claims are kept for ever).
    private func expiryTime(at milliseconds: Int64) -> Int64? {
        ttlSeconds > 0 ? milliseconds / 1_000 + ttlSeconds : nil
    }

    /// Releases our claim so the platform's retry can claim at once, then describes the failure.
    private func fail(_ error: AWSError, orderID: String, owner: String, context: InvocationContext, logger: Logger) -> OrderPipelineError {
        // The release may use the margin kept free before the deadline; 100 ms stay for posting the error.
        let cleanupDeadline = context.deadlineMilliseconds + deadlineMarginMilliseconds - 100
        var note: String
        do {
            note = try claims.release(orderID: orderID, owner: owner, deadlineMilliseconds: cleanupDeadline, logger: logger)
                ? "claim released; a retry can start at once"
                : "no claim of ours to release"
        } catch let releaseError {
            logger.warn("Could not release claim on order \(orderID): \(releaseError)")
            note = "claim not released; if it was written, it lapses at this invocation's deadline"
        }
        return .dependencyFailure("\(error) (order \(EnvelopeNormalizer.quoted(orderID)): \(note))")
    }
}

extension OrderOutcome {
    var processedAtIfKnown: String? {
        switch self {
        case .firstTime(_, _, let processedAt): processedAt
        case .duplicate(_, _, let processedAt): processedAt
        }
    }
}

@available(*, unavailable)
extension OrderProcessor: Sendable {}
