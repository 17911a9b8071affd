import Essentials
import AWSClient
import JSON

/// The DynamoDB side of the protocol: claim, complete and release, each conditional. A failed
/// condition is an answer (``DynamoDBClient/ConditionalOutcome/conditionFailed(item:)``), not an error.
public final class ClaimStore: Sendable {
    private let dynamoDB: DynamoDBClient
    private let table: String
    private let auditTrail: AuditTrailTables?

    /// Creates the store.
    /// - Parameters:
    ///   - dynamoDB: The client.
    ///   - table: The claim table (`TABLE`).
    ///   - auditTrail: `AUDIT_TABLE` and `TOTALS_TABLE`, when either is set: completing an order is
    ///     then one `TransactWriteItems` that also writes its audit item and adds it to the day's totals.
    public init(dynamoDB: DynamoDBClient, table: String, auditTrail: AuditTrailTables? = nil) {
        self.dynamoDB = dynamoDB
        self.table = table
        self.auditTrail = auditTrail
    }

    /// What the claim put did.
    enum ClaimOutcome: Equatable {
        /// The item is ours now; `previous` is what it replaced (an expired claim or completion), if anything.
        case claimed(previous: ClaimRecord?)
        /// The condition failed; `existing` is the item that blocked it.
        case refused(existing: ClaimRecord?)
    }

    /// `PutItem` of an `IN_PROGRESS` item that succeeds only when the order is new, its item has
    /// expired (TTL passed but not yet deleted), or its claim's lease has run out.
    func claim(_ record: ClaimRecord, nowMilliseconds: Int64, _ call: AWSCall) throws(AWSError) -> ClaimOutcome {
        let input: JSONValue = [
            "TableName": .string(table),
            "Item": record.itemJSON,
            "ConditionExpression": "attribute_not_exists(#order_id) OR #expiry_time < :now_s OR (#status = :in_progress AND #lease_expires_ms < :now_ms)",
            "ExpressionAttributeNames": [
                "#order_id": "order_id", "#expiry_time": "expiry_time", "#status": "status", "#lease_expires_ms": "lease_expires_ms",
            ],
            "ExpressionAttributeValues": [
                ":now_s": AttributeValue.integer(nowMilliseconds / 1_000).json,
                ":now_ms": AttributeValue.integer(nowMilliseconds).json,
                ":in_progress": AttributeValue.string(ClaimStatus.inProgress.rawValue).json,
            ],
            "ReturnValues": "ALL_OLD",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        ]
        switch try dynamoDB.conditionalCall("PutItem", input, call) {
        case .applied(let output):
            return .claimed(previous: Self.record(output["Attributes"]))
        case .conditionFailed(let item):
            return .refused(existing: Self.record(item))
        }
    }

    /// What the completion did.
    enum CompletionOutcome: Equatable {
        /// The item is `COMPLETED` with our result (and, with the audit trail, audited and counted).
        case completed
        /// It already was, by us: an earlier attempt's answer was lost and the retry met its own write.
        case alreadyCompletedByUs
        /// Someone else holds the item now (they took the claim over after our lease ran out).
        case takenOver(owner: String?)
        /// The audit table already has the order (its claim item expired or was deleted since an
        /// earlier completion): nothing was written; the entry found, when it reads as one.
        case alreadyAudited(AuditEntry?)
    }

    /// Everything a completion writes.
    struct Completion: Equatable {
        var orderID: String
        var owner: String
        /// The claim's `processed_at`, when known.
        var processedAt: String?
        /// The JSON answer to store.
        var result: String
        /// The TTL attribute, from the completion on.
        var expiryTimeSeconds: Int64?
        /// The audit item (and the totals' day and price), used when the audit trail is on.
        var audit: AuditEntry
    }

    /// Marks the claim `COMPLETED`, only while it is still ours: one `UpdateItem`, or — with the
    /// audit trail, unless `auditing` is `false` — one `TransactWriteItems` that also writes the
    /// audit item and adds the order to the day's totals, all or nothing.
    func complete(_ completion: Completion, auditing: Bool = true, _ call: AWSCall) throws(AWSError) -> CompletionOutcome {
        let update = completionUpdate(completion)
        guard auditing, let auditTrail else {
            switch try dynamoDB.conditionalCall("UpdateItem", .object(update), call) {
            case .applied: return .completed
            case .conditionFailed(let item): return Self.claimRefused(Self.record(item), owner: completion.owner)
            }
        }
        let transaction = CompletionTransaction(claimUpdate: update, tables: auditTrail, entry: completion.audit)
        var mismatch = ""
        for generation in 1...2 {
            let token = CompletionTransaction.clientRequestToken(orderID: completion.orderID, owner: completion.owner,
                                                                 generation: generation)
            switch try dynamoDB.transactWriteItems(transaction.actions, clientRequestToken: token, call) {
            case .applied:
                return .completed
            case .cancelled(let reasons):
                return try Self.decide(reasons, transaction, owner: completion.owner)
            case .tokenReused(let message):
                // The token served a request with other parameters (the same owner completing with
                // another processed_at, e.g. a redelivery under the same request ID): send it again
                // under a fresh token, and let the claim's condition say whether we completed it.
                call.logger.warn("Completion of order \(completion.orderID) met its ClientRequestToken used with other parameters; sending it again under a fresh token")
                mismatch = message
            }
        }
        throw AWSError(service: .dynamoDB, operation: "TransactWriteItems",
                       kind: .service(status: 400, code: AWSRefusal.idempotentParameterMismatchCode, message: mismatch),
                       attempts: 2)
    }

