import AWSClient
import JSON

/// S3 event notifications: each record's object key, form-decoded, names an order by its file name.
enum S3NotificationEnvelope {
    /// Reads every record; a bad record is an error in its slot, not for the whole event.
    static func orders(from records: JSONValue, wasJSONText: Bool) throws(OrderPipelineError) -> [Result<OrderEvent, OrderPipelineError>] {
        guard let list = records.arrayValue else {
            throw .invalidOrderEvent("expected Records to be a list of S3 notification records; found \(records.kindDescription)")
        }
        guard !list.isEmpty else {
            throw .invalidOrderEvent("expected at least one S3 notification record in Records; found an empty list")
        }
        return list.enumerated().map { index, record in
            Result { () throws(OrderPipelineError) in try order(from: record, index: index, wasJSONText: wasJSONText) }
        }
    }

    private static func order(from record: JSONValue, index: Int, wasJSONText: Bool) throws(OrderPipelineError) -> OrderEvent {
        let field = "Records[\(index)]"
        guard record.objectValue != nil else {
            throw .invalidOrderEvent("expected \(field) to be an S3 notification record; found \(record.kindDescription)")
        }
        if let source = record["eventSource"]?.stringValue, source != "aws:s3" {
            throw .invalidOrderEvent("expected \(field) to be an S3 notification record (eventSource aws:s3); found eventSource \(source)")
        }
        if let name = record["eventName"]?.stringValue, !name.hasPrefix("ObjectCreated:") {
            throw .invalidOrderEvent("expected \(field) to be an ObjectCreated notification; found \(name)")
        }
        guard let bucket = record["s3"]?["bucket"]?["name"]?.stringValue, !bucket.isEmpty else {
            throw .invalidOrderEvent("expected \(field).s3.bucket.name (a string); found \(record["s3"]?["bucket"]?["name"]?.kindDescription ?? "none")")
        }
        guard let object = record["s3"]?["object"], let encodedKey = object["key"]?.stringValue, !encodedKey.isEmpty else {
            throw .invalidOrderEvent("expected \(field).s3.object.key (a string); found \(record["s3"]?["object"]?["key"]?.kindDescription ?? "none")")
        }
        // S3 sends keys form-encoded: "red flower.jpg" arrives as "red+flower.jpg", a real '+' as "%2B".
        guard let key = URIEncoding.formDecode(encodedKey) else {
            throw .invalidOrderEvent("\(field).s3.object.key \(EnvelopeNormalizer.quoted(encodedKey)) is not valid form-encoded UTF-8")
        }
        let orderID = try orderKey(fromObjectKey: key, field: field)
        let size = object["size"]?.numberValue?.int64Value
        let eTag = object["eTag"]?.stringValue
        let sequencer = object["sequencer"]?.stringValue
        let versionID = object["versionId"]?.stringValue
        var document: JSONObject = ["bucket": .string(bucket), "key": .string(key)]
        if let size { document["size"] = .number(JSONNumber(size)) }
        if let eTag { document["eTag"] = .string(eTag) }
        if let sequencer { document["sequencer"] = .string(sequencer) }
        if let versionID { document["versionId"] = .string(versionID) }
        if let name = record["eventName"]?.stringValue { document["eventName"] = .string(name) }
        if let time = record["eventTime"]?.stringValue { document["eventTime"] = .string(time) }
        return OrderEvent(orderID: orderID, price: nil,
                          envelope: .s3(bucket: bucket, key: key, size: size, eTag: eTag, sequencer: sequencer, versionID: versionID),
                          order: .object(document), wasJSONText: wasJSONText)
    }

    /// The file name of the key without its extension: `incoming/big order-7.json` → `big order-7`.
    static func orderKey(fromObjectKey key: String, field: String) throws(OrderPipelineError) -> String {
        let fileName = key.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? key
        var stem = fileName
        if let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex {
            stem = String(fileName[..<dot])
        }
        guard !stem.isEmpty else {
            throw .invalidOrderEvent("the object key \(EnvelopeNormalizer.quoted(key)) in \(field) has no file name to use as the order key")
        }
        if let problem = OrderKey.problem(with: stem) {
            throw .invalidOrderEvent("the file name \(EnvelopeNormalizer.quoted(stem)) of \(field).s3.object.key cannot be used as an order key: \(problem)")
        }
        return stem
    }
}
