import Essentials
import AWSClient
import Hashing
import JSON

/// The tables the completing transaction writes besides the claim (DESIGN.md "Audit trail and
/// daily totals"): one audit item per completed order, and the day's order count and revenue.
public struct AuditTrailTables: Sendable, Equatable {
    /// `AUDIT_TABLE`: partition key `order_id` (S).
    public var audit: String?
    /// `TOTALS_TABLE`: partition key `day` (S, `YYYY-MM-DD`, the UTC date of `processed_at`).
    public var totals: String?

    /// The tables, or `nil` when neither is set (orders then complete with one `UpdateItem`).
    public init?(audit: String?, totals: String?) {
        guard audit != nil || totals != nil else { return nil }
        self.audit = audit
        self.totals = totals
    }
}

/// One completed order in the audit table, written by whichever run completes the order, once.
public struct AuditEntry: Sendable, Equatable {
    public var orderID: String
    /// The request that completed the order.
    public var requestID: String
    /// When the completing run wrote the object, or — when an earlier, crashed run had written it
    /// (S3 answered 412) — when the order was completed. Its UTC date picks the totals' day.
    public var processedAt: String
    public var s3Key: String
    /// SHA-256 of the canonical order, as in the claim item.
    public var payloadHash: String
    /// `eventbridge:demo.orders`, `raw`, `s3://bucket/key`.
    public var source: String
    /// The price as an exact decimal literal (no exponent); `nil` for orders without a price (S3 records).
    public var price: String?

    /// Creates an entry.
    public init(orderID: String, requestID: String, processedAt: String, s3Key: String, payloadHash: String,
                source: String, price: String?) {
        self.orderID = orderID
        self.requestID = requestID
        self.processedAt = processedAt
        self.s3Key = s3Key
        self.payloadHash = payloadHash
        self.source = source
        self.price = price
    }

    /// Reads an entry from an item (e.g. the `ALL_OLD` item of a failed audit condition).
    /// - Returns: `nil` when the item lacks `order_id`; other missing attributes read as empty.
    public init?(item: DynamoDBItem) {
        guard let orderID = item["order_id"]?.stringValue else { return nil }
        var price: String?
        if case .number(let text) = item["price"] { price = text }
        self.init(orderID: orderID, requestID: item["request_id"]?.stringValue ?? "",
                  processedAt: item["processed_at"]?.stringValue ?? "", s3Key: item["s3_key"]?.stringValue ?? "",
                  payloadHash: item["payload_hash"]?.stringValue ?? "", source: item["source"]?.stringValue ?? "",
                  price: price)
    }

    /// The item to put.
    public var item: DynamoDBItem {
        var item: DynamoDBItem = [
            "order_id": .string(orderID), "request_id": .string(requestID), "processed_at": .string(processedAt),
            "s3_key": .string(s3Key), "payload_hash": .string(payloadHash), "source": .string(source),
        ]
        if let price { item["price"] = .number(price) }
        return item
    }

    /// The totals item's key: the UTC date of `processed_at` (`YYYY-MM-DD`).
    public var day: String {
        // processed_at is RFC 3339 in UTC as this function writes it; read it anyway, in case an
        // item written by something else carries an offset.
        let milliseconds = UTCDateTime.parseISO8601(processedAt) ?? 0
        return String(UTCDateTime(millisecondsSinceEpoch: milliseconds).iso8601.prefix(10))
    }

