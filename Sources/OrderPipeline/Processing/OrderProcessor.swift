import Essentials
import AWSClient
import Hashing
import JSON
import LambdaRuntime

/// Runs the idempotency protocol for one order: claim, write once, complete; release on failure.
/// Each step is a function of its own; the decisions they act on (``ClaimDecision``) are pure.
public final class OrderProcessor: Sendable {
    private let claims: ClaimStore
    private let archive: OrderArchive
    private let ttlSeconds: Int64
    private let deadlineMarginMilliseconds: Int64
    private let clocks: PipelineClocks

    /// Claims are tried this often when the blocking item keeps expiring under us.
    static let maximumClaimAttempts = 3
    /// Time kept for posting the error after a release: the release may use the rest of the margin.
    static let errorPostingMilliseconds: Int64 = 100

    /// Creates the processor.
    /// - Parameters:
    ///   - claims: The claim table.
    ///   - archive: The order objects.
    ///   - ttlSeconds: `IDEMPOTENCY_TTL_SECONDS` (0 keeps claims for ever).
    ///   - deadlineMarginMilliseconds: Time kept free before the invocation deadline.
    ///   - clocks: Wall and monotonic clocks.
    public init(claims: ClaimStore, archive: OrderArchive, ttlSeconds: Int64, deadlineMarginMilliseconds: Int64,
                clocks: PipelineClocks = .system) {
        self.claims = claims
        self.archive = archive
        self.ttlSeconds = ttlSeconds
        self.deadlineMarginMilliseconds = deadlineMarginMilliseconds
        self.clocks = clocks
    }

    /// One order on its way through the protocol: what every step needs to know about it.
    private struct Run {
        let event: OrderEvent
        /// Computed once, from the order as it arrived, and carried through: never recomputed later.
        let payloadHash: String
        let s3Key: String
        let owner: String
        let call: AWSCall

        var deadline: Int64 { call.deadlineMilliseconds ?? .max }
        var quotedID: String { EnvelopeNormalizer.quoted(event.orderID) }
    }

