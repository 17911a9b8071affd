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