    /// A price literal as DynamoDB adds it: the canonical literal (`19.99`, `42`, `1.5e-7`) written
    /// without an exponent (`0.00000015`), so the totals' `ADD` stays exact decimal arithmetic
    /// whatever reads the item back. A literal that is not `digits[.digits][e±digits]`, or whose
    /// exponent is beyond DynamoDB's range, is returned as it is.
    public static func plainDecimal(_ literal: String) -> String {
        var bytes = Array(literal.utf8)
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes.removeFirst()
        }
        guard let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return literal }
        guard let exponent = Int(String(decoding: bytes[(e + 1)...], as: UTF8.self)), abs(exponent) <= 130 else { return literal }
        let mantissa = bytes[..<e]
        let point = mantissa.firstIndex(of: UInt8(ascii: ".")) ?? mantissa.endIndex
        let digits = Array(mantissa[..<point]) + Array(mantissa[point...].dropFirst())
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return literal }
        let zero = UInt8(ascii: "0")
        let position = (point - mantissa.startIndex) + exponent  // digits before the decimal point
        var integer: [UInt8]
        var fraction: [UInt8]
        if position <= 0 {
            (integer, fraction) = ([], Array(repeating: zero, count: -position) + digits)
        } else if position >= digits.count {
            (integer, fraction) = (digits + Array(repeating: zero, count: position - digits.count), [])
        } else {
            (integer, fraction) = (Array(digits[..<position]), Array(digits[position...]))
        }
        while integer.first == zero { integer.removeFirst() }
        while fraction.last == zero { fraction.removeLast() }
        if integer.isEmpty { integer = [zero] }
        let text = String(decoding: integer, as: UTF8.self) + (fraction.isEmpty ? "" : "." + String(decoding: fraction, as: UTF8.self))
        return negative && text != "0" ? "-" + text : text
    }
}

/// The completing `TransactWriteItems` (protocol step 4 with the audit trail): the claim to
/// `COMPLETED` on condition it is ours, the audit item on condition it does not exist, and
/// `ADD orders :one, revenue :price` on the day's totals. All or nothing.
struct CompletionTransaction: Sendable, Equatable {
    /// The claim's `Update` (table, key, expressions), exactly as the single `UpdateItem` sends it.
    var claimUpdate: JSONObject
    var tables: AuditTrailTables
    var entry: AuditEntry

    /// Where each action is in `TransactItems`, to read its `CancellationReasons` entry.
    static let claimIndex = 0
    var auditIndex: Int? { tables.audit == nil ? nil : 1 }

    /// The `TransactItems`.
    var actions: [JSONValue] {
        var actions: [JSONValue] = [["Update": .object(claimUpdate)]]
        if let audit = tables.audit {
            actions.append(["Put": [
                "TableName": .string(audit),
                "Item": entry.item.json,
                "ConditionExpression": "attribute_not_exists(#order_id)",
                "ExpressionAttributeNames": ["#order_id": "order_id"],
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            ]])
        }
        if let totals = tables.totals {
            var names: JSONObject = ["#orders": "orders"]
            var values: JSONObject = [":one": AttributeValue.integer(1).json]
            var additions = ["#orders :one"]
            if let price = entry.price {
                // Exact decimal arithmetic on DynamoDB's side: the literal goes as text, never through a Double.
                names["#revenue"] = "revenue"
                values[":price"] = AttributeValue.number(price).json
                additions.append("#revenue :price")
            }
            actions.append(["Update": [
                "TableName": .string(totals),
                "Key": ["day": AttributeValue.string(entry.day).json],
                "UpdateExpression": .string("ADD " + additions.joined(separator: ", ")),
                "ExpressionAttributeNames": .object(names),
                "ExpressionAttributeValues": .object(values),
            ]])
        }
        return actions
    }

    /// The `ClientRequestToken`: derived from the order and the claim's owner, so every retry of
    /// this completion sends the same one (DynamoDB then applies it once within its 10-minute
    /// window), and no other order or owner shares it. 36 hex characters (144 bits of SHA-256), the
    /// most DynamoDB takes. `generation` 2 is the fresh token a completion is re-sent under after
    /// `IdempotentParameterMismatchException`, so the claim's condition can decide.
    static func clientRequestToken(orderID: String, owner: String, generation: Int = 1) -> String {
        // Length-prefixed fields: no two (order, owner) pairs serialize alike.
        let material = "order-pipeline/complete/v1\n\(orderID.utf8.count):\(orderID)\n\(owner.utf8.count):\(owner)\n\(generation)"
        return String(SHA256.hash(Array(material.utf8)).hexEncodedString.prefix(36))
    }
}
