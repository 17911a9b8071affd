import TransportDoubles
import AWSClient
import Essentials
import HTTP
import JSON
import LambdaRuntime
import Synchronization
@testable import OrderPipeline

/// The real object graph (sender, DynamoDB and S3 clients, claim store, archive, processor,
/// handler) over a scripted transport, with test clocks and a collecting log sink.
struct PipelineFixture: Sendable {
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    static let requestID = "req-1"
    static let margin: Int64 = 500

    let script: ScriptedService
    let clock: TestClock
    let handler: OrderHandler
    let processor: OrderProcessor
    let log: CollectingLog
    let logFormat: LogFormat

    /// - Parameters:
    ///   - steps: The scripted answers, in order.
    ///   - maxAttempts: The AWS retry budget.
    ///   - batchConcurrency: Records of a batch in flight at once; 1 keeps the script's order deterministic.
    ///   - fallback: Answers requests once the steps run out (concurrent tests answer by request, not by order).
    ///   - auditTrail: The audit and totals tables, when the completion is a transaction.
    init(_ steps: [ScriptedService.Step], maxAttempts: Int? = nil, batchConcurrency: Int = 1,
         fallback: (@Sendable (HTTPRequest) -> HTTPResponse)? = nil, logFormat: LogFormat = .text,
         auditTrail: AuditTrailTables? = nil) {
        self.logFormat = logFormat
        let clock = TestClock(Self.start)
        self.clock = clock
        script = ScriptedService(steps, clock: clock, fallback: fallback)
        let configuration = AWSClientConfiguration(region: "eu-west-1", maxAttemptsOverride: maxAttempts,
                                                   deadlineMarginMilliseconds: Self.margin)
        let credentials = CredentialsProvider(sources: [StaticCredentials()], now: { clock.now })
        let sender = AWSRequestSender(configuration: configuration, credentials: credentials, transports: script.factory(),
                                      now: { clock.now }, sleep: { clock.advance(by: $0) }, unitRandom: { 0 })
        let ticks = Mutex<UInt64>(0)
        let clocks = PipelineClocks(wallMilliseconds: { clock.now },
                                    monotonicNanoseconds: { ticks.withLock { $0 += 1_000_000; return $0 } })
        processor = OrderProcessor(claims: ClaimStore(dynamoDB: DynamoDBClient(sender: sender), table: "processed-orders",
                                                      auditTrail: auditTrail),
                                   archive: OrderArchive(s3: S3Client(sender: sender), bucket: "orders", prefix: "raw/events/"),
                                   ttlSeconds: 3_600, deadlineMarginMilliseconds: Self.margin, clocks: clocks)
        handler = OrderHandler(processor: processor, metricsNamespace: "OrderPipeline", functionName: "fn", clocks: clocks,
                               batchConcurrency: batchConcurrency)
        log = CollectingLog()
    }

    var logger: Logger { Logger(level: .info, format: logFormat, sink: log.sink) }

    /// Runs an event through the handler with a deadline `timeLeft` ms away.
    func invoke(_ event: String, timeLeft: Int64 = 10_000) -> Result<String, FunctionError> {
        let context = InvocationContext(requestID: Self.requestID, deadlineMilliseconds: clock.now + timeLeft,
                                        invokedFunctionARN: "arn:aws:lambda:eu-west-1:000000000000:function:fn")
        return handler.handle(Invocation(context: context, event: Array(event.utf8)), logger: logger)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// The operations sent, in order: `PutItem`, `PutObject`, `UpdateItem`, `TransactWriteItems`, `DeleteItem`.
    var operations: [String] {
        script.requests.map { request in
            if let target = request.headers.value(for: "x-amz-target") { return String(target.dropFirst("DynamoDB_20120810.".count)) }
            return request.method == "PUT" ? "PutObject" : request.method
        }
    }

    /// The JSON body of the n-th request.
    func body(_ index: Int) -> JSONValue? {
        guard index < script.requests.count else { return nil }
        return try? JSONValue.parse(script.requests[index].body)
    }

    /// The `awsRequests` value of the EMF line.
    var metricRequests: Int? {
        log.lines.compactMap { try? JSONValue.parse(Array($0.utf8)) }.compactMap { $0["AWSRequests"]?.numberValue }.first.flatMap { Int($0.literal) }
    }
}

/// A raw order event.
func rawOrder(_ id: String = "42", price: String = "10.5") -> String {
    #"{"order_id":"\#(id)","price":\#(price)}"#
}

/// A claim item as DynamoDB returns it in a failed condition's `Item`.
func refusal(_ record: ClaimRecord) -> ScriptedService.Step {
    .awsError(400, "ConditionalCheckFailedException", "The conditional request failed",
              extra: #","Item":\#(record.item.json.serialized())"#)
}

/// A credentials source that always answers the same test keys.
struct StaticCredentials: CredentialsSource {
    let name = "test"
    let notConfiguredReason = ""
    func fetch() throws(CredentialsError) -> AWSCredentials? {
        AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")
    }
}

/// Collects log lines.
final class CollectingLog: Sendable {
    private let collected = Mutex<[String]>([])
    var sink: LogSink { LogSink { [self] line in collected.withLock { $0.append(line) } } }
    var lines: [String] { collected.withLock { $0 } }
    func contains(_ text: String) -> Bool { lines.contains { $0.contains(text) } }
}
