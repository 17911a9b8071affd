import JSON

/// A batch of records from SQS, SNS, EventBridge Pipes or an S3 notification: each record's orders
/// read on their own, so one bad record fails alone (DESIGN.md "Batch sources").
public struct BatchEvent: Sendable, Equatable {
    /// Where the batch came from; it decides how the invocation answers.
    public enum Source: Sendable, Equatable {
        /// An SQS event (or a Pipes array of SQS records): answered with `batchItemFailures`.
        case sqs(fifo: Bool, viaPipes: Bool)
        /// An SNS event: answered with the results, or a function error.
        case sns
        /// A Pipes array of anything but SQS records: answered as SNS.
        case pipes
        /// An S3 event notification: answered with the results, or a function error.
        case s3
    }

    /// Where the batch came from.
    public var source: Source
    /// The records, in delivery order.
    public var records: [BatchRecord]

    /// Whether the answer is a partial batch response naming the failed records' `messageId`s.
    public var reportsItemFailures: Bool {
        if case .sqs = source { return true }
        return false
    }

    /// The name of the source in messages and logs.
    public var sourceName: String {
        switch source {
        case .sqs(let fifo, let viaPipes): "\(fifo ? "SQS FIFO" : "SQS")\(viaPipes ? " (through EventBridge Pipes)" : "")"
        case .sns: "SNS"
        case .pipes: "EventBridge Pipes"
        case .s3: "S3"
        }
    }
}

/// One record of a batch.
public struct BatchRecord: Sendable, Equatable {
    /// How the record is named in messages: `Records[3]`, or `[3]` in a Pipes array.
    public var label: String
    /// The SQS `messageId` (the partial batch response's `itemIdentifier`), or SNS `MessageId`; logged on the record's lines.
    public var messageID: String?
    /// The FIFO `MessageGroupId`: records of one group are processed in order, and stop at a failure.
    public var groupID: String?
    /// The orders the record holds, each valid or not on its own; empty for an ignored record (`s3:TestEvent`).
    public var orders: [Result<OrderEvent, OrderPipelineError>]
    /// Why the record holds no orders, when it was acknowledged and ignored.
    public var ignoredReason: String?

    /// Creates a record.
    public init(label: String, messageID: String? = nil, groupID: String? = nil,
                orders: [Result<OrderEvent, OrderPipelineError>], ignoredReason: String? = nil) {
        self.label = label
        self.messageID = messageID
        self.groupID = groupID
        self.orders = orders
        self.ignoredReason = ignoredReason
    }
}

/// Reads SQS and SNS events and EventBridge Pipes arrays into batches. Each record's message (an SQS
/// `body`, an SNS `Message`) is JSON text holding one of the envelopes we know; it is checked once,
/// and its orders share its bytes. Nesting is bounded: SQS may carry SNS, SNS may carry none of the two.
enum BatchEnvelope {
    /// The most records one batch may carry: Lambda's largest SQS batch (10,000 with a batch window).
    static let maximumRecords = 10_000
    /// The most orders one batch may carry in all (S3 notifications in bodies hold several).
    static let maximumOrders = 10_000
    /// The longest `messageId` or `MessageGroupId` accepted, in UTF-8 bytes (SQS's are 36 and 128).
    static let maximumIdentifierBytes = 256

    static let s3TestEvent = "s3:TestEvent"

    /// What kind of batch a `Records` array holds, from its first object's event source.
    enum RecordsKind { case sqs, sns, other }

    static func kind(of records: JSONText) -> RecordsKind {
        guard records.kind == .array else { return .other }
        var kind = RecordsKind.other
        records.forEachElement { element in
            guard element.kind == .object else { return true }
            let found = element.members(["eventSource", "EventSource"])
            if isString(found[0], "aws:sqs") { kind = .sqs }
            if isString(found[1], "aws:sns") { kind = .sns }
            return false
        }
        return kind
    }

    /// Whether an object is S3's `s3:TestEvent` (sent when a notification is configured): acknowledged, ignored.
    static func isS3TestEvent(_ object: JSONText) -> Bool {
        guard object.kind == .object else { return false }
        let found = object.members(["Event", "Service"])
        return isS3TestEvent(event: found[0], service: found[1])
    }

    /// The same, from an object's `Event` and `Service` members already looked up.
    static func isS3TestEvent(event: JSONText?, service: JSONText?) -> Bool {
        isString(event, s3TestEvent) && (service == nil || isString(service, "Amazon S3"))
    }

    // MARK: - SQS

