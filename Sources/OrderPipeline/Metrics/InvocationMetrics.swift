import JSON

/// What one invocation did, emitted as one CloudWatch Embedded Metric Format line.
///
/// - SeeAlso: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
public struct InvocationMetrics: Sendable, Equatable {
    public var ordersProcessed = 0
    public var duplicatesSkipped = 0
    public var ordersInProgress = 0
    public var orderConflicts = 0
    public var invalidEvents = 0
    public var dependencyFailures = 0
    /// Milliseconds spent on each claim `PutItem` (with its retries).
    public var claimLatencies: [Double] = []
    /// Milliseconds spent on each S3 `PutObject` (with its retries).
    public var s3WriteLatencies: [Double] = []
    /// HTTP requests sent to AWS, retries included.
    public var awsRequests = 0
    /// Records in the batch, when the event was one (SQS, SNS, Pipes, S3 notification).
    public var batchRecords: Int?
    /// Records answered as failed (in `batchItemFailures` for SQS).
    public var batchItemFailures = 0
    /// FIFO records not processed because an earlier record of their group failed.
    public var batchRecordsSkipped = 0

    /// Creates empty metrics.
    public init() {}

    /// Counts a failed order under its error type.
    public mutating func count(_ error: OrderPipelineError) {
        switch error {
        case .invalidOrderEvent: invalidEvents += 1
        case .orderConflict: orderConflicts += 1
        case .orderInProgress: ordersInProgress += 1
        case .dependencyFailure: dependencyFailures += 1
        }
    }

    /// Adds what another thread of the same batch counted.
    public mutating func add(_ other: InvocationMetrics) {
        ordersProcessed += other.ordersProcessed
        duplicatesSkipped += other.duplicatesSkipped
        ordersInProgress += other.ordersInProgress
        orderConflicts += other.orderConflicts
        invalidEvents += other.invalidEvents
        dependencyFailures += other.dependencyFailures
        claimLatencies += other.claimLatencies
        s3WriteLatencies += other.s3WriteLatencies
        awsRequests += other.awsRequests
        batchItemFailures += other.batchItemFailures
        batchRecordsSkipped += other.batchRecordsSkipped
        if let records = other.batchRecords { batchRecords = (batchRecords ?? 0) + records }
    }

    /// Counts a finished order.
    public mutating func count(_ outcome: OrderOutcome) {
        switch outcome {
        case .firstTime: ordersProcessed += 1
        case .duplicate: duplicatesSkipped += 1
        }
    }

    /// The EMF document: `_aws` metadata naming the metrics, then their values as top-level members.
    /// - Parameters:
    ///   - namespace: The CloudWatch namespace.
    ///   - functionName: The `FunctionName` dimension.
    ///   - timestamp: Unix milliseconds.
    ///   - requestID: Kept as a property (searchable in Logs Insights, not a dimension).
    /// - Returns: The document.
    public func emfDocument(namespace: String, functionName: String, timestamp: Int64, requestID: String) -> JSONValue {
        var counts: [(String, Int)] = [
            ("OrdersProcessed", ordersProcessed), ("DuplicatesSkipped", duplicatesSkipped),
            ("OrdersInProgress", ordersInProgress), ("OrderConflicts", orderConflicts),
            ("InvalidEvents", invalidEvents), ("DependencyFailures", dependencyFailures),
        ]
        counts.append(("AWSRequests", awsRequests))
        if let batchRecords {
            counts += [("BatchRecords", batchRecords), ("BatchItemFailures", batchItemFailures), ("BatchRecordsSkipped", batchRecordsSkipped)]
        }
        var definitions: [JSONValue] = counts.map { ["Name": .string($0.0), "Unit": "Count"] }
        var document: JSONObject = [:]
        var values: [(String, JSONValue)] = counts.map { ($0.0, .number(JSONNumber($0.1))) }
        for (name, samples) in [("ClaimLatency", claimLatencies), ("S3WriteLatency", s3WriteLatencies)] where !samples.isEmpty {
            definitions.append(["Name": .string(name), "Unit": "Milliseconds"])
            let numbers = samples.map { JSONValue.number(JSONNumber(($0 * 100).rounded() / 100) ?? JSONNumber(0)) }
            values.append((name, numbers.count == 1 ? numbers[0] : .array(numbers)))
        }
        document["_aws"] = [
            "Timestamp": .number(JSONNumber(timestamp)),
            "CloudWatchMetrics": [["Namespace": .string(namespace), "Dimensions": [["FunctionName"]], "Metrics": .array(definitions)]],
        ]
        document["FunctionName"] = .string(functionName)
        for (name, value) in values { document[name] = value }
        document["requestId"] = .string(requestID)
        return .object(document)
    }
}
