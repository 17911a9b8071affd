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
    /// Whether `members` has one named `name`, by code points (`MemberName.same`); asked only while
    /// the object is small (see `MemberNames`).
    static func hasMember(named name: String, in members: Members) -> Bool
    /// The names in `members`, in order; asked once, when the object grows past the scan.
    static func memberNames(_ members: Members) -> [String]
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

    @inline(__always)
    static func hasMember(named name: String, in members: [(key: String, value: JSONValue)]) -> Bool {
        members.contains { MemberName.same($0.key, name) }
    }

    static func memberNames(_ members: [(key: String, value: JSONValue)]) -> [String] {
        members.map(\.key)
    }

    static func object(_ members: [(key: String, value: JSONValue)], names: MemberNames) -> JSONValue {
        .object(JSONObject(uniqueMembers: members, index: names.index))
    }
}

/// Builds nothing: strings (escapes included) and numbers are checked in place, arrays keep nothing,
/// objects only the names of their first members (to refuse a duplicate; past the scan `MemberNames`
/// keeps an index of all), so checking takes no memory beyond the names of the objects open at the
/// time. `JSONText`.
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

    static func noMembers() -> [String] {
        []
    }

    static func append(name: String, value: Void, to members: inout [String]) {
        // Past the threshold `MemberNames` keeps an index and scans no more: later names are not needed.
        if members.count <= JSONObject.indexThreshold {
            members.append(name)
        }
    }

    @inline(__always)
    static func hasMember(named name: String, in members: [String]) -> Bool {
        members.contains { MemberName.same($0, name) }
    }

    static func memberNames(_ members: [String]) -> [String] {
        members
    }

    static func object(_ members: [String], names: MemberNames) {}
}

/// The member names of one object read so far, to refuse a duplicate (RFC 8259 §4 leaves it open;
/// we refuse). Compared by code points, not canonical equivalence (§8.3): linear in the name, and
/// NFC and NFD spellings are two names. A scan of the builder's names while the object is small, a
/// hashed index above `JSONObject.indexThreshold` (the index `JSONObject` keeps), so a big object
/// stays linear.
struct MemberNames {
    /// How many names so far.
    private var count = 0
    /// Positions by name once there are more than `JSONObject.indexThreshold` names.
    private(set) var index: [MemberName: Int]?

    /// Records `name`, the next member's.
    /// - Parameter members: The members before it, which `Builder` scans while there are few.
    /// - Returns: `false` if the object has a member of that name already.
    @inline(__always)
    mutating func insert<Builder: JSONBuilder>(_ name: String, after members: Builder.Members, _ builder: Builder.Type) -> Bool {
        defer { count += 1 }
        if index != nil {
            // Changed in place: a copy of the index per member would make a big object quadratic.
            return index?.updateValue(count, forKey: MemberName(name)) == nil
        }
        if Builder.hasMember(named: name, in: members) { return false }
        if count >= JSONObject.indexThreshold {
            var index: [MemberName: Int] = [:]
            index.reserveCapacity(count + 1)
            for (position, earlier) in Builder.memberNames(members).enumerated() {
                index[MemberName(earlier)] = position
            }
            index[MemberName(name)] = count
            self.index = index
        }
        return true
    }
}
