import AWSClient
import JSON

/// What an event turned into.
public enum NormalizedEvent: Sendable, Equatable {
    /// An EventBridge event, a raw order, or either as JSON text: one order.
    case single(OrderEvent)
    /// An S3 notification: one result per record, each valid or not on its own.
    case s3Notification([Result<OrderEvent, OrderPipelineError>])
    /// An SQS or SNS event, or an EventBridge Pipes array: records, each with its own orders.
    case batch(BatchEvent)
    /// An event acknowledged and ignored (`s3:TestEvent`), with what it was.
    case ignored(String)
}

/// Turns EventBridge, raw, JSON-text and S3 notification envelopes into orders (DESIGN.md "Envelopes → orders"),
/// and SQS, SNS and EventBridge Pipes batches into records of those (``BatchEnvelope``).
///
/// The rules are the README's envelope table, checked in this order:
/// - EventBridge Pipes: the event is an array;
/// - `s3:TestEvent`: acknowledged and ignored;
/// - SQS or SNS: `Records` is an array whose first object has `eventSource` `aws:sqs` (`EventSource` `aws:sns`);
/// - S3 notification: `Records` is an array holding at least one object with `s3`;
/// - EventBridge: `detail-type` and `source` are strings and `detail` is an object;
/// - raw order: a top-level `order_id` (whatever else the object holds, e.g. a `detail` or
///   `Records` string of its own).
///
/// Anything else is an `InvalidOrderEvent` whose message names the expected shape and shows a
/// short, escaped excerpt of what was found. The event is checked once and read in place
/// (`JSONText`): time is linear in its size, and memory a small multiple of it.
public enum EnvelopeNormalizer {
    static let expectedShapes = "an EventBridge event (detail-type, source, detail), an order (order_id, price), an S3 event notification (Records[].s3), an SQS or SNS event (Records[].body, Records[].Sns.Message), an EventBridge Pipes array or a JSON string holding one of them"
    /// What a record's message (an SQS body, an SNS Message, a Pipes element) may hold.
    static let nestedShapes = "an EventBridge event (detail-type, source, detail), an order (order_id, price), an S3 event notification (Records[].s3) or a JSON string holding one of them"

    /// The longest EventBridge `source`, `detail-type` and `id` accepted, in UTF-8 bytes. EventBridge's own
    /// are far shorter; a longer one would be copied into the claim item, the archive and every log line.
    public static let maximumEventBridgeFieldBytes = 256

    /// Normalises an event.
    /// - Parameter payload: The event bytes as delivered.
    /// - Returns: The order(s).
    /// - Throws: ``OrderPipelineError/invalidOrderEvent(_:)`` when the event is none of the envelopes.
    public static func normalize(_ payload: [UInt8]) throws(OrderPipelineError) -> NormalizedEvent {
        guard payload.contains(where: { !isJSONWhitespace($0) }) else {
            throw .invalidOrderEvent("expected \(expectedShapes); found an empty payload")
        }
        let event: JSONText
        do {
            event = try JSONText(validating: payload)
        } catch {
            throw .invalidOrderEvent("expected a JSON event, but the payload is not JSON: \(error)")
        }
        if let text = event.stringValue {
            let inner: JSONText
            do {
                inner = try JSONText(validating: Array(text.utf8))
            } catch {
                throw .invalidOrderEvent("the event is a JSON string, but its text is not JSON: \(error)")
            }
            guard inner.kind == .object else {
                throw .invalidOrderEvent("expected the JSON string to hold \(nestedShapes.replacing(" or a JSON string holding one of them", with: "")); found \(inner.kindDescription)")
            }
            return try normalizeObject(inner, wasJSONText: true, nested: true)
        }
        if event.kind == .array {
            return .batch(try BatchEnvelope.pipesBatch(event))
        }
        return try normalizeObject(event, wasJSONText: false, nested: false)
    }

