/// A JSON value (RFC 8259): what every event, DynamoDB request and response is made of.
///
/// Build one with literals, parse one with `parse(_:)`, and write one with
/// `serialized()` or, for hashing, `canonicalSerialized()`:
///
///     let response: JSONValue = ["ok": true, "order_id": .string(id), "first_time": true]
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, kept as its literal text.
    case number(JSONNumber)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, with members in order.
    case object(JSONObject)

    // MARK: - Accessors

    /// The member named `key`, when this is an object that has one.
    /// - Parameter key: A member name.
    /// - Returns: The member's value; `nil` when there is no such member or this is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(object) = self else { return nil }
        return object[key]
    }

    /// The element at `index`, when this is an array that long.
    /// - Parameter index: A zero-based position.
    /// - Returns: The element; `nil` when the index is out of range or this is not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case let .array(elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        guard case let .string(string) = self else { return nil }
        return string
    }

    /// The object, when this is an object.
    public var objectValue: JSONObject? {
        guard case let .object(object) = self else { return nil }
        return object
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        guard case let .array(elements) = self else { return nil }
        return elements
    }

    /// The boolean, when this is `true` or `false`.
    public var boolValue: Bool? {
        guard case let .bool(bool) = self else { return nil }
        return bool
    }

    /// The number, when this is a number.
    public var numberValue: JSONNumber? {
        guard case let .number(number) = self else { return nil }
        return number
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short phrase naming what this value is, for "expected …, found …" messages.
    ///
    /// `null`, `a boolean (true)`, `a number (42)`, `a string ("abc")`, `an array`, `an object`;
    /// numbers and strings are cut to about 200 bytes and escaped (see `JSONString.excerpt(_:)`).
    public var kindDescription: String {
        switch self {
        case .null:
            return "null"
        case let .bool(bool):
            return "a boolean (\(bool))"
        case let .number(number):
            let length = number.literal.utf8.count
            return "a number (\(Preview.truncated(number.literal))\(length > Preview.excerptBytes ? " (\(length) bytes)" : ""))"
        case let .string(string):
            return "a string (\(JSONString.excerpt(string)))"
        case let .array(elements):
            return elements.isEmpty ? "an empty array" : "an array"
        case let .object(object):
            return object.isEmpty ? "an empty object" : "an object"
        }
    }
}

extension JSONValue {
    /// Whether two values are equal; strings compare by code points (their UTF-8 bytes), as JSON does,
    /// never by canonical equivalence, so the cost is linear in their length.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return MemberName.same(a, b)
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }

    /// Hashes consistently with `==`: strings by their UTF-8 bytes.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case let .bool(bool): hasher.combine(1); hasher.combine(bool)
        case let .number(number): hasher.combine(2); hasher.combine(number)
        case let .string(string): hasher.combine(3); hashBytes(string, into: &hasher)
        case let .array(elements): hasher.combine(4); hasher.combine(elements)
        case let .object(object): hasher.combine(5); hasher.combine(object)
        }
    }
}
