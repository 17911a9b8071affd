import Essentials
import AWSClient
import JSON
import LambdaRuntime

/// The function: normalise the event, run the protocol for each order, answer per the contract,
/// log what happened, and emit one EMF metrics line.
public final class OrderHandler: InvocationHandler {
    private let processor: OrderProcessor
    private let sender: AWSRequestSender
    private let configuration: PipelineConfiguration
    private let now: () -> Int64

    /// Wires the handler to AWS.
    /// - Parameters:
    ///   - configuration: The settings read at start-up.
    ///   - now: The wall clock in Unix milliseconds.
    public init(configuration: PipelineConfiguration, now: @escaping () -> Int64 = { SystemClock.wallMilliseconds() }) {
        let credentials = CredentialsProvider.standardChain(configuration.credentials, now: now)
        let sender = AWSRequestSender(configuration: configuration.aws, credentials: credentials, now: now)
        let claims = ClaimStore(dynamoDB: DynamoDBClient(sender: sender), table: configuration.table)
        let archive = OrderArchive(s3: S3Client(sender: sender), bucket: configuration.bucket, prefix: configuration.rawPrefix)
        self.processor = OrderProcessor(claims: claims, archive: archive, ttlSeconds: configuration.idempotencyTTLSeconds,
                                        deadlineMarginMilliseconds: configuration.aws.deadlineMarginMilliseconds, now: now)
        self.sender = sender
        self.configuration = configuration
        self.now = now
    }

    public func handle(_ invocation: Invocation, logger: Logger) -> Result<[UInt8], FunctionError> {
        if logger.isEnabled(.trace) {
            // Payloads can hold personal data: only a 1 KiB preview, and only at TRACE.
            logger.trace("Event preview: \(String(decoding: invocation.event.prefix(1_024), as: UTF8.self))")
        }
        var metrics = InvocationMetrics()
        let requestsBefore = sender.attemptsSent
        let result = run(invocation, logger: logger, metrics: &metrics)
        metrics.awsRequests = sender.attemptsSent - requestsBefore
        let document = metrics.emfDocument(namespace: configuration.metricsNamespace, functionName: configuration.functionName,
                                           timestamp: now(), requestID: invocation.context.requestID)
        logger.writeRaw(document.serialized())
        return result
    }

    private func run(_ invocation: Invocation, logger: Logger, metrics: inout InvocationMetrics) -> Result<[UInt8], FunctionError> {
        let normalized: NormalizedEvent
        do {
            normalized = try EnvelopeNormalizer.normalize(invocation.event)
        } catch {
            metrics.count(error)
            return .failure(report(error, logger: logger))
        }

        switch normalized {
        case .single(let order):
            switch processor.process(order, context: invocation.context, logger: logger, metrics: &metrics) {
            case .success(let outcome):
                metrics.count(outcome)
                return .success(outcome.response.serializedBytes())
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
                    processor.process(order, context: invocation.context, logger: logger, metrics: &metrics)
                }
                switch outcome {
                case .success(let done):
                    metrics.count(done)
                    results.append(done.response)
                case .failure(let error):
                    metrics.count(error)
                    failures.append((index, try? record.get().orderID, error))
                }
            }
            guard let first = failures.first else {
                return .success(JSONValue.object(["ok": true, "results": .array(results)]).serializedBytes())
            }
            let details = failures.map { failure in
                "Records[\(failure.index)]\(failure.orderID.map { " (order \(EnvelopeNormalizer.quoted($0)))" } ?? ""): \(failure.error)"
            }.joined(separator: "; ")
            let summary = "\(failures.count) of \(records.count) S3 records failed: \(details)"
                + (results.isEmpty ? "" : "; the other \(results.count) were processed and come back as duplicates on retry")
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

@available(*, unavailable)
extension OrderHandler: Sendable {}
