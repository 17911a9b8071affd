import HTTP
import JSON
import Essentials

/// DynamoDB over its JSON 1.0 protocol: `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>`.
///
/// - SeeAlso: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
public final class DynamoDBClient: Sendable {
    private let sender: AWSRequestSender

    /// Creates the client.
    /// - Parameter sender: The shared signing, retrying sender.
    public init(sender: AWSRequestSender) {
        self.sender = sender
    }

    /// What a conditional write did.
    public enum ConditionalOutcome: Sendable, Equatable {
        /// The condition held and the write was applied: the response document (`{}` for an empty body).
        case applied(JSONValue)
        /// `ConditionalCheckFailedException`: nothing was written. `item` is the item that failed the
        /// condition when `ReturnValuesOnConditionCheckFailure` asked for it.
        case conditionFailed(item: JSONValue?)
    }

    /// Calls an operation whose input has a `ConditionExpression`: a failed condition is an answer.
    /// - Parameters:
    ///   - operation: e.g. `PutItem`.
    ///   - input: The request document.
    ///   - call: The invocation's deadline, logger and attempt counter.
    /// - Returns: Applied (with the response document) or refused by the condition.
    /// - Throws: ``AWSError`` for every other error.
    public func conditionalCall(_ operation: String, _ input: JSONValue, _ call: AWSCall) throws(AWSError) -> ConditionalOutcome {
        switch try send(operation, input, refusal: .errorCode("ConditionalCheckFailedException"), call) {
        case .success(let response):
            return .applied(try document(of: response, operation))
        case .refused(let error):
            return .conditionFailed(item: error.json?["Item"])
        }
    }

    /// What a `TransactWriteItems` did.
    public enum TransactionOutcome: Sendable, Equatable {
        /// Every action applied, at once (or, inside DynamoDB's idempotency window, an earlier
        /// request with the same token and parameters did, and this one applied nothing).
        case applied
        /// Cancelled because at least one condition failed: nothing was applied. One reason per
        /// action, in request order, with the old item where the action asked for `ALL_OLD`.
        case cancelled([CancellationReason])
        /// `IdempotentParameterMismatchException`: the token was used, within DynamoDB's 10-minute
        /// window, by a request with other parameters. Nothing was applied.
        case tokenReused(message: String)
    }

    /// DynamoDB's limit on `ClientRequestToken`.
    public static let clientRequestTokenLength = 1...36

    /// Writes several items atomically, idempotently for the token's window.
    ///
    /// The sender's retries resend the same body, token included, so a retry of a transaction that
    /// was applied but whose answer was lost applies nothing twice. A cancellation by conflicts or
    /// throttling alone is retried by the sender's policy; a failed condition never is.
    /// - Parameters:
    ///   - actions: The `TransactItems`, e.g. `{"Update": {…}}`, `{"Put": {…}}`.
    ///   - clientRequestToken: 1–36 characters, the same for every retry of this transaction.
    ///   - call: The invocation's deadline, logger and attempt counter.
    /// - Returns: Applied, cancelled by a failed condition, or the token reused.
    /// - Throws: ``AWSError`` for every other error.
    /// - SeeAlso: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
    public func transactWriteItems(_ actions: [JSONValue], clientRequestToken: String,
                                   _ call: AWSCall) throws(AWSError) -> TransactionOutcome {
        let operation = "TransactWriteItems"
        guard Self.clientRequestTokenLength.contains(clientRequestToken.unicodeScalars.count) else {
            throw AWSError(service: .dynamoDB, operation: operation,
                           kind: .configuration("a ClientRequestToken has 1 to 36 characters, found \(clientRequestToken.unicodeScalars.count)"))
        }
        let input: JSONValue = ["TransactItems": .array(actions), "ClientRequestToken": .string(clientRequestToken)]
        switch try send(operation, input, refusal: .transactionAnswer, call) {
        case .success(let response):
            _ = try document(of: response, operation)
            return .applied
        case .refused(let error):
            if error.code == AWSRefusal.idempotentParameterMismatchCode { return .tokenReused(message: error.message) }
            return .cancelled(CancellationReason.reasons(in: error.json) ?? [])
        }
    }

    private func send(_ operation: String, _ input: JSONValue, refusal: AWSRefusal, _ call: AWSCall) throws(AWSError) -> AWSResponse {
        let request = AWSRequest(
            service: .dynamoDB, operation: operation, method: "POST", endpoint: sender.endpoint(for: .dynamoDB), path: "/",
            headers: [
                HTTPHeader("Content-Type", "application/x-amz-json-1.0"),
                HTTPHeader("X-Amz-Target", "DynamoDB_20120810.\(operation)"),
            ],
            body: input.serializedBytes(), refusal: refusal)
        return try sender.send(request, call)
    }

    private func document(of response: HTTPResponse, _ operation: String) throws(AWSError) -> JSONValue {
        if response.body.isEmpty { return [:] }
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw AWSError(service: .dynamoDB, operation: operation, kind: .unreadableResponse(error.description),
                           requestID: response.header("x-amzn-requestid"))
        }
    }
}
