import AWSClient
import JSON

/// S3 event notifications: each record's object key, form-decoded, names an order by its file name.
enum S3NotificationEnvelope {
    /// The most records one event may carry. S3 sends one record per notification; this leaves room
    /// for hand-made batches while keeping one invocation's work (a claim per record) bounded.
    static let maximumRecords = 100

    /// The longest S3 object key, in UTF-8 bytes after decoding (S3's own limit).
    static let maximumKeyBytes = 1_024

    /// The longest of the other strings kept from a record (bucket, ETag, sequencer, version, time, event name).
    static let maximumFieldBytes = 1_024

    /// Whether `records` makes the event an S3 notification: an array holding at least one object with `s3`.
    /// Scans the elements in place: a list of a million `null`s costs no list.
    static func isNotification(_ records: JSONText) -> Bool {
        guard records.kind == .array else { return false }
        var found = false
        records.forEachElement { element in
            found = element.kind == .object && element["s3"] != nil
            return !found
        }
        return found
    }

    /// What `Records` holds, for the message when it is not a list of S3 records.
    static func describe(_ records: JSONText) -> String {
        guard records.kind == .array else { return records.kindDescription }
        var first: JSONText?
        records.forEachElement { element in
            first = element
            return false
        }
        guard let first else { return "an empty list" }
        return "a list of \(records.count) whose first element is \(first.kindDescription)\(first.kind == .object ? " with \(EnvelopeNormalizer.describeKeys(first))" : "")"
    }

    /// Reads every record; a bad record is an error in its slot, not for the whole event.
    static func orders(from records: JSONText, wasJSONText: Bool) throws(OrderPipelineError) -> [Result<OrderEvent, OrderPipelineError>] {
        let count = records.count
        guard count <= maximumRecords else {
            throw .invalidOrderEvent("expected at most \(maximumRecords) S3 notification records in Records (S3 sends one per event); found \(count)")
        }
        guard let list = records.elements else {
            throw .invalidOrderEvent("expected Records to be a list of S3 notification records; found \(records.kindDescription)")
        }
        return list.enumerated().map { index, record in
            Result { () throws(OrderPipelineError) in try order(from: record, index: index, wasJSONText: wasJSONText) }
        }
    }

