import Essentials
import AWSClient
import JSON
import LambdaRuntime
import Synchronization

/// What became of one record of a batch.
public struct RecordResult: Sendable, Equatable {
    /// The responses of its orders that succeeded (first time or duplicate), in order.
    public var responses: [JSONValue] = []
    /// Its first failure, if any of its orders failed (or it was not processed).
    public var failure: OrderPipelineError?
    /// The order the failure belongs to, when known.
    public var failedOrderID: String?
    /// Not processed: an earlier record of its FIFO group failed.
    public var skipped = false

    /// Whether the record is reported as failed.
    public var failed: Bool { failure != nil }
}

/// Processes the records of one batch concurrently, on at most `concurrency` threads that share the
/// one thread-safe AWS client (DESIGN.md "Batch sources").
///
/// Records are put in lanes, and a lane runs on one thread, its records in batch order:
/// - the records of one FIFO group share a lane, so the group keeps its order, and after a failure
///   the group's later records are not processed (they are reported failed and come back in order);
/// - records holding the same order share a lane, so the same order twice in one batch is one
///   claim and one object, the second a duplicate. Run side by side, both would hold the same
///   request's claim and both would write.
/// Lanes are the connected parts of "same group or same order": a record linking two groups joins
/// their lanes, which costs concurrency and never order.
public struct BatchProcessor: Sendable {
    let processor: OrderProcessor
    let concurrency: Int

    /// Creates a batch processor.
    /// - Parameters:
    ///   - processor: Runs the protocol for one order; shared by the threads.
    ///   - concurrency: At most this many records in flight (`BATCH_CONCURRENCY`).
    public init(processor: OrderProcessor, concurrency: Int) {
        self.processor = processor
        self.concurrency = max(1, concurrency)
    }

    /// Processes every record.
    /// - Returns: One result per record, in batch order, and the metrics of all of them.
    func run(_ records: [BatchRecord], context: InvocationContext, call: AWSCall) -> (results: [RecordResult], metrics: InvocationMetrics) {
        let lanes = Self.lanes(records)
        let shared = SharedProgress(records: records.count)
        WorkerThreads.run(count: min(concurrency, lanes.count)) { [processor] in
            while let lane = shared.takeLane(of: lanes.count) {
                var metrics = InvocationMetrics()
                let done = Self.runLane(lanes[lane], records, processor: processor, context: context, call: call, metrics: &metrics)
                shared.finish(done, metrics)
            }
        }
        return shared.outcome()
    }

    /// Records grouped into lanes (union–find over FIFO group IDs and order IDs, compared by bytes),
    /// each lane in batch order, lanes ordered by their first record.
    static func lanes(_ records: [BatchRecord]) -> [[Int]] {
        var parent = Array(records.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        func join(_ a: Int, _ b: Int) {
            let (rootA, rootB) = (root(a), root(b))
            if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
        }
        var firstWithGroup: [[UInt8]: Int] = [:]
        var firstWithOrder: [[UInt8]: Int] = [:]
        for (index, record) in records.enumerated() {
            if let group = record.groupID {
                let key = Array(group.utf8)
                if let first = firstWithGroup[key] { join(first, index) } else { firstWithGroup[key] = index }
            }
            for case .success(let order) in record.orders {
                let key = Array(order.orderID.utf8)
                if let first = firstWithOrder[key] { join(first, index) } else { firstWithOrder[key] = index }
            }
        }
        var laneOfRoot: [Int: Int] = [:]
        var lanes: [[Int]] = []
        for index in records.indices {
            let top = root(index)
            if let lane = laneOfRoot[top] {
                lanes[lane].append(index)
            } else {
                laneOfRoot[top] = lanes.count
                lanes.append([index])
            }
        }
        return lanes
    }

    /// One lane, in order, on the calling thread.
    private static func runLane(_ lane: [Int], _ records: [BatchRecord], processor: OrderProcessor, context: InvocationContext,
                                call: AWSCall, metrics: inout InvocationMetrics) -> [(Int, RecordResult)] {
        var failedGroups: [[UInt8]: String] = [:]
        var done: [(Int, RecordResult)] = []
        for index in lane {
            let record = records[index]
            var recordCall = call
            if let messageID = record.messageID {
                recordCall.logger = call.logger.with("messageId", .string(messageID))
            }
            let logger = recordCall.logger
            // Text logs carry no fields: the record's lines name it in the message as well.
            let named = record.label + (record.messageID.map { " (messageId \(EnvelopeNormalizer.quoted($0)))" } ?? "")
            var result = RecordResult()
            if let group = record.groupID, let failedFirst = failedGroups[Array(group.utf8)] {
                result.skipped = true
                result.failure = .orderInProgress("\(record.label) not processed: message \(EnvelopeNormalizer.quoted(failedFirst)) before it in FIFO group \(EnvelopeNormalizer.quoted(group)) failed; it goes back to the queue so the group keeps its order")
                logger.warn("Record skipped: \(named): \(result.failure?.message ?? "")")
                metrics.batchRecordsSkipped += 1
                done.append((index, result))
                continue
            }
            if let reason = record.ignoredReason {
                logger.info("Ignored \(named): \(reason) (acknowledged, nothing to process)")
            }
            for order in record.orders {
                let outcome = order.flatMap { order in
                    processor.process(order, context: context, call: recordCall, metrics: &metrics)
                }
                switch outcome {
                case .success(let processed):
                    metrics.count(processed.outcome)
                    result.responses.append(processed.response)
                case .failure(let error):
                    metrics.count(error)
                    let orderID = try? order.get().orderID
                    var orderLogger = logger
                    if let orderID { orderLogger = logger.with("order_id", .string(orderID)) }
                    orderLogger.log(OrderHandler.level(of: error), "Record failed: \(named): \(error.errorType): \(error.message)",
                                    [LogField("errorType", .string(error.errorType))])
                    if result.failure == nil {
                        result.failure = error
                        result.failedOrderID = orderID
                    }
                }
            }
            if result.failed, let group = record.groupID {
                failedGroups[Array(group.utf8)] = record.messageID ?? record.label
            }
            done.append((index, result))
        }
        return done
    }

    /// The lanes handed out and the results gathered, shared by the threads of one batch.
    private final class SharedProgress: Sendable {
        private struct State {
            var nextLane = 0
            var results: [RecordResult]
            var metrics = InvocationMetrics()
        }
        private let state: Mutex<State>

        init(records: Int) {
            state = Mutex(State(results: Array(repeating: RecordResult(), count: records)))
        }

        func takeLane(of count: Int) -> Int? {
            state.withLock { state in
                guard state.nextLane < count else { return nil }
                defer { state.nextLane += 1 }
                return state.nextLane
            }
        }

        func finish(_ done: [(Int, RecordResult)], _ metrics: InvocationMetrics) {
            state.withLock { state in
                for (index, result) in done { state.results[index] = result }
                state.metrics.add(metrics)
            }
        }

        func outcome() -> (results: [RecordResult], metrics: InvocationMetrics) {
            state.withLock { ($0.results, $0.metrics) }
        }
    }
}
