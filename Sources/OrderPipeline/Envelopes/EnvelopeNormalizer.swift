import AWSClient
import JSON

/// What an event turned into.
public enum NormalizedEvent: Sendable, Equatable {
    /// An EventBridge event, a raw order, or either as JSON text: one order.
    case single(OrderEvent)
    /// An S3 notification: one result per record, each valid or not on its own.
    case s3Notification([Result<OrderEvent, OrderPipelineError>])
}

/// Turns EventBridge, raw, JSON-text and S3 notification envelopes into orders (DESIGN.md "Envelopes → orders").
///
/// Anything else is an `InvalidOrderEvent` whose message names the expected shape and what was found.
public enum EnvelopeNormalizer {
    static let expectedShapes = "an EventBridge event (detail-type, source, detail), an order (order_id, price), an S3 event notification (Records[].s3) or a JSON string holding one of them"

    /// Normalises an event.
    /// - Parameter payload: The event bytes as delivered.
    /// - Returns: The order(s).
    /// - Throws: ``OrderPipelineError/invalidOrderEvent(_:)`` when the event is none of the envelopes.
    public static func normalize(_ payload: [UInt8]) throws(OrderPipelineError) -> NormalizedEvent {
        guard payload.contains(where: { !isJSONWhitespace($0) }) else {
            throw .invalidOrderEvent("expected \(expectedShapes); found an empty payload")
        }
        let event: JSONValue
        do {
            event = try JSONValue.parse(payload)
        } catch {
            throw .invalidOrderEvent("expected a JSON event, but the payload is not JSON: \(error)")
        }
        if let text = event.stringValue {
            let inner: JSONValue
            do {
                inner = try JSONValue.parse(text)
            } catch {
                throw .invalidOrderEvent("the event is a JSON string, but its text is not JSON: \(error)")
            }
            guard inner.objectValue != nil else {
                throw .invalidOrderEvent("expected the JSON string to hold \(expectedShapes.replacing(" or a JSON string holding one of them", with: "")); found \(inner.kindDescription)")
            }
            return try normalizeObject(inner, wasJSONText: true)
        }
        return try normalizeObject(event, wasJSONText: false)
    }

    private static func normalizeObject(_ event: JSONValue, wasJSONText: Bool) throws(OrderPipelineError) -> NormalizedEvent {
        guard let object = event.objectValue else {
            throw .invalidOrderEvent("expected \(expectedShapes); found \(event.kindDescription)")
        }
        if let records = object["Records"] {
            return .s3Notification(try S3NotificationEnvelope.orders(from: records, wasJSONText: wasJSONText))
        }
        if object["detail-type"] != nil || object["detail"] != nil {
            return .single(try eventBridgeOrder(object, wasJSONText: wasJSONText))
        }
        if let orderID = object["order_id"] {
            return .single(try order(object, orderID: orderID, path: "", envelope: .raw, wasJSONText: wasJSONText))
        }
        if object["price"] != nil {
            // It looks like a raw order that lost its key: say exactly that.
            throw .invalidOrderEvent("expected order_id (a string or an integer) next to price in the order; found \(describeKeys(object))")
        }
        throw .invalidOrderEvent("expected \(expectedShapes); found \(object.isEmpty ? "an empty object" : "an object with \(describeKeys(object))")")
    }

    private static func eventBridgeOrder(_ object: JSONObject, wasJSONText: Bool) throws(OrderPipelineError) -> OrderEvent {
        guard let detailType = object["detail-type"]?.stringValue, let source = object["source"]?.stringValue else {
            let missing = object["detail-type"]?.stringValue == nil ? "detail-type" : "source"
            throw .invalidOrderEvent("expected an EventBridge event with detail-type, source and detail (strings and an object); its \(missing) is \(object[missing]?.kindDescription ?? "missing")")
        }
        guard let detail = object["detail"], let detailObject = detail.objectValue else {
            throw .invalidOrderEvent("expected the EventBridge detail to be an object with order_id and price; found \(object["detail"]?.kindDescription ?? "no detail")")
        }
        guard let orderID = detailObject["order_id"] else {
            throw .invalidOrderEvent("expected detail.order_id (a string or an integer) in the \(detailType) event from \(source); found \(describeKeys(detailObject))")
        }
        let envelope = OrderEvent.Envelope.eventBridge(source: source, detailType: detailType, eventID: object["id"]?.stringValue)
        return try order(detailObject, orderID: orderID, path: "detail.", envelope: envelope, wasJSONText: wasJSONText)
    }

    private static func order(_ object: JSONObject, orderID rawID: JSONValue, path: String, envelope: OrderEvent.Envelope,
                              wasJSONText: Bool) throws(OrderPipelineError) -> OrderEvent {
        let orderID = try key(from: rawID, field: path + "order_id")
        guard let rawPrice = object["price"], !rawPrice.isNull else {
            throw .invalidOrderEvent("expected \(path)price (a number) for order \(quoted(orderID)); found none")
        }
        let price = try Self.price(from: rawPrice, field: path + "price", orderID: orderID)
        return OrderEvent(orderID: orderID, price: price, envelope: envelope, order: .object(object), wasJSONText: wasJSONText)
    }

    /// Reads an order ID: a non-empty string, or an integer written as one (`123` is `"123"`).
    static func key(from value: JSONValue, field: String) throws(OrderPipelineError) -> String {
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

    private static func price(from value: JSONValue, field: String, orderID: String) throws(OrderPipelineError) -> JSONNumber {
        var number = value.numberValue
        if number == nil, let text = value.stringValue {
            number = JSONNumber(literal: text.trimmingSpaces())  // "42.50" is taken as 42.50
        }
        guard let number, number.doubleValue.isFinite, number.doubleValue >= 0 else {
            throw .invalidOrderEvent("expected \(field) of order \(quoted(orderID)) to be a non-negative number; found \(value.kindDescription)")
        }
        return number
    }

    static func describeKeys(_ object: JSONObject) -> String {
        let keys = object.keys
        if keys.isEmpty { return "an empty object" }
        let shown = keys.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
        return "keys \(shown)\(keys.count > 8 ? ", …" : "")"
    }

    static func quoted(_ text: String) -> String {
        "\"" + (text.count > 80 ? String(text.prefix(80)) + "…" : text) + "\""
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
