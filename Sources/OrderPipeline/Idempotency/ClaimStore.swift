import Essentials
import AWSClient
import JSON

/// The DynamoDB side of the protocol: claim, complete and release, each conditional. A failed
/// condition is an answer (``DynamoDBClient/ConditionalOutcome/conditionFailed(item:)``), not an error.
public final class ClaimStore: Sendable {
    private let dynamoDB: DynamoDBClient
    private let table: String

    /// Creates the store.
    /// - Parameters:
    ///   - dynamoDB: The client.
    ///   - table: The claim table (`TABLE`).
    public init(dynamoDB: DynamoDBClient, table: String) {
        self.dynamoDB = dynamoDB
        self.table = table
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
            "Item": record.item.json,
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
        /// The item is `COMPLETED` with our result.
        case completed
        /// It already was, by us: an earlier attempt's answer was lost and the retry met its own write.
        case alreadyCompletedByUs
        /// Someone else holds the item now (they took the claim over after our lease ran out).
        case takenOver(owner: String?)
    }

    /// `UpdateItem` to `COMPLETED`, only while the claim is still ours.
    func complete(orderID: String, owner: String, processedAt: String?, result: String, expiryTimeSeconds: Int64?,
                  _ call: AWSCall) throws(AWSError) -> CompletionOutcome {
        var assignments = ["#status = :completed", "#result = :result"]
        var names: JSONObject = ["#status": "status", "#result": "result", "#owner": "owner", "#lease_expires_ms": "lease_expires_ms"]
        var values: JSONObject = [
            ":completed": AttributeValue.string(ClaimStatus.completed.rawValue).json,
            ":in_progress": AttributeValue.string(ClaimStatus.inProgress.rawValue).json,
            ":result": AttributeValue.string(result).json,
            ":me": AttributeValue.string(owner).json,
        ]
        if let processedAt {
            assignments.append("#processed_at = :processed_at")
            names["#processed_at"] = "processed_at"
            values[":processed_at"] = AttributeValue.string(processedAt).json
        }
        if let expiryTimeSeconds {
            // The retention window starts when the order completes, not when it was claimed.
            assignments.append("#expiry_time = :expiry_time")
            names["#expiry_time"] = "expiry_time"
            values[":expiry_time"] = AttributeValue.integer(expiryTimeSeconds).json
        }
        let input: JSONValue = [
            "TableName": .string(table),
            "Key": ["order_id": AttributeValue.string(orderID).json],
            "UpdateExpression": .string("SET " + assignments.joined(separator: ", ") + " REMOVE #lease_expires_ms"),
            "ConditionExpression": "#owner = :me AND #status = :in_progress",
            "ExpressionAttributeNames": .object(names),
            "ExpressionAttributeValues": .object(values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        ]
        switch try dynamoDB.conditionalCall("UpdateItem", input, call) {
        case .applied:
            return .completed
        case .conditionFailed(let item):
            let current = Self.record(item)
            if current?.owner == owner, current?.status == .completed { return .alreadyCompletedByUs }
            return .takenOver(owner: current?.owner)
        }
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