    /// The claim's completion update: table, key, expressions (the `UpdateItem` input, and the
    /// transaction's `Update` action).
    private func completionUpdate(_ completion: Completion) -> JSONObject {
        var assignments = ["#status = :completed", "#result = :result"]
        var names: JSONObject = ["#status": "status", "#result": "result", "#owner": "owner", "#lease_expires_ms": "lease_expires_ms"]
        var values: JSONObject = [
            ":completed": AttributeValue.string(ClaimStatus.completed.rawValue).json,
            ":in_progress": AttributeValue.string(ClaimStatus.inProgress.rawValue).json,
            ":result": AttributeValue.string(completion.result).json,
            ":me": AttributeValue.string(completion.owner).json,
        ]
        if let processedAt = completion.processedAt {
            assignments.append("#processed_at = :processed_at")
            names["#processed_at"] = "processed_at"
            values[":processed_at"] = AttributeValue.string(processedAt).json
        }
        if let expiryTimeSeconds = completion.expiryTimeSeconds {
            // The retention window starts when the order completes, not when it was claimed.
            assignments.append("#expiry_time = :expiry_time")
            names["#expiry_time"] = "expiry_time"
            values[":expiry_time"] = AttributeValue.integer(expiryTimeSeconds).json
        }
        return [
            "TableName": .string(table),
            "Key": ["order_id": AttributeValue.string(completion.orderID).json],
            "UpdateExpression": .string("SET " + assignments.joined(separator: ", ") + " REMOVE #lease_expires_ms"),
            "ConditionExpression": "#owner = :me AND #status = :in_progress",
            "ExpressionAttributeNames": .object(names),
            "ExpressionAttributeValues": .object(values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        ]
    }

    /// The claim's condition failed: it is done by us already, or no longer ours.
    private static func claimRefused(_ current: ClaimRecord?, owner: String) -> CompletionOutcome {
        if current?.owner == owner, current?.status == .completed { return .alreadyCompletedByUs }
        return .takenOver(owner: current?.owner)
    }

    /// A cancelled completion, decided from its reasons: the claim's first (it says whether the
    /// order is ours to complete), then the audit item's.
    static func decide(_ reasons: [CancellationReason], _ transaction: CompletionTransaction,
                       owner: String) throws(AWSError) -> CompletionOutcome {
        let index = CompletionTransaction.claimIndex
        if index < reasons.count, reasons[index].conditionFailed {
            return claimRefused(reasons[index].item.flatMap(ClaimRecord.init(item:)), owner: owner)
        }
        if let index = transaction.auditIndex, index < reasons.count, reasons[index].conditionFailed {
            return .alreadyAudited(reasons[index].item.flatMap(AuditEntry.init(item:)))
        }
        let codes = reasons.map(\.code).joined(separator: ", ")
        throw AWSError(service: .dynamoDB, operation: "TransactWriteItems",
                       kind: .service(status: 400, code: "TransactionCanceledException",
                                      message: "cancelled for reasons that name none of its conditions [\(codes)]"))
    }

    /// `DeleteItem` of our own `IN_PROGRESS` claim, so a retry can claim at once after a failure.
    /// Never deletes someone else's claim or a completed order.
    /// - Returns: `false` when there was no claim of ours to delete.
    func release(orderID: String, owner: String, _ call: AWSCall) throws(AWSError) -> Bool {
        let input: JSONValue = [
            "TableName": .string(table),
            "Key": ["order_id": AttributeValue.string(orderID).json],
            "ConditionExpression": "#owner = :me AND #status = :in_progress",
            "ExpressionAttributeNames": ["#owner": "owner", "#status": "status"],
            "ExpressionAttributeValues": [
                ":me": AttributeValue.string(owner).json,
                ":in_progress": AttributeValue.string(ClaimStatus.inProgress.rawValue).json,
            ],
        ]
        switch try dynamoDB.conditionalCall("DeleteItem", input, call) {
        case .applied: return true
        case .conditionFailed: return false
        }
    }

    /// A claim record from an item in DynamoDB JSON, when there is one and it reads as a claim.
    private static func record(_ item: JSONValue?) -> ClaimRecord? {
        item.flatMap(DynamoDBItem.fromJSON).flatMap(ClaimRecord.init(item:))
    }
}
