import JSON

/// One order taken out of an event, whatever envelope carried it.
public struct OrderEvent: Sendable, Equatable {
    /// Which envelope it came in.
    public enum Envelope: Sendable, Equatable {
        /// An EventBridge event: its `source`, `detail-type` and event `id`.
        case eventBridge(source: String, detailType: String, eventID: String?)
        /// A bare order object.
        case raw
        /// One record of an S3 event notification.
        case s3(bucket: String, key: String, size: Int64?, eTag: String?, sequencer: String?, versionID: String?)
    }

    /// The order key (`123` and `"123"` are both `"123"`).
    public var orderID: String
    /// The price, when the envelope carries one (S3 notifications do not).
    public var price: JSONNumber?
    /// Where it came from.
    public var envelope: Envelope
    /// The order as it arrived (EventBridge `detail`, the raw object, or the S3 object's description),
    /// kept as its checked JSON text: a 6 MB order costs its 6 MB, not a tree ten times that.
    public var orderText: JSONText
    /// Whether the event was a JSON string holding the envelope.
    public var wasJSONText: Bool

    /// Creates an order event.
    public init(orderID: String, price: JSONNumber?, envelope: Envelope, order: JSONValue, wasJSONText: Bool = false) {
        self.init(orderID: orderID, price: price, envelope: envelope, orderText: JSONText(order), wasJSONText: wasJSONText)
    }

    /// Creates an order event from the order's checked text.
    public init(orderID: String, price: JSONNumber?, envelope: Envelope, orderText: JSONText, wasJSONText: Bool = false) {
        self.orderID = orderID
        self.price = price
        self.envelope = envelope
        self.orderText = orderText
        self.wasJSONText = wasJSONText
    }

    /// The order as a tree. It costs a tree; the pipeline itself reads `orderText`.
    public var order: JSONValue { orderText.value }

    /// The canonical text of `canonicalOrder`, written straight from the order's text: what the
    /// payload hash covers, byte for byte `canonicalOrder.canonicalSerializedBytes()`, in memory
    /// linear in the order's size.
    public var canonicalOrderBytes: [UInt8] {
        switch envelope {
        case .s3:
            return canonicalOrder.canonicalSerializedBytes()
        case .eventBridge, .raw:
            var overriding: [(String, JSONValue)] = [("order_id", .string(orderID))]
            if let price { overriding.append(("price", .number(price))) }
            guard orderText.kind == .object else { return JSONValue.object(JSONObject(overriding)).canonicalSerializedBytes() }
            return orderText.canonicalSerializedBytes(overriding: overriding)
        }
    }

    /// What the payload hash covers: the order with `order_id` as a string and the price as a number,
    /// serialised canonically (keys sorted, no whitespace, numbers normalised) — so key order,
    /// whitespace and `42` vs `42.0` never make the same order look different, and the same order
    /// through two envelopes hashes the same. For S3 records: bucket, key, size and ETag (a
    /// re-delivered notification matches; new content under the same name does not).
    public var canonicalOrder: JSONValue {
        switch envelope {
        case .s3(let bucket, let key, let size, let eTag, _, _):
            var object: JSONObject = ["order_id": .string(orderID), "bucket": .string(bucket), "key": .string(key)]
            if let size { object["size"] = .number(JSONNumber(size)) }
            if let eTag { object["eTag"] = .string(eTag) }
            return .object(object)
        case .eventBridge, .raw:
            var object = order.objectValue ?? JSONObject()
            object["order_id"] = .string(orderID)
            if let price { object["price"] = .number(price) }
            return .object(object)
        }
    }

    /// A short description of the source for the claim item and the archived document:
    /// `eventbridge:demo.orders`, `raw`, `s3://bucket/key`.
    public var sourceLabel: String {
        switch envelope {
        case .eventBridge(let source, _, _): "eventbridge:\(source)"
        case .raw: "raw"
        case .s3(let bucket, let key, _, _, _, _): "s3://\(bucket)/\(key)"
        }
    }

    /// Where it came from, as a JSON object for the archived document.
    public var sourceDocument: JSONValue {
        var object: JSONObject
        switch envelope {
        case .eventBridge(let source, let detailType, let eventID):
            object = ["type": "eventbridge", "source": .string(source), "detail-type": .string(detailType)]
            if let eventID { object["id"] = .string(eventID) }
        case .raw:
            object = ["type": "raw"]
        case .s3(let bucket, let key, let size, let eTag, let sequencer, let versionID):
            object = ["type": "s3", "bucket": .string(bucket), "key": .string(key)]
            if let size { object["size"] = .number(JSONNumber(size)) }
            if let eTag { object["eTag"] = .string(eTag) }
            if let sequencer { object["sequencer"] = .string(sequencer) }
            if let versionID { object["versionId"] = .string(versionID) }
        }
        if wasJSONText { object["json_text"] = true }
        return .object(object)
    }
}