    /// Reads an object envelope.
    /// - Parameter nested: The object is a record's message or a JSON string's text: no batches inside.
    static func normalizeObject(_ object: JSONText, wasJSONText: Bool, nested: Bool) throws(OrderPipelineError) -> NormalizedEvent {
        guard object.kind == .object else {
            throw .invalidOrderEvent("expected \(nested ? nestedShapes : expectedShapes); found \(object.kindDescription)")
        }
        // One scan of the top level for every member the rules look at, the S3 test event's included.
        let found = object.members(["Records", "detail-type", "source", "detail", "order_id", "price", "id", "Event", "Service"])
        if BatchEnvelope.isS3TestEvent(event: found[7], service: found[8]) { return .ignored(BatchEnvelope.s3TestEvent) }
        let (records, detailType, source, detail, orderID, price, id) = (found[0], found[1], found[2], found[3], found[4], found[5], found[6])
        if let records, !nested {
            switch BatchEnvelope.kind(of: records) {
            case .sqs: return .batch(try BatchEnvelope.sqsBatch(records, viaPipes: false))
            case .sns: return .batch(try BatchEnvelope.snsBatch(records))
            case .other: break
            }
        }
        if let records, S3NotificationEnvelope.isNotification(records) {
            return .s3Notification(try S3NotificationEnvelope.orders(from: records, wasJSONText: wasJSONText))
        }
        if let detailType, let source, let detail, detailType.kind == .string, source.kind == .string, detail.kind == .object {
            return .single(try eventBridgeOrder(id: id, detailType: detailType, source: source, detail: detail, wasJSONText: wasJSONText))
        }
        if let orderID {
            return .single(try order(object, orderID: orderID, price: price, path: "", envelope: .raw, wasJSONText: wasJSONText))
        }
        // Not one of the envelopes: say which one it came closest to, and what was wrong.
        if let records {
            let expected = nested ? "S3 notification records (objects with s3.bucket.name and s3.object.key)"
                : "S3 notification records (objects with s3.bucket.name and s3.object.key), SQS records (eventSource aws:sqs) or SNS records (EventSource aws:sns)"
            throw .invalidOrderEvent("expected Records to be a list of \(expected); found \(S3NotificationEnvelope.describe(records))")
        }
        if detailType != nil || source != nil || detail != nil {
            if detailType?.kind == .string && source?.kind == .string {
                throw .invalidOrderEvent("expected the EventBridge detail to be an object with order_id and price; found \(detail?.kindDescription ?? "no detail")")
            }
            let problem = detailType?.kind != .string
                ? "its detail-type is \(detailType?.kindDescription ?? "missing")"
                : "its source is \(source?.kindDescription ?? "missing")"
            throw .invalidOrderEvent("expected an EventBridge event with detail-type, source and detail (strings and an object), or an order with order_id; \(problem)")
        }
        if price != nil {
            // It looks like a raw order that lost its key: say exactly that.
            throw .invalidOrderEvent("expected order_id (a string or an integer) next to price in the order; found \(describeKeys(object))")
        }
        throw .invalidOrderEvent("expected \(nested ? nestedShapes : expectedShapes); found \(object.count == 0 ? "an empty object" : "an object with \(describeKeys(object))")")
    }

    private static func eventBridgeOrder(id: JSONText?, detailType: JSONText, source: JSONText, detail: JSONText,
                                         wasJSONText: Bool) throws(OrderPipelineError) -> OrderEvent {
        let detailTypeText = try boundedString(detailType, field: "detail-type")
        let sourceText = try boundedString(source, field: "source")
        var eventID: String?
        if let id, id.kind == .string {
            eventID = try boundedString(id, field: "id")
        }
        let found = detail.members(["order_id", "price"])
        guard let orderID = found[0] else {
            throw .invalidOrderEvent("expected detail.order_id (a string or an integer) in the \(JSONString.excerpt(detailTypeText)) event from \(JSONString.excerpt(sourceText)); found \(describeKeys(detail))")
        }
        let envelope = OrderEvent.Envelope.eventBridge(source: sourceText, detailType: detailTypeText, eventID: eventID)
        return try order(detail, orderID: orderID, price: found[1], path: "detail.", envelope: envelope, wasJSONText: wasJSONText)
    }

