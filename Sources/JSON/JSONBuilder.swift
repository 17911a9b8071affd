/// What `JSONParser` makes of the values it reads, so the grammar, the messages and the limits are
/// written once for both uses: building a `JSONValue` tree, and only checking (`JSONText`).
///
/// The parser checks everything itself (bytes, nesting depth, duplicate member names through
/// `MemberNames`) and hands each value here once it is known to be valid.
protocol JSONBuilder {
    /// What one value becomes.
    associatedtype Value
    /// The elements of an array being read.
    associatedtype Elements
    /// The members of an object being read.
    associatedtype Members

    /// Reads the string at the parser's position (at its opening '"').
    static func string(_ parser: inout JSONParser) throws(JSONError) -> Value
    /// Reads the number at the parser's position (at '-' or a digit).
    static func number(_ parser: inout JSONParser) throws(JSONError) -> Value
    /// `true` or `false`.
    static func bool(_ value: Bool) -> Value
    /// `null`.
    static func null() -> Value
    /// An array's elements before the first.
    static func noElements() -> Elements
    /// Adds the next element of an array.
    static func append(_ element: Value, to elements: inout Elements)
    /// The array once its ']' is read.
    static func array(_ elements: Elements) -> Value
    /// An object's members before the first.
    static func noMembers() -> Members
    /// Adds the next member of an object; `name` is new in this object.
    static func append(name: String, value: Value, to members: inout Members)
    /// The object once its '}' is read; `names` are its member names, already checked.
    static func object(_ members: Members, names: MemberNames) -> Value
}

/// Builds the `JSONValue` tree: `JSONValue.parse`.
enum JSONValueBuilder: JSONBuilder {
    static func string(_ parser: inout JSONParser) throws(JSONError) -> JSONValue {
        .string(try parser.parseString())
    }

    static func number(_ parser: inout JSONParser) throws(JSONError) -> JSONValue {
        .number(try parser.parseNumber())
    }

    static func bool(_ value: Bool) -> JSONValue {
        .bool(value)
    }

    static func null() -> JSONValue {
        .null
    }

    static func noElements() -> [JSONValue] {
        []
    }

    static func append(_ element: JSONValue, to elements: inout [JSONValue]) {
        elements.append(element)
    }

    static func array(_ elements: [JSONValue]) -> JSONValue {
        .array(elements)
    }

    static func noMembers() -> [(key: String, value: JSONValue)] {
        []
    }

    static func append(name: String, value: JSONValue, to members: inout [(key: String, value: JSONValue)]) {
        members.append((name, value))
    }

    static func object(_ members: [(key: String, value: JSONValue)], names: MemberNames) -> JSONValue {
        .object(JSONObject(uniqueMembers: members, index: names.index))
    }
}

/// Builds nothing: strings and numbers are checked in place, arrays and objects keep nothing, so
/// checking takes no memory beyond the member names of the objects open at the time. `JSONText`.
enum JSONValidator: JSONBuilder {
    static func string(_ parser: inout JSONParser) throws(JSONError) {
        try parser.skipString()
    }

    static func number(_ parser: inout JSONParser) throws(JSONError) {
        _ = try parser.skipNumber()
    }

    static func bool(_ value: Bool) {}

    static func null() {}

    static func noElements() {}

    static func append(_ element: Void, to elements: inout Void) {}

    static func array(_ elements: Void) {}

    static func noMembers() {}

    static func append(name: String, value: Void, to members: inout Void) {}

    static func object(_ members: Void, names: MemberNames) {}
}

/// The member names of one object read so far, to refuse a duplicate (RFC 8259 §4 leaves it open;
/// we refuse). Compared by code points, not canonical equivalence (§8.3): linear in the name, and
/// NFC and NFD spellings are two names. A scan while the object is small, a hashed index above
/// `JSONObject.indexThreshold` (the index `JSONObject` keeps), so a big object stays linear.
struct MemberNames {
    /// The names in order, while there are at most `JSONObject.indexThreshold`.
    private var names: [String] = []
    /// Positions by name once there are more; then `names` is emptied.
    private(set) var index: [MemberName: Int]?

    /// Records `name`.
    /// - Returns: `false` if the object has a member of that name already.
    mutating func insert(_ name: String) -> Bool {
        if index != nil {
            // Changed in place: a copy of the index per member would make a big object quadratic.
            let count = index?.count ?? 0
            return index?.updateValue(count, forKey: MemberName(name)) == nil
        }
        if names.contains(where: { MemberName.same($0, name) }) { return false }
        names.append(name)
        if names.count > JSONObject.indexThreshold {
            index = Dictionary(uniqueKeysWithValues: names.enumerated().map { (MemberName($0.element), $0.offset) })
            names = []
        }
        return true
    }
}
