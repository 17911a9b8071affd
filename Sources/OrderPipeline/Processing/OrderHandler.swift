import Essentials
import AWSClient
import Hashing
import JSON
import LambdaRuntime

/// The function: normalise the event, run the protocol for each order (the records of a batch
/// concurrently, ``BatchProcessor``), answer per the contract, log what happened, and emit one EMF
/// metrics line.
public final class OrderHandler: InvocationHandler, Sendable {
    private let processor: OrderProcessor
    private let batches: BatchProcessor
    private let metricsNamespace: String
    private let functionName: String
    /// The EMF line's metadata for this namespace and function, written once.
    private let emfLayout: EMFLayout
    private let clocks: PipelineClocks

    /// At most this many failing records are described in a batch's error message; the rest are counted.
    static let listedFailures = 5
    /// Each listed failure's description is cut to this many UTF-8 bytes.
    static let failureExcerptBytes = 300

    /// Creates the handler (`main` wires the processor to AWS).
    /// - Parameters:
    ///   - processor: Runs the protocol for one order.
    ///   - metricsNamespace: The EMF namespace (`METRICS_NAMESPACE`).
    ///   - functionName: The function, a metrics dimension.
    ///   - clocks: The wall clock stamps the metrics line.
    ///   - batchConcurrency: Records of one batch in flight at once (`BATCH_CONCURRENCY`).
    public init(processor: OrderProcessor, metricsNamespace: String, functionName: String, clocks: PipelineClocks = .system,
                batchConcurrency: Int = PipelineConfiguration.defaultBatchConcurrency) {
        self.processor = processor
        self.batches = BatchProcessor(processor: processor, concurrency: batchConcurrency)
        self.metricsNamespace = metricsNamespace
        self.functionName = functionName
        emfLayout = EMFLayout(namespace: metricsNamespace, functionName: functionName)
        self.clocks = clocks
    }

    public func handle(_ invocation: Invocation, logger: Logger) -> Result<[UInt8], FunctionError> {
        if logger.isEnabled(.trace) {
            // Payloads can hold personal data: only a 1 KiB preview, and only at TRACE.
            logger.trace("Event preview: \(String(decoding: invocation.event.prefix(1_024), as: UTF8.self))")
        }
        var metrics = InvocationMetrics()
        let call = AWSCall(deadlineMilliseconds: invocation.context.deadlineMilliseconds, traceHeader: invocation.context.traceID,
                           logger: logger)
        let result = run(invocation, call, metrics: &metrics)
        metrics.awsRequests = call.attempts.count
        logger.writeRaw(metrics.emfLine(layout: emfLayout, timestamp: clocks.wallMilliseconds(),
                                        requestID: invocation.context.requestID, tenantID: logger.tenantID))
        return result
    }

    private func run(_ invocation: Invocation, _ call: AWSCall, metrics: inout InvocationMetrics) -> Result<[UInt8], FunctionError> {
        let logger = call.logger
        let normalized: NormalizedEvent
        do {
            normalized = try EnvelopeNormalizer.normalize(invocation.event)
        } catch {
            metrics.count(error)
            return .failure(report(error, logger: logger))
        }

        switch normalized {
        case .single(let order):
            switch processor.process(order, context: invocation.context, call: call, metrics: &metrics) {
            case .success(let done):
                metrics.count(done.outcome)
                return .success(Array(done.responseText.utf8))
            case .failure(let error):
                metrics.count(error)
                return .failure(report(error, logger: logger.with("order_id", .string(order.orderID))))
            }

        case .ignored(let reason):
            logger.info("Ignored event: \(reason) (acknowledged, nothing to process)")
            return .success(JSONValue.object(["ok": true, "ignored": .string(reason)]).serializedBytes())

        case .s3Notification(let records):
            let batch = BatchEvent(source: .s3, records: records.enumerated().map { index, record in
                BatchRecord(label: "Records[\(index)]", orders: [record])
            })
            return answer(batch, invocation, call, metrics: &metrics)

        case .batch(let batch):
            return answer(batch, invocation, call, metrics: &metrics)
        }
    }