    /// An EventBridge string field, refused when longer than `maximumEventBridgeFieldBytes`.
    private static func boundedString(_ value: JSONText, field: String) throws(OrderPipelineError) -> String {
        guard value.byteCount <= maximumEventBridgeFieldBytes * 6 + 2, let text = value.stringValue,
              text.utf8.count <= maximumEventBridgeFieldBytes
        else {
            throw .invalidOrderEvent("expected the EventBridge \(field) to be a string of at most \(maximumEventBridgeFieldBytes) bytes; found \(value.kindDescription)")
        }
        return text
    }

    private static func order(_ object: JSONText, orderID rawID: JSONText, price rawPrice: JSONText?, path: String,
                              envelope: OrderEvent.Envelope, wasJSONText: Bool) throws(OrderPipelineError) -> OrderEvent {
        let orderID = try key(from: rawID, field: path + "order_id")
        guard let rawPrice, !rawPrice.isNull else {
            throw .invalidOrderEvent("expected \(path)price (a number) for order \(quoted(orderID)); found none")
        }
        let price = try Self.price(from: rawPrice, field: path + "price", orderID: orderID)
        return OrderEvent(orderID: orderID, price: price, envelope: envelope, orderText: object, wasJSONText: wasJSONText)
    }

    /// Reads an order ID: a non-empty string, or an integer written as one (`123` is `"123"`).
    static func key(from value: JSONText, field: String) throws(OrderPipelineError) -> String {
        // A key is at most 512 bytes, i.e. at most 6 × 512 bytes of escaped JSON text: anything longer
        // is refused without decoding it.
        guard value.byteCount <= OrderKey.maximumBytes * 6 + 2 else {
            throw .invalidOrderEvent("\(field) cannot be used as an order key: it is \(value.kindDescription), longer than \(OrderKey.maximumBytes) UTF-8 bytes")
        }
        let candidate: String
        if let text = value.stringValue {
            candidate = text
        } else if let number = value.numberValue, number.isIntegerLiteral {
            candidate = number.literal
        } else {
            throw .invalidOrderEvent("expected \(field) to be a string or an integer; found \(value.kindDescription)")
        }
        if let problem = OrderKey.problem(with: candidate) {
            throw .invalidOrderEvent("\(field) \(quoted(candidate)) cannot be used as an order key: \(problem)")
        }
        return candidate
    }

    private static func price(from value: JSONText, field: String, orderID: String) throws(OrderPipelineError) -> JSONNumber {
        var number = value.numberValue
        // "42.50" is taken as 42.50; a number's text is short, so a long string is not read at all.
        if number == nil, value.byteCount <= 1_024, let text = value.stringValue {
            number = JSONNumber(literal: text.trimmingJSONWhitespace())
        }
        guard let number, number.doubleValue.isFinite, number.doubleValue >= 0 else {
            throw .invalidOrderEvent("expected \(field) of order \(quoted(orderID)) to be a non-negative number; found \(value.kindDescription)")
        }
        return number
    }

    /// `keys "a", "b", …` for the first 8 member names, each a short escaped excerpt.
    static func describeKeys(_ object: JSONText) -> String {
        let names = object.memberNames(limit: 9)
        if names.isEmpty { return "an empty object" }
        let shown = names.prefix(8).map { JSONString.excerpt($0) }.joined(separator: ", ")
        return "keys \(shown)\(names.count > 8 ? ", …" : "")"
    }

    /// A value from the event for a message: quoted, escaped, and cut to about 200 bytes.
    static func quoted(_ text: String) -> String {
        JSONString.excerpt(text)
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

extension String {
    /// The text without leading and trailing JSON whitespace (space, tab, LF, CR), by bytes.
    func trimmingJSONWhitespace() -> String {
        let bytes = Array(utf8)
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