    /// An SQS event's records (`Records`, or a Pipes array of SQS records).
    /// - Throws: ``OrderPipelineError/invalidOrderEvent(_:)`` for the whole event when the batch is too
    ///   large or a record has no usable `messageId`: a partial batch response could not name it, and
    ///   Lambda fails the whole batch anyway, so nothing is processed.
    static func sqsBatch(_ records: JSONText, viaPipes: Bool) throws(OrderPipelineError) -> BatchEvent {
        let list = try boundedList(records, what: "SQS records")
        var fifo = false
        var batch: [BatchRecord] = []
        batch.reserveCapacity(list.count)
        var orderCount = 0
        for (index, record) in list.enumerated() {
            let label = viaPipes ? "[\(index)]" : "Records[\(index)]"
            guard record.kind == .object else {
                throw .invalidOrderEvent("expected \(label) to be an SQS record with a messageId; found \(record.kindDescription); nothing in the batch was processed (a partial batch response cannot name it)")
            }
            let found = record.members(["messageId", "body", "eventSource", "eventSourceARN", "attributes"])
            let (rawID, body, source, arn, attributes) = (found[0], found[1], found[2], found[3], found[4])
            guard let rawID, let messageID = boundedString(rawID), !messageID.isEmpty else {
                throw .invalidOrderEvent("expected \(label).messageId to be a non-empty string of at most \(maximumIdentifierBytes) bytes; found \(found[0]?.kindDescription ?? "none"); nothing in the batch was processed (a partial batch response cannot name the record)")
            }
            // FIFO by the queue's ARN: standard (fair) queues may carry a MessageGroupId too, without order.
            let isFIFO = arn.flatMap(boundedString)?.utf8.reversed().starts(with: ".fifo".utf8.reversed()) == true
            fifo = fifo || isFIFO
            var groupID: String?
            if isFIFO {
                groupID = attributes?["MessageGroupId"].flatMap(boundedString) ?? ""
            }
            var entry = BatchRecord(label: label, messageID: messageID, groupID: groupID, orders: [])
            if let source, !isString(source, "aws:sqs") {
                entry.orders = [.failure(.invalidOrderEvent("expected \(label) to be an SQS record (eventSource aws:sqs); found eventSource \(source.kindDescription)"))]
            } else if let body, let text = body.stringValue {
                (entry.orders, entry.ignoredReason) = message(Array(text.utf8), field: "\(label).body", allowSNS: true)
            } else {
                entry.orders = [.failure(.invalidOrderEvent("expected \(label).body to be a string holding an order event; found \(body?.kindDescription ?? "none")"))]
            }
            orderCount += entry.orders.count
            guard orderCount <= maximumOrders else {
                throw .invalidOrderEvent("expected at most \(maximumOrders) orders in one batch; \(label) brings it to \(orderCount); nothing was processed")
            }
            batch.append(entry)
        }
        return BatchEvent(source: .sqs(fifo: fifo, viaPipes: viaPipes), records: batch)
    }

    // MARK: - SNS

    /// An SNS event's records: each `Sns.Message`.
    static func snsBatch(_ records: JSONText) throws(OrderPipelineError) -> BatchEvent {
        let list = try boundedList(records, what: "SNS records")
        var batch: [BatchRecord] = []
        var orderCount = 0
        for (index, record) in list.enumerated() {
            let label = "Records[\(index)]"
            let sns = record["Sns"]
            var entry = BatchRecord(label: label, messageID: sns?["MessageId"].flatMap(boundedString), orders: [])
            if record.kind != .object {
                entry.orders = [.failure(.invalidOrderEvent("expected \(label) to be an SNS record; found \(record.kindDescription)"))]
            } else if let source = record["EventSource"], !isString(source, "aws:sns") {
                entry.orders = [.failure(.invalidOrderEvent("expected \(label) to be an SNS record (EventSource aws:sns); found EventSource \(source.kindDescription)"))]
            } else if let text = sns?["Message"]?.stringValue {
                (entry.orders, entry.ignoredReason) = message(Array(text.utf8), field: "\(label).Sns.Message", allowSNS: false)
            } else {
                entry.orders = [.failure(.invalidOrderEvent("expected \(label).Sns.Message to be a string holding an order event; found \(sns?["Message"]?.kindDescription ?? (sns == nil ? "no Sns object" : "none"))"))]
            }
            orderCount += entry.orders.count
            guard orderCount <= maximumOrders else {
                throw .invalidOrderEvent("expected at most \(maximumOrders) orders in one batch; \(label) brings it to \(orderCount); nothing was processed")
            }
            batch.append(entry)
        }
        return BatchEvent(source: .sns, records: batch)
    }

    // MARK: - EventBridge Pipes