    /// Processes one order.
    /// - Parameters:
    ///   - event: The order.
    ///   - context: The invocation (its request ID owns the claim; its deadline bounds the work).
    ///   - call: The invocation's logger and attempt counter (its deadline is the context's).
    ///   - metrics: Latencies are added here.
    /// - Returns: First time or duplicate with the contract's response, or the contract error.
    func process(_ event: OrderEvent, context: InvocationContext, call: AWSCall,
                 metrics: inout InvocationMetrics) -> Result<ProcessedOrder, OrderPipelineError> {
        var call = call.with(deadlineMilliseconds: context.deadlineMilliseconds)
        call.logger = call.logger.with("order_id", .string(event.orderID))
        let run = Run(event: event, payloadHash: SHA256.hash(event.canonicalOrderBytes).hexEncodedString,
                      s3Key: archive.objectKey(for: event.orderID), owner: context.requestID, call: call)
        do throws(OrderPipelineError) {
            try checkTimeLeft(run)
            let previous: ClaimRecord?
            switch try claim(run, metrics: &metrics) {
            case .claimed(let replaced): previous = replaced
            case .duplicate(let done): return .success(done)
            }
            let processed = try write(run, previous: previous, metrics: &metrics)
            try complete(run, processed, previous: previous)
            logDone(run, processed.outcome)
            return .success(processed)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Steps

    /// Refuses to start when the deadline has passed or only the margin is left: no request is sent
    /// and nothing is claimed, so no lease is written that has already expired.
    private func checkTimeLeft(_ run: Run) throws(OrderPipelineError) {
        let now = clocks.wallMilliseconds()
        guard now < run.deadline - deadlineMarginMilliseconds else {
            let late = now >= run.deadline ? "the invocation deadline passed \(now - run.deadline) ms ago"
                : "only \(run.deadline - now) ms were left before the invocation deadline, within the \(deadlineMarginMilliseconds) ms margin"
            throw .dependencyFailure("order \(run.quotedID) not started: \(late); no AWS request was sent and nothing was claimed")
        }
    }

    private enum ClaimStep {
        case claimed(previous: ClaimRecord?)
        case duplicate(ProcessedOrder)
    }

    /// 1. Claim: a conditional put, then the pure decision on whatever refused it.
    private func claim(_ run: Run, metrics: inout InvocationMetrics) throws(OrderPipelineError) -> ClaimStep {
        for _ in 1...Self.maximumClaimAttempts {
            switch try claimOnce(run, metrics: &metrics) {
            case .claimed(let replaced):
                return .claimed(previous: replaced)
            case .refused(let existing):
                switch ClaimDecision.decide(existing: existing, requestID: run.owner, payloadHash: run.payloadHash,
                                            nowMilliseconds: clocks.wallMilliseconds()) {
                case .proceed:
                    run.call.logger.info("Resuming own claim on order \(run.event.orderID)")
                    return .claimed(previous: existing)
                case .duplicate(let stored):
                    run.call.logger.info("Duplicate event ignored: \(run.event.orderID)")
                    return .duplicate(ProcessedOrder(.duplicate(orderID: run.event.orderID, s3Key: stored.s3Key ?? run.s3Key,
                                                                processedAt: stored.processedAt)))
                case .conflict(let stored):
                    throw .orderConflict("order \(run.quotedID) not written: \(Self.conflictDetail(stored, run.payloadHash)); S3 was left untouched")
                case .inProgress(let stored):
                    let until = stored.leaseExpiresMilliseconds.map { UTCDateTime(millisecondsSinceEpoch: $0).iso8601 } ?? "?"
                    throw .orderInProgress("order \(run.quotedID) is being processed by request \(stored.owner ?? "?") (claim held until \(until)); retry later")
                case .claimAgain:
                    continue
                }
            }
        }
        throw .orderInProgress("order \(run.quotedID) could not be claimed: its claim kept changing during \(Self.maximumClaimAttempts) attempts; retry later")
    }

    private func claimOnce(_ run: Run, metrics: inout InvocationMetrics) throws(OrderPipelineError) -> ClaimStore.ClaimOutcome {
        let started = clocks.monotonicNanoseconds()
        defer { metrics.claimLatencies.append(clocks.milliseconds(since: started)) }
        let time = clocks.wallMilliseconds()
        let record = ClaimRecord(
            orderID: run.event.orderID, status: .inProgress, owner: run.owner, leaseExpiresMilliseconds: run.call.deadlineMilliseconds,
            expiryTimeSeconds: expiryTime(at: time), payloadHash: run.payloadHash, price: run.event.price?.canonicalLiteral,
            source: run.event.sourceLabel, s3Key: run.s3Key)
        do {
            return try claims.claim(record, nowMilliseconds: time, run.call)
        } catch {
            guard error.mayHaveBeenApplied else {
                throw .dependencyFailure("\(error) (order \(run.quotedID): nothing was claimed)")
            }
            // The put may have been applied before the connection broke or the server failed:
            // release what may be ours.
            throw fail(error, run)
        }
    }

    private static func conflictDetail(_ stored: ClaimRecord, _ payloadHash: String) -> String {
        stored.status == nil
            ? "its claim item has the unknown status \"\(stored.rawStatus ?? "")\""
            : "it was processed before with different content (stored payload hash \(stored.payloadHash?.prefix(12) ?? "?")…, this event \(payloadHash.prefix(12))…)"
    }

    /// 2. Write, only if no object is there yet; a 412 means an earlier run wrote it.
    private func write(_ run: Run, previous: ClaimRecord?, metrics: inout InvocationMetrics) throws(OrderPipelineError) -> ProcessedOrder {
        let processedAt = UTCDateTime(millisecondsSinceEpoch: clocks.wallMilliseconds()).iso8601
        let document = OrderArchive.document(for: run.event, payloadHash: run.payloadHash, processedAt: processedAt, requestID: run.owner)
        let started = clocks.monotonicNanoseconds()
        defer { metrics.s3WriteLatencies.append(clocks.milliseconds(since: started)) }
        let written: S3Client.PutOutcome
        do {
            written = try archive.write(document, key: run.s3Key, run.call)
        } catch {
            throw fail(error, run)
        }
        switch written {
        case .created:
            return ProcessedOrder(.firstTime(orderID: run.event.orderID, s3Key: run.s3Key, processedAt: processedAt))
        case .alreadyExists:
            // An earlier run wrote it and never completed (crash, or the item expired): finish its work.
            let earlier = previous?.status == .completed ? previous?.processedAt : nil
            return ProcessedOrder(.duplicate(orderID: run.event.orderID, s3Key: run.s3Key, processedAt: earlier))
        }
    }

    /// 3. Complete, only while the claim is ours; a takeover is logged, the new owner completes.
    /// With the audit trail this one request also writes the audit item and counts the order in the
    /// day's totals — whichever run completes the order does, once (a run that met an earlier run's
    /// object through S3's 412 completes and counts it).
    private func complete(_ run: Run, _ processed: ProcessedOrder, previous: ClaimRecord?) throws(OrderPipelineError) {
        let result: String
        let completedAt: String?
        switch processed.outcome {
        case .firstTime(_, _, let processedAt):
            (result, completedAt) = (processed.responseText, processedAt)
        case .duplicate(_, _, let processedAt):
            (result, completedAt) = (previous?.result ?? processed.responseText, processedAt)
        }
        let now = clocks.wallMilliseconds()
        let audit = AuditEntry(
            orderID: run.event.orderID, requestID: run.owner,
            processedAt: completedAt ?? UTCDateTime(millisecondsSinceEpoch: now).iso8601, s3Key: run.s3Key,
            payloadHash: run.payloadHash, source: run.event.sourceLabel,
            price: run.event.price.map { AuditEntry.plainDecimal($0.canonicalLiteral) })
        let completion = ClaimStore.Completion(orderID: run.event.orderID, owner: run.owner, processedAt: completedAt,
                                               result: result, expiryTimeSeconds: expiryTime(at: now), audit: audit)
        var outcome = try completeClaim(completion, auditing: true, run)
        if case .alreadyAudited(let earlier) = outcome {
            if let earlier, !earlier.payloadHash.isEmpty, earlier.payloadHash != run.payloadHash {
                throw .orderConflict("order \(run.quotedID) not completed: the audit trail has it with different content (completed by request \(earlier.requestID) at \(earlier.processedAt), payload hash \(earlier.payloadHash.prefix(12))…, this event \(run.payloadHash.prefix(12))…); not counted (\(release(run)))")
            }
            run.call.logger.warn("Order \(run.event.orderID) is already in the audit trail (completed by request \(earlier?.requestID ?? "?") at \(earlier?.processedAt ?? "?")): its claim is completed without counting it again")
            outcome = try completeClaim(completion, auditing: false, run)
        }
        if case .takenOver(let newOwner) = outcome {
            run.call.logger.warn("Claim on order \(run.event.orderID) was taken over by request \(newOwner ?? "?") before completion; the object is in place and the new owner completes it")
        }
    }

    private func completeClaim(_ completion: ClaimStore.Completion, auditing: Bool,
                               _ run: Run) throws(OrderPipelineError) -> ClaimStore.CompletionOutcome {
        do {
            return try claims.complete(completion, auditing: auditing, run.call)
        } catch {
            throw fail(error, run)
        }
    }

    /// 4. Release our claim so the platform's retry can claim at once, then describe the failure.
    private func fail(_ error: AWSError, _ run: Run) -> OrderPipelineError {
        .dependencyFailure("\(error) (order \(run.quotedID): \(release(run)))")
    }

    /// Deletes our claim if it is still ours and in progress; says what became of it.
    private func release(_ run: Run) -> String {
        // The release has its own budget: the margin kept free before the deadline, less the time
        // to post the error.
        let release = run.call.with(deadlineMilliseconds: run.call.deadlineMilliseconds,
                                    marginMilliseconds: Self.errorPostingMilliseconds)
        do {
            return try claims.release(orderID: run.event.orderID, owner: run.owner, release)
                ? "claim released; a retry can start at once"
                : "no claim of ours to release"
        } catch let releaseError {
            run.call.logger.warn("Could not release claim on order \(run.event.orderID): \(releaseError)")
            return "claim not released; if it was written, it lapses at this invocation's deadline"
        }
    }

    private func logDone(_ run: Run, _ outcome: OrderOutcome) {
        switch outcome {
        case .firstTime:
            let price = run.event.price.map { "at price \($0.literal)" } ?? "from \(run.event.sourceLabel)"
            run.call.logger.info("Processed order \(run.event.orderID) \(price) (wrote s3://\(archive.bucket)/\(run.s3Key))")
        case .duplicate:
            run.call.logger.info("Duplicate event ignored: \(run.event.orderID) (s3://\(archive.bucket)/\(run.s3Key) already existed)")
        }
    }

    /// The TTL attribute for a claim or completion made now (`nil` when claims are kept for ever).
    private func expiryTime(at milliseconds: Int64) -> Int64? {
        ttlSeconds > 0 ? milliseconds / 1_000 + ttlSeconds : nil
    }
}

/// An order's outcome with its contract response, built and serialized once: the serialized text
/// is both the stored `result` and the invocation's answer.
public struct ProcessedOrder: Sendable, Equatable {
    /// First time or duplicate.
    public let outcome: OrderOutcome
    /// The response document.
    public let response: JSONValue
    /// The response, serialized.
    public let responseText: String

    init(_ outcome: OrderOutcome) {
        self.outcome = outcome
        self.response = outcome.response
        self.responseText = response.serialized()
    }
}
