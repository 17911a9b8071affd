import HTTP
import JSON
import Essentials

/// DynamoDB over its JSON 1.0 protocol: `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>`.
///
/// - SeeAlso: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
public final class DynamoDBClient {
    private let sender: AWSRequestSender

    /// Creates the client.
    /// - Parameter sender: The shared signing, retrying sender.
    public init(sender: AWSRequestSender) {
        self.sender = sender
    }

    /// Calls an operation.
    /// - Parameters:
    ///   - operation: e.g. `PutItem`.
    ///   - input: The request document.
    ///   - deadlineMilliseconds: The invocation deadline.
    ///   - logger: The invocation's logger.
    /// - Returns: The response document (`{}` for an empty body).
    /// - Throws: ``AWSError``; a failed condition is code `ConditionalCheckFailedException` with the
    ///   old item in `details["Item"]` when `ReturnValuesOnConditionCheckFailure` asked for it.
    public func call(_ operation: String, _ input: JSONValue, deadlineMilliseconds: Int64?, logger: Logger) throws(AWSError) -> JSONValue {
        let request = AWSRequest(
            service: .dynamoDB, operation: operation, method: "POST",
            endpoint: try sender.endpoint(for: .dynamoDB, operation: operation), path: "/",
            headers: [
                HTTPHeader("Content-Type", "application/x-amz-json-1.0"),
                HTTPHeader("X-Amz-Target", "DynamoDB_20120810.\(operation)"),
            ],
            body: input.serializedBytes())
        let response = try sender.send(request, deadlineMilliseconds: deadlineMilliseconds, logger: logger)
        if response.body.isEmpty { return [:] }
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw AWSError(service: .dynamoDB, operation: operation, kind: .unreadableResponse(error.description),
                           requestID: response.header("x-amzn-requestid"))
        }
    }
}

@available(*, unavailable)
extension DynamoDBClient: Sendable {}
