import Essentials
import AWSClient
import JSON

/// Writes the order document to `RAW_PREFIX + key + ".json"`, never over an existing object.
public final class OrderArchive: Sendable {
    private let s3: S3Client
    let bucket: String
    let prefix: String

    /// Creates the archive.
    /// - Parameters:
    ///   - s3: The client.
    ///   - bucket: The bucket (`BUCKET`).
    ///   - prefix: The key prefix (`RAW_PREFIX`), ending in `/`.
    public init(s3: S3Client, bucket: String, prefix: String) {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
    }

    /// The object key of an order.
    func objectKey(for orderID: String) -> String {
        prefix + orderID + ".json"
    }

    /// The archived document: the order, where it came from, and when and by whom it was written.
    static func document(for event: OrderEvent, payloadHash: String, processedAt: String, requestID: String) -> JSONValue {
        var object: JSONObject = ["order_id": .string(event.orderID)]
        if let price = event.price { object["price"] = .number(price) }
        object["order"] = event.order
        object["source"] = event.sourceDocument
        object["payload_hash"] = .string(payloadHash)
        object["processed_at"] = .string(processedAt)
        object["request_id"] = .string(requestID)
        return .object(object)
    }

    /// `PutObject` with `If-None-Match: *`.
    /// - Returns: `.alreadyExists` when an earlier run wrote the object (412).
    func write(_ document: JSONValue, key: String, _ call: AWSCall) throws(AWSError) -> S3Client.PutOutcome {
        try s3.putObject(bucket: bucket, key: key, body: document.serializedBytes(), contentType: "application/json",
                         onlyIfAbsent: true, call)
    }
}
