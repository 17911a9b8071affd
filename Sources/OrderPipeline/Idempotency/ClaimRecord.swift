import AWSClient
import JSON

/// The state of an order's claim item.
public enum ClaimStatus: String, Sendable {
    /// Claimed by `owner` until `lease_expires_ms`; the S3 write may or may not have happened.
    case inProgress = "IN_PROGRESS"
    /// The object is in S3 and `result` holds what the first run returned.
    case completed = "COMPLETED"
}

/// One item of the idempotency table (DESIGN.md "The idempotency protocol").
public struct ClaimRecord: Sendable, Equatable {
    public var orderID: String
    /// `nil` when the item holds a status this version does not know.
    public var status: ClaimStatus?
    /// The status text as stored, for messages about unknown statuses.
    public var rawStatus: String?
    /// The request ID that holds (or held) the claim.
    public var owner: String?
    /// Unix ms after which an `IN_PROGRESS` claim may be taken over (the owner's invocation deadline).
    public var leaseExpiresMilliseconds: Int64?
    /// Unix seconds after which the whole item counts as gone (the table's TTL attribute); `nil` keeps it for ever.
    public var expiryTimeSeconds: Int64?
    /// SHA-256 of the canonical order.
    public var payloadHash: String?
    /// When the first run wrote the object (RFC 3339).
    public var processedAt: String?
    public var price: String?
    public var source: String?
    /// The object key the order is written to.
    public var s3Key: String?
    /// The JSON the first run returned.
    public var result: String?

    /// Creates a record.
    public init(orderID: String, status: ClaimStatus?, owner: String? = nil, leaseExpiresMilliseconds: Int64? = nil,
                expiryTimeSeconds: Int64? = nil, payloadHash: String? = nil, processedAt: String? = nil,
                price: String? = nil, source: String? = nil, s3Key: String? = nil, result: String? = nil) {
        self.orderID = orderID
        self.status = status
        self.rawStatus = status?.rawValue
        self.owner = owner
        self.leaseExpiresMilliseconds = leaseExpiresMilliseconds
        self.expiryTimeSeconds = expiryTimeSeconds
        self.payloadHash = payloadHash
        self.processedAt = processedAt
        self.price = price
        self.source = source
        self.s3Key = s3Key
        self.result = result
    }

    /// Reads a record from an item.
    /// - Parameter item: The item, e.g. the `ALL_OLD` item of a failed condition.
    /// - Returns: `nil` when the item has no `order_id`.
    public init?(item: DynamoDBItem) {
        guard let orderID = item["order_id"]?.stringValue else { return nil }
        self.init(orderID: orderID, status: item["status"]?.stringValue.flatMap(ClaimStatus.init(rawValue:)))
        rawStatus = item["status"]?.stringValue
        owner = item["owner"]?.stringValue
        leaseExpiresMilliseconds = item["lease_expires_ms"]?.int64Value
        expiryTimeSeconds = item["expiry_time"]?.int64Value
        payloadHash = item["payload_hash"]?.stringValue
        processedAt = item["processed_at"]?.stringValue
        if case .number(let text) = item["price"] { price = text }
        source = item["source"]?.stringValue
        s3Key = item["s3_key"]?.stringValue
        result = item["result"]?.stringValue
    }

    /// The item to store.
    public var item: DynamoDBItem {
        DynamoDBItem(uniqueKeysWithValues: attributes)
    }

    /// ``item`` in DynamoDB's JSON, as `item.json` writes it (names in sorted order), built without
    /// the dictionary: every claim sends one.
    public var itemJSON: JSONValue {
        .object(JSONObject(attributes.map { ($0.0, $0.1.json) }))
    }

    /// The attributes that are set, sorted by name.
    private var attributes: [(String, AttributeValue)] {
        var attributes: [(String, AttributeValue)] = []
        attributes.reserveCapacity(11)
        if let expiryTimeSeconds { attributes.append(("expiry_time", .integer(expiryTimeSeconds))) }
        if let leaseExpiresMilliseconds { attributes.append(("lease_expires_ms", .integer(leaseExpiresMilliseconds))) }
        attributes.append(("order_id", .string(orderID)))
        if let owner { attributes.append(("owner", .string(owner))) }
        if let payloadHash { attributes.append(("payload_hash", .string(payloadHash))) }
        if let price { attributes.append(("price", .number(price))) }
        if let processedAt { attributes.append(("processed_at", .string(processedAt))) }
        if let result { attributes.append(("result", .string(result))) }
        if let s3Key { attributes.append(("s3_key", .string(s3Key))) }
        if let source { attributes.append(("source", .string(source))) }
        if let rawStatus { attributes.append(("status", .string(rawStatus))) }
        return attributes
    }
}
