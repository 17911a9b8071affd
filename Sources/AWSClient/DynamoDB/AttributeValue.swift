import JSON

/// A DynamoDB attribute value in the JSON 1.0 protocol's shape (`{"S": "…"}`, `{"N": "42"}`, …).
///
/// Only the types this function stores are modelled; anything else is kept as raw JSON so an item
/// written by someone else still round-trips.
public enum AttributeValue: Sendable, Equatable {
    /// `S`: a string.
    case string(String)
    /// `N`: a number, kept as its decimal text (DynamoDB's own representation).
    case number(String)
    /// `BOOL`.
    case bool(Bool)
    /// `NULL`.
    case null
    /// Any other type, as received.
    case other(JSONValue)

    /// A number attribute from an integer.
    public static func integer(_ value: Int64) -> AttributeValue {
        .number(String(value))
    }

    /// The protocol's JSON for this value.
    public var json: JSONValue {
        switch self {
        case .string(let value): ["S": .string(value)]
        case .number(let value): ["N": .string(value)]
        case .bool(let value): ["BOOL": .bool(value)]
        case .null: ["NULL": true]
        case .other(let value): value
        }
    }

    /// Reads a value from the protocol's JSON.
    /// - Parameter json: e.g. `{"S": "abc"}`.
    public init(json: JSONValue) {
        if let text = json["S"]?.stringValue {
            self = .string(text)
        } else if let text = json["N"]?.stringValue {
            self = .number(text)
        } else if let flag = json["BOOL"]?.boolValue {
            self = .bool(flag)
        } else if json["NULL"]?.boolValue == true {
            self = .null
        } else {
            self = .other(json)
        }
    }

    /// The string, for `S` values.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, for `N` values that are integers.
    public var int64Value: Int64? {
        if case .number(let value) = self { return Int64(value) }
        return nil
    }
}

/// An item: attribute names to values.
public typealias DynamoDBItem = [String: AttributeValue]

extension Dictionary where Key == String, Value == AttributeValue {
    /// The protocol's JSON for an item (attributes sorted by name, for stable requests and logs).
    public var json: JSONValue {
        var object = JSONObject()
        for name in keys.sorted() {
            if let value = self[name] { object[name] = value.json }
        }
        return .object(object)
    }

    /// Reads an item from the protocol's JSON.
    /// - Parameter json: An object of attribute values, e.g. the `Item` of an error body.
    /// - Returns: The item, or `nil` when `json` is not an object.
    public static func fromJSON(_ json: JSONValue) -> DynamoDBItem? {
        guard let object = json.objectValue else { return nil }
        var item = DynamoDBItem()
        for (name, value) in object { item[name] = AttributeValue(json: value) }
        return item
    }
}