    /// A Pipes array: SQS records are an SQS batch; anything else is one envelope per element.
    static func pipesBatch(_ array: JSONText) throws(OrderPipelineError) -> BatchEvent {
        guard array.count > 0 else {
            throw .invalidOrderEvent("expected an EventBridge Pipes array to hold at least one event; found an empty array")
        }
        if kind(of: array) == .sqs {
            return try sqsBatch(array, viaPipes: true)
        }
        let list = try boundedList(array, what: "EventBridge Pipes events")
        var batch: [BatchRecord] = []
        var orderCount = 0
        for (index, element) in list.enumerated() {
            let label = "[\(index)]"
            var entry = BatchRecord(label: label, orders: [])
            (entry.orders, entry.ignoredReason) = envelope(element, field: label, allowSNS: true)
            orderCount += entry.orders.count
            guard orderCount <= maximumOrders else {
                throw .invalidOrderEvent("expected at most \(maximumOrders) orders in one batch; \(label) brings it to \(orderCount); nothing was processed")
            }
            batch.append(entry)
        }
        return BatchEvent(source: .pipes, records: batch)
    }

    // MARK: - Messages

    /// The orders in a message's text (an SQS body, an SNS Message): parsed once, then read as an envelope.
    /// - Returns: The orders, each valid or not, and why there are none when the message is ignored.
    static func message(_ bytes: [UInt8], field: String, allowSNS: Bool) -> ([Result<OrderEvent, OrderPipelineError>], String?) {
        let text: JSONText
        do {
            text = try JSONText(validating: bytes)
        } catch {
            return ([.failure(.invalidOrderEvent("expected \(field) to be JSON text holding an order event; it is not JSON: \(error)"))], nil)
        }
        return envelope(text, field: field, allowSNS: allowSNS)
    }

    /// The orders in one envelope: an object, or a JSON string holding one.
    private static func envelope(_ value: JSONText, field: String, allowSNS: Bool) -> ([Result<OrderEvent, OrderPipelineError>], String?) {
        var object = value
        var wasJSONText = false
        if let inner = value.stringValue {
            do {
                object = try JSONText(validating: Array(inner.utf8))
            } catch {
                return ([.failure(.invalidOrderEvent("\(field) is a JSON string, but its text is not JSON: \(error)"))], nil)
            }
            wasJSONText = true
        }
        guard object.kind == .object else {
            return ([.failure(.invalidOrderEvent("expected \(field) to hold \(EnvelopeNormalizer.nestedShapes); found \(object.kindDescription)"))], nil)
        }
        if isS3TestEvent(object) { return ([], s3TestEvent) }
        if allowSNS, !wasJSONText, isString(object["Type"], "Notification") {
            // An SNS notification delivered to SQS without raw message delivery: its Message is the event.
            guard let message = object["Message"]?.stringValue else {
                return ([.failure(.invalidOrderEvent("expected \(field).Message (an SNS notification's message) to be a string; found \(object["Message"]?.kindDescription ?? "none")"))], nil)
            }
            return self.message(Array(message.utf8), field: "\(field).Message", allowSNS: false)
        }
        do {
            switch try EnvelopeNormalizer.normalizeObject(object, wasJSONText: wasJSONText, nested: true) {
            case .single(let order): return ([.success(order)], nil)
            case .s3Notification(let records): return (records.map { $0.mapError { prefixed($0, field) } }, nil)
            case .ignored(let reason): return ([], reason)
            case .batch: return ([.failure(.invalidOrderEvent("\(field) holds a batch of its own, which is not supported"))], nil)
            }
        } catch {
            return ([.failure(prefixed(error, field))], nil)
        }
    }

    /// The error with the record's place in front, so a batch's messages say which record was wrong.
    private static func prefixed(_ error: OrderPipelineError, _ field: String) -> OrderPipelineError {
        .invalidOrderEvent("\(field): \(error.message)")
    }

    // MARK: - Helpers

    private static func boundedList(_ records: JSONText, what: String) throws(OrderPipelineError) -> [JSONText] {
        let count = records.count
        guard count <= maximumRecords else {
            throw .invalidOrderEvent("expected at most \(maximumRecords) \(what) in one event; found \(count)")
        }
        return records.elements ?? []
    }

    /// A string of at most `maximumIdentifierBytes`, without decoding a longer one.
    static func boundedString(_ value: JSONText) -> String? {
        guard value.kind == .string, value.byteCount <= maximumIdentifierBytes * 6 + 2, let text = value.stringValue,
              text.utf8.count <= maximumIdentifierBytes else { return nil }
        return text
    }

    /// Whether `value` is the string `expected`, compared by bytes (a long string is not decoded).
    static func isString(_ value: JSONText?, _ expected: String) -> Bool {
        guard let value, value.kind == .string, value.byteCount <= expected.utf8.count * 6 + 2 else { return false }
        return value.stringValue?.utf8.elementsEqual(expected.utf8) == true
    }
}
