import Essentials
import AWSClient
import Hashing
import JSON
import LambdaRuntime

/// The function: normalise the event, run the protocol for each order, answer per the contract,
/// log what happened, and emit one EMF metrics line.
public final class OrderHandler: InvocationHandler, Sendable {
    private let processor: OrderProcessor
    private let metricsNamespace: String
    private let functionName: String
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
    public init(processor: OrderProcessor, metricsNamespace: String, functionName: String, clocks: PipelineClocks = .system) {
        self.processor = processor
        self.metricsNamespace = metricsNamespace
        self.functionName = functionName
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
        let document = metrics.emfDocument(namespace: metricsNamespace, functionName: functionName,
                                           timestamp: clocks.wallMilliseconds(), requestID: invocation.context.requestID)
        logger.writeDocument(document)  // stamped with tenantId for a tenant's invocation
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

        case .s3Notification(let records):
            // Every record gets its own claim; one failure fails the invocation only after the rest
            // are done, so the platform's retry finds them as duplicates.
            var results: [JSONValue] = []
            var failures: [(index: Int, orderID: String?, error: OrderPipelineError)] = []
            for (index, record) in records.enumerated() {
                let outcome = record.flatMap { order in
                    processor.process(order, context: invocation.context, call: call, metrics: &metrics)
                }
                switch outcome {
                case .success(let done):
                    metrics.count(done.outcome)
                    results.append(done.response)
                case .failure(let error):
                    metrics.count(error)
                    failures.append((index, try? record.get().orderID, error))
                }
            }
            guard let first = failures.first else {
                return .success(JSONValue.object(["ok": true, "results": .array(results)]).serializedBytes())
            }
            let summary = Self.batchSummary(failures: failures, records: records.count, processed: results.count)
            let error: OrderPipelineError
            switch first.error {
            case .invalidOrderEvent: error = .invalidOrderEvent(summary)
            case .orderConflict: error = .orderConflict(summary)
            case .orderInProgress: error = .orderInProgress(summary)
            case .dependencyFailure: error = .dependencyFailure(summary)
            }
            return .failure(report(error, logger: logger))
        }
    }

    /// The error message of a batch with failed records, bounded whatever the batch: the first few
    /// failures with short excerpts, then how many more there were.
    static func batchSummary(failures: [(index: Int, orderID: String?, error: OrderPipelineError)], records: Int,
                             processed: Int) -> String {
        var details = failures.prefix(listedFailures).map { failure in
            let order = failure.orderID.map { " (order \(EnvelopeNormalizer.quoted(excerpt($0, maxBytes: 64))))" } ?? ""
            return "Records[\(failure.index)]\(order): \(excerpt(failure.error.description, maxBytes: failureExcerptBytes))"
        }.joined(separator: "; ")
        if failures.count > listedFailures {
            let more = failures.count - listedFailures
            details += "; and \(more) more failed record\(more == 1 ? "" : "s")"
        }
        return "\(failures.count) of \(records) S3 records failed: \(details)"
            + (processed == 0 ? "" : "; the other \(processed) were processed and come back as duplicates on retry")
    }

    /// At most `maxBytes` of UTF-8 (cut on a scalar boundary, "…" when cut), control characters escaped.
    static func excerpt(_ text: String, maxBytes: Int) -> String {
        JSONString.excerpt(text, limit: maxBytes, quoted: false)
    }

    /// Logs a failed invocation once, at a level that matches what the operator must do about it.
    private func report(_ error: OrderPipelineError, logger: Logger) -> FunctionError {
        let level: LogLevel
        switch error {
        case .orderInProgress, .invalidOrderEvent: level = .warn
        case .orderConflict, .dependencyFailure: level = .error
        }
        logger.log(level, "Invocation failed: \(error.errorType): \(error.message)", [LogField("errorType", .string(error.errorType))])
        return error.functionError
    }
}