    private static func order(from record: JSONText, index: Int, wasJSONText: Bool) throws(OrderPipelineError) -> OrderEvent {
        let field = "Records[\(index)]"
        guard record.kind == .object else {
            throw .invalidOrderEvent("expected \(field) to be an S3 notification record; found \(record.kindDescription)")
        }
        if let source = record["eventSource"], source.kind == .string {
            guard source.byteCount <= 64, source.stringValue?.utf8.elementsEqual("aws:s3".utf8) == true else {
                throw .invalidOrderEvent("expected \(field) to be an S3 notification record (eventSource aws:s3); found eventSource \(source.stringValue.map(JSONString.excerpt) ?? source.kindDescription)")
            }
        }
        var eventName: String?
        if let name = record["eventName"], name.kind == .string {
            guard name.byteCount <= maximumFieldBytes, let text = name.stringValue, text.utf8.starts(with: "ObjectCreated:".utf8) else {
                throw .invalidOrderEvent("expected \(field) to be an ObjectCreated notification; found eventName \(name.stringValue.map(JSONString.excerpt) ?? name.kindDescription)")
            }
            eventName = text
        }
        let s3 = record["s3"]
        guard let bucketValue = s3?["bucket"]?["name"], let bucket = string(bucketValue, limit: maximumFieldBytes), !bucket.isEmpty else {
            throw .invalidOrderEvent("expected \(field).s3.bucket.name (a string, at most \(maximumFieldBytes) bytes); found \(s3?["bucket"]?["name"]?.kindDescription ?? "none")")
        }
        let object = s3?["object"]
        // Form encoding at most triples a byte, and JSON escaping at most sextuples it.
        guard let keyValue = object?["key"], keyValue.kind == .string, keyValue.byteCount <= maximumKeyBytes * 3 * 6 + 2,
              let encodedKey = keyValue.stringValue, !encodedKey.isEmpty
        else {
            throw .invalidOrderEvent("expected \(field).s3.object.key (a string); found \(object?["key"]?.kindDescription ?? "none")")
        }
        // S3 sends keys form-encoded: "red flower.jpg" arrives as "red+flower.jpg", a real '+' as "%2B".
        guard let key = URIEncoding.formDecode(encodedKey) else {
            throw .invalidOrderEvent("\(field).s3.object.key \(EnvelopeNormalizer.quoted(encodedKey)) is not valid form-encoded UTF-8")
        }
        guard key.utf8.count <= maximumKeyBytes else {
            throw .invalidOrderEvent("expected \(field).s3.object.key to be at most \(maximumKeyBytes) bytes once decoded (S3's limit); found \(key.utf8.count) bytes: \(EnvelopeNormalizer.quoted(key))")
        }
        let orderID = try orderKey(fromObjectKey: key, field: field)
        let size = object?["size"]?.numberValue?.int64Value
        let eTag = try optionalString(object?["eTag"], field: "\(field).s3.object.eTag")
        let sequencer = try optionalString(object?["sequencer"], field: "\(field).s3.object.sequencer")
        let versionID = try optionalString(object?["versionId"], field: "\(field).s3.object.versionId")
        let eventTime = try optionalString(record["eventTime"], field: "\(field).eventTime")
        var document: JSONObject = ["bucket": .string(bucket), "key": .string(key)]
        if let size { document["size"] = .number(JSONNumber(size)) }
        if let eTag { document["eTag"] = .string(eTag) }
        if let sequencer { document["sequencer"] = .string(sequencer) }
        if let versionID { document["versionId"] = .string(versionID) }
        if let eventName { document["eventName"] = .string(eventName) }
        if let eventTime { document["eventTime"] = .string(eventTime) }
        return OrderEvent(orderID: orderID, price: nil,
                          envelope: .s3(bucket: bucket, key: key, size: size, eTag: eTag, sequencer: sequencer, versionID: versionID),
                          order: .object(document), wasJSONText: wasJSONText)
    }

    /// The decoded string when `value` is a string of at most `limit` bytes, without decoding a longer one.
    private static func string(_ value: JSONText, limit: Int) -> String? {
        guard value.kind == .string, value.byteCount <= limit * 6 + 2, let text = value.stringValue, text.utf8.count <= limit else { return nil }
        return text
    }

    /// An optional string field: absent or not a string is `nil` (as before); a string longer than the bound is refused.
    private static func optionalString(_ value: JSONText?, field: String) throws(OrderPipelineError) -> String? {
        guard let value, value.kind == .string else { return nil }
        guard let text = string(value, limit: maximumFieldBytes) else {
            throw .invalidOrderEvent("expected \(field) to be at most \(maximumFieldBytes) bytes; found \(value.kindDescription)")
        }
        return text
    }

    /// The file name of the key without its extension: `incoming/big order-7.json` → `big order-7`.
    ///
    /// Split on the scalar "/" and the last ".", by bytes: a file name that starts with a combining
    /// mark (`incoming/\u{338}abc.json`) is still a file name after a "/".
    static func orderKey(fromObjectKey key: String, field: String) throws(OrderPipelineError) -> String {
        let bytes = Array(key.utf8)
        let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        var nameEnd = bytes.count
        if let dot = bytes[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot != nameStart {
            nameEnd = dot
        }
        // Cut at ASCII bytes of valid UTF-8, so both halves stay valid.
        let stem = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
        guard !stem.isEmpty else {
            throw .invalidOrderEvent("the object key \(EnvelopeNormalizer.quoted(key)) in \(field) has no file name to use as the order key")
        }
        if let problem = OrderKey.problem(with: stem) {
            throw .invalidOrderEvent("the file name \(EnvelopeNormalizer.quoted(stem)) of \(field).s3.object.key cannot be used as an order key: \(problem)")
        }
        return stem
    }
}
