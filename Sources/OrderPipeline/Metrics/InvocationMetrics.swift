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

    /// The EMF log line: `_aws` metadata naming the metrics (Timestamp, the directive from
    /// ``EMFLayout``), `FunctionName`, the values as top-level members, `requestId`, and `tenantId` for
    /// a tenant's invocation; written straight into one buffer. It is written after every
    /// invocation: building the document as a tree and serialising it cost more than the rest of the
    /// invocation's logging.
    /// - Parameters:
    ///   - layout: The namespace's and function's metadata, written once (``EMFLayout``).
    ///   - timestamp: Unix milliseconds.
    ///   - requestID: Kept as a property (searchable in Logs Insights, not a dimension).
    ///   - tenantID: The invocation's tenant, if any.
    /// - Returns: The line, without its newline.
    public func emfLine(layout: EMFLayout, timestamp: Int64, requestID: String, tenantID: String?) -> String {
        let latencies = self.latencies
        var out: [UInt8] = []
        out.reserveCapacity(1_024)
        out.append(contentsOf: #"{"_aws":{"Timestamp":"#.utf8)
        out.append(contentsOf: JSONNumber(timestamp).literal.utf8)
        out.append(contentsOf: layout.directive(batch: batchRecords != nil, claimLatency: !claimLatencies.isEmpty,
                                                s3WriteLatency: !s3WriteLatencies.isEmpty))
        func appendMember(_ name: String) {
            out.append(UInt8(ascii: ","))
            JSONString.appendQuoted(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        for (name, count) in counts {
            appendMember(name)
            out.append(contentsOf: JSONNumber(count).literal.utf8)
        }
        for (name, samples) in latencies {
            appendMember(name)
            if samples.count != 1 { out.append(UInt8(ascii: "[")) }
            for (position, sample) in samples.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: Self.emfNumber(sample).literal.utf8)
            }
            if samples.count != 1 { out.append(UInt8(ascii: "]")) }
        }
        appendMember("requestId")
        JSONString.appendQuoted(requestID, to: &out)
        if let tenantID {
            appendMember("tenantId")
            JSONString.appendQuoted(tenantID, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The names of the counts, in the order EMF declares them.
    static func countNames(batch: Bool) -> [String] {
        ["OrdersProcessed", "DuplicatesSkipped", "OrdersInProgress", "OrderConflicts", "InvalidEvents", "DependencyFailures",
         "AWSRequests"] + (batch ? ["BatchRecords", "BatchItemFailures", "BatchRecordsSkipped"] : [])
    }

    /// The counts, in the order EMF declares and values them (``countNames(batch:)``).
    private var counts: [(String, Int)] {
        var values = [ordersProcessed, duplicatesSkipped, ordersInProgress, orderConflicts, invalidEvents, dependencyFailures,
                      awsRequests]
        if let batchRecords { values += [batchRecords, batchItemFailures, batchRecordsSkipped] }
        return Array(zip(Self.countNames(batch: batchRecords != nil), values))
    }

    /// The latency metrics that have samples, in the order EMF declares them.
    private var latencies: [(String, [Double])] {
        [("ClaimLatency", claimLatencies), ("S3WriteLatency", s3WriteLatencies)].filter { !$0.1.isEmpty }
    }

    /// A latency sample as EMF gets it: milliseconds to two decimals.
    private static func emfNumber(_ sample: Double) -> JSONNumber {
        JSONNumber((sample * 100).rounded() / 100) ?? JSONNumber(0)
    }
}

/// The part of an EMF line that depends only on the namespace, the function and which metrics the
/// line has: from `,"CloudWatchMetrics"` to the `FunctionName` member. Written once for each of the
/// eight shapes (a batch or not, a claim latency or not, an S3 write latency or not), not per line.
public struct EMFLayout: Sendable {
    private let directives: [[UInt8]]

    /// Writes the eight directives.
    /// - Parameters:
    ///   - namespace: The CloudWatch namespace.
    ///   - functionName: The `FunctionName` dimension.
    public init(namespace: String, functionName: String) {
        directives = (0..<8).map { shape in
            var out: [UInt8] = []
            out.append(contentsOf: #","CloudWatchMetrics":[{"Namespace":"#.utf8)
            JSONString.appendQuoted(namespace, to: &out)
            out.append(contentsOf: #","Dimensions":[["FunctionName"]],"Metrics":["#.utf8)
            var definitions = InvocationMetrics.countNames(batch: shape & 1 != 0).map { ($0, "Count") }
            if shape & 2 != 0 { definitions.append(("ClaimLatency", "Milliseconds")) }
            if shape & 4 != 0 { definitions.append(("S3WriteLatency", "Milliseconds")) }
            for (position, (name, unit)) in definitions.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"Name":"#.utf8)
                JSONString.appendQuoted(name, to: &out)
                out.append(contentsOf: #","Unit":"#.utf8)
                JSONString.appendQuoted(unit, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: #"]}]},"FunctionName":"#.utf8)
            JSONString.appendQuoted(functionName, to: &out)
            return out
        }
    }

    /// The directive of a line with these metrics.
    func directive(batch: Bool, claimLatency: Bool, s3WriteLatency: Bool) -> [UInt8] {
        directives[(batch ? 1 : 0) | (claimLatency ? 2 : 0) | (s3WriteLatency ? 4 : 0)]
    }
}
