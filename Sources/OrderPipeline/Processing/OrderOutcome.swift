import JSON

/// How one order ended, and the response the contract gives for it.
public enum OrderOutcome: Sendable, Equatable {
    /// This run wrote the order to S3.
    case firstTime(orderID: String, s3Key: String, processedAt: String)
    /// The order was already processed; what the first run stored, when known.
    case duplicate(orderID: String, s3Key: String?, processedAt: String?)

    /// `{"ok": true, "order_id": "123", "first_time": true, "s3_key": …, "processed_at": …}` or
    /// `{"ok": true, "duplicate": true, "order_id": "123", "s3_key": …, "processed_at": …}`.
    public var response: JSONValue {
        switch self {
        case .firstTime(let orderID, let s3Key, let processedAt):
            return ["ok": true, "order_id": .string(orderID), "first_time": true, "s3_key": .string(s3Key),
                    "processed_at": .string(processedAt)]
        case .duplicate(let orderID, let s3Key, let processedAt):
            var object: JSONObject = ["ok": true, "duplicate": true, "order_id": .string(orderID)]
            if let s3Key { object["s3_key"] = .string(s3Key) }
            if let processedAt { object["processed_at"] = .string(processedAt) }
            return .object(object)
        }
    }
}
