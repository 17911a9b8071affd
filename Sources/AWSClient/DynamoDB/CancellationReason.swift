import JSON

/// Why one action of a cancelled `TransactWriteItems` did not apply: DynamoDB's
/// `TransactionCanceledException` carries one reason per action, in the order of `TransactItems`.
///
/// The decision is made from these codes, never from the exception's message text.
/// - SeeAlso: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
public struct CancellationReason: Sendable, Equatable {
    /// `None` (this action was fine), `ConditionalCheckFailed`, `TransactionConflict`, `ThrottlingError`,
    /// `ProvisionedThroughputExceeded`, `ItemCollectionSizeLimitExceeded`, `ValidationError`, …
    public var code: String
    /// DynamoDB's message for this action, if any.
    public var message: String?
    /// The item as it was, for a failed condition whose action asked for
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD` (absent when there was no item).
    public var item: DynamoDBItem?

    /// Creates a reason.
    public init(code: String, message: String? = nil, item: DynamoDBItem? = nil) {
        self.code = code
        self.message = message
        self.item = item
    }

    /// Codes as DynamoDB spells them.
    public static let noneCode = "None"
    public static let conditionalCheckFailedCode = "ConditionalCheckFailed"
    public static let transactionConflictCode = "TransactionConflict"
    /// Reasons that mean "too fast": retried with the throttling backoff.
    static let throttlingCodes: Set<String> = ["ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"]

    /// Whether this action's condition was false.
    public var conditionFailed: Bool { code == Self.conditionalCheckFailedCode }

    /// The reasons of an error body (`{"__type": "…TransactionCanceledException", "CancellationReasons": […]}`).
    /// - Parameter body: The parsed error body.
    /// - Returns: The reasons in action order, or `nil` when the body has no list of them.
    public static func reasons(in body: JSONValue?) -> [CancellationReason]? {
        guard let list = body?["CancellationReasons"]?.arrayValue else { return nil }
        return list.map { reason in
            CancellationReason(code: reason["Code"]?.stringValue ?? noneCode,
                               message: reason["Message"]?.stringValue,
                               item: reason["Item"].flatMap(DynamoDBItem.fromJSON))
        }
    }

    /// How a cancellation with no failed condition counts for retrying: a validation error or any
    /// other final reason makes it final; else throttling waits longer than a conflict.
    /// - Parameter reasons: The reasons; none of them a failed condition (that is an answer, not a failure).
    static func failureKind(of reasons: [CancellationReason]) -> FailureKind {
        let failing = reasons.filter { $0.code != noneCode }
        if failing.isEmpty { return .permanent }
        if failing.contains(where: { $0.code != transactionConflictCode && !throttlingCodes.contains($0.code) }) {
            return .permanent
        }
        return failing.contains { throttlingCodes.contains($0.code) } ? .throttling : .transient
    }
}
