import JSON

/// SQS, SNS and Pipes events for the batch tests, built as JSON so bodies are escaped as SQS escapes them.
enum BatchEvents {
    static let standardARN = "arn:aws:sqs:eu-west-1:000000000000:orders"
    static let fifoARN = "arn:aws:sqs:eu-west-1:000000000000:orders.fifo"

    /// One SQS record; `group` sets `attributes.MessageGroupId`.
    static func sqsRecord(_ messageID: JSONValue?, body: JSONValue, arn: String = standardARN, group: String? = nil) -> JSONValue {
        var attributes: JSONObject = ["ApproximateReceiveCount": "1"]
        if let group { attributes["MessageGroupId"] = .string(group) }
        var record: JSONObject = ["receiptHandle": "rh", "body": body, "attributes": .object(attributes),
                                  "eventSource": "aws:sqs", "eventSourceARN": .string(arn), "awsRegion": "eu-west-1"]
        if let messageID { record["messageId"] = messageID }
        return .object(record)
    }

    static func sqsEvent(_ records: [JSONValue]) -> String {
        JSONValue.object(["Records": .array(records)]).serialized()
    }

    /// A body holding this JSON.
    static func body(_ value: JSONValue) -> JSONValue { .string(value.serialized()) }

    static func raw(_ id: String, price: Int = 10) -> JSONValue {
        ["order_id": .string(id), "price": .number(JSONNumber(price))]
    }

    static func eventBridge(_ id: String, price: Int = 10) -> JSONValue {
        ["version": "0", "id": "ev-1", "detail-type": "OrderCreated", "source": "demo.orders",
         "detail": ["order_id": .string(id), "price": .number(JSONNumber(price))]]
    }

    static func s3Notification(_ keys: [String]) -> JSONValue {
        ["Records": .array(keys.map { key in
            ["eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
             "s3": ["bucket": ["name": "in"], "object": ["key": .string(key), "size": 1, "eTag": "e"]]]
        })]
    }

    /// An SNS notification as SQS receives it without raw message delivery.
    static func snsNotification(_ message: JSONValue) -> JSONValue {
        ["Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:eu-west-1:000000000000:orders",
         "Message": .string(message.serialized())]
    }

    static let s3TestEvent: JSONValue = ["Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-01-01T00:00:00.000Z",
                                         "Bucket": "in", "RequestId": "r", "HostId": "h"]

    static func snsEvent(_ messages: [JSONValue]) -> String {
        JSONValue.object(["Records": .array(messages.map { message in
            ["EventSource": "aws:sns", "EventVersion": "1.0",
             "Sns": ["Type": "Notification", "MessageId": "sns-1", "Message": message]]
        })]).serialized()
    }
}