    /// Runs a batch's records (concurrently) and answers: SQS with the partial batch response; SNS,
    /// Pipes and S3 with every result, or a function error once all records are done, so the
    /// platform's retry finds the others as duplicates.
    private func answer(_ batch: BatchEvent, _ invocation: Invocation, _ call: AWSCall,
                        metrics: inout InvocationMetrics) -> Result<[UInt8], FunctionError> {
        let logger = call.logger
        let (results, counted) = batches.run(batch.records, context: invocation.context, call: call)
        metrics.add(counted)
        let failed = results.indices.filter { results[$0].failed }
        metrics.batchRecords = batch.records.count
        metrics.batchItemFailures = failed.count

        if batch.reportsItemFailures {
            // Exactly the failed records, each once; never a success, a duplicate or an empty identifier
            // (the envelope refused a batch with a record that has no usable messageId).
            var reported = Set<[UInt8]>()
            var items: [JSONValue] = []
            for index in failed {
                guard let messageID = batch.records[index].messageID, reported.insert(Array(messageID.utf8)).inserted else { continue }
                items.append(["itemIdentifier": .string(messageID)])
            }
            let processed = results.reduce(0) { $0 + $1.responses.count }
            if items.isEmpty {
                logger.info("Batch of \(batch.records.count) \(batch.sourceName) records done: \(processed) orders processed or duplicate, none failed")
            } else {
                let shown = items.prefix(Self.listedFailures).compactMap { $0["itemIdentifier"]?.stringValue }.map(EnvelopeNormalizer.quoted)
                let more = items.count > Self.listedFailures ? " and \(items.count - Self.listedFailures) more" : ""
                logger.warn("Batch of \(batch.records.count) \(batch.sourceName) records: \(items.count) failed and go back to the queue (\(shown.joined(separator: ", "))\(more)); \(processed) orders processed or duplicate")
            }
            return .success(JSONValue.object(["batchItemFailures": .array(items)]).serializedBytes())
        }

        let responses = results.flatMap(\.responses)
        guard let first = failed.first, let firstError = results[first].failure else {
            return .success(JSONValue.object(["ok": true, "results": .array(responses)]).serializedBytes())
        }
        let failures = failed.compactMap { index in
            results[index].failure.map { (label: batch.records[index].label, orderID: results[index].failedOrderID, error: $0) }
        }
        let summary = Self.batchSummary(failures: failures, records: batch.records.count, processed: responses.count,
                                        source: batch.sourceName)
        let error: OrderPipelineError
        switch firstError {
        case .invalidOrderEvent: error = .invalidOrderEvent(summary)
        case .orderConflict: error = .orderConflict(summary)
        case .orderInProgress: error = .orderInProgress(summary)
        case .dependencyFailure: error = .dependencyFailure(summary)
        }
        return .failure(report(error, logger: logger))
    }

    /// The error message of a batch with failed records, bounded whatever the batch: the first few
    /// failures with short excerpts, then how many more there were.
    static func batchSummary(failures: [(label: String, orderID: String?, error: OrderPipelineError)], records: Int,
                             processed: Int, source: String = "S3") -> String {
        var details = failures.prefix(listedFailures).map { failure in
            let order = failure.orderID.map { " (order \(JSONString.excerpt($0, limit: 64)))" } ?? ""
            return "\(failure.label)\(order): \(JSONString.excerpt(failure.error.description, limit: failureExcerptBytes, quoted: false))"
        }.joined(separator: "; ")
        if failures.count > listedFailures {
            let more = failures.count - listedFailures
            details += "; and \(more) more failed record\(more == 1 ? "" : "s")"
        }
        return "\(failures.count) of \(records) \(source) records failed: \(details)"
            + (processed == 0 ? "" : "; the other \(processed) were processed and come back as duplicates on retry")
    }

    /// The level a failure is logged at: retryable or the sender's mistake is a warning; a conflict
    /// or AWS failing is an error.
    static func level(of error: OrderPipelineError) -> LogLevel {
        switch error {
        case .orderInProgress, .invalidOrderEvent: .warn
        case .orderConflict, .dependencyFailure: .error
        }
    }

    /// Logs a failed invocation once, at a level that matches what the operator must do about it.
    private func report(_ error: OrderPipelineError, logger: Logger) -> FunctionError {
        logger.log(Self.level(of: error), "Invocation failed: \(error.errorType): \(error.message)", [LogField("errorType", .string(error.errorType))])
        return error.functionError
    }
}
