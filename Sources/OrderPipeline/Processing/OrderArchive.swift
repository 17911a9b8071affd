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
    ///
    /// As compact JSON bytes, with the order's own text spliced in: a 6 MB order costs its 6 MB here,
    /// not a tree ten times that. Members: order_id, price, order, source, payload_hash, processed_at, request_id.
    static func document(for event: OrderEvent, payloadHash: String, processedAt: String, requestID: String) -> [UInt8] {
        var head: JSONObject = ["order_id": .string(event.orderID)]
        if let price = event.price { head["price"] = .number(price) }
        let tail: JSONObject = ["source": event.sourceDocument, "payload_hash": .string(payloadHash),
                                "processed_at": .string(processedAt), "request_id": .string(requestID)]
        var out = JSONValue.object(head).serializedBytes()
        out.removeLast()  // the head's '}'
        out.append(contentsOf: #","order":"#.utf8)
        event.orderText.appendSerialized(to: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: JSONValue.object(tail).serializedBytes().dropFirst())  // without the tail's '{'
        return out
    }

    /// `PutObject` with `If-None-Match: *`.
    /// - Returns: `.alreadyExists` when an earlier run wrote the object (412).
    func write(_ document: [UInt8], key: String, _ call: AWSCall) throws(AWSError) -> S3Client.PutOutcome {
        try s3.putObject(bucket: bucket, key: key, body: document, contentType: "application/json",
                         onlyIfAbsent: true, call)
    }
}
