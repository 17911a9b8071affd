/// A JSON object: members in the order they were written or added, with unique names.
///
/// Lookup scans the members while there are at most 16 of them (the usual event or
/// DynamoDB item), which beats hashing at that size; above that the object keeps a
/// name → position index, so big objects stay O(1) per lookup.
///
/// Two objects are equal when they have the same member names with equal values,
/// whatever the order; the hash does not depend on the order either. Names compare and hash
/// by their code points (RFC 8259 §8.3), i.e. their UTF-8 bytes, never by Unicode canonical
/// equivalence: `"é"` (U+00E9) and `"é"` (U+0065 U+0301) are two names. That keeps every
/// lookup linear in the name's length, whatever marks it holds.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One member: its name and value.
    public typealias Element = (key: String, value: JSONValue)

    /// The number of members above which a name → position index is kept.
    static let indexThreshold = 16

    /// The members, in order.
    public private(set) var members: [Element]
    /// Positions of `members` by name; `nil` while `members.count <= indexThreshold`.
    private var index: [MemberName: Int]?

    /// Creates an empty object.
    public init() {
        members = []
        index = nil
    }

    /// Creates an object from members in order.
    ///
    /// A name given twice keeps its first position and its last value, as `subscript` setting does.
    /// - Parameter members: Names and values, in order.
    public init(_ members: [(String, JSONValue)]) {
        // Literals and built documents rarely repeat a name: when a small object's names are
        // distinct, take the members as they are instead of setting them one at a time.
        if members.count <= Self.indexThreshold, Self.namesAreDistinct(members) {
            self.init(uniqueMembers: members.map { (key: $0.0, value: $0.1) }, index: nil)
            return
        }
        self.init()
        self.members.reserveCapacity(members.count)
        for (key, value) in members {
            self[key] = value
        }
    }

    /// Creates an object from a dictionary literal, keeping the literal's order.
    ///
    /// A name written twice keeps its first position and its last value.
    /// - Parameter elements: The literal's names and values.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// Creates an object from members the caller knows to be unique (the parser checks as it goes).
    init(uniqueMembers members: [Element], index: [MemberName: Int]?) {
        self.members = members
        self.index = members.count > Self.indexThreshold ? (index ?? Self.makeIndex(members)) : nil
    }

    /// Whether no two names are the same bytes (a pairwise check: for small objects only).
    private static func namesAreDistinct(_ members: [(String, JSONValue)]) -> Bool {
        for later in members.indices {
            for earlier in 0..<later where MemberName.same(members[earlier].0, members[later].0) {
                return false
            }
        }
        return true
    }

    /// Builds the name → position index for `members`.
    static func makeIndex(_ members: [Element]) -> [MemberName: Int] {
        var index: [MemberName: Int] = [:]
        index.reserveCapacity(members.count)
        for (position, member) in members.enumerated() {
            index[MemberName(member.key)] = position
        }
        return index
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The member names, in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of the member named `key`.
    ///
    /// Setting a value replaces the member in place, or appends it when the name is new;
    /// setting `nil` removes the member.
    /// - Parameter key: A member name.
    /// - Returns: The member's value, or `nil` when there is no such member.
    public subscript(key: String) -> JSONValue? {
        get {
            position(of: key).map { members[$0].value }
        }
        set {
            switch (position(of: key), newValue) {
            case let (position?, value?):
                members[position].value = value
            case let (nil, value?):
                members.append((key, value))
                if index != nil {
                    index?[MemberName(key)] = members.count - 1
                } else if members.count > Self.indexThreshold {
                    index = Self.makeIndex(members)
                }
            case let (position?, nil):
                members.remove(at: position)
                index = members.count > Self.indexThreshold ? Self.makeIndex(members) : nil
            case (nil, nil):
                break
            }
        }
    }

    /// Removes the member named `key`.
    /// - Parameter key: A member name.
    /// - Returns: The removed value, or `nil` when there was no such member.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let old = self[key]
        self[key] = nil
        return old
    }

    /// Returns an iterator over the members, in order.
    /// - Returns: An iterator of `(key:value:)` pairs.
    public func makeIterator() -> IndexingIterator<[Element]> {
        members.makeIterator()
    }

    /// The number of members; iteration yields exactly this many.
    public var underestimatedCount: Int { members.count }

    /// The position of the member named `key`.
    private func position(of key: String) -> Int? {
        if let index { return index[MemberName(key)] }
        return members.firstIndex { MemberName.same($0.key, key) }
    }

    /// Whether two objects have the same members, in any order.
    /// - Parameters:
    ///   - lhs: An object.
    ///   - rhs: Another object.
    /// - Returns: `true` when every member of one is in the other with an equal value.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (key, value) in lhs.members {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    /// Hashes the members without regard to their order, consistent with `==`.
    /// - Parameter hasher: The hasher to feed.
    public func hash(into hasher: inout Hasher) {
        // Names are unique, so a commutative sum of per-member hashes identifies the set.
        var combined = 0
        for (key, value) in members {
            var memberHasher = Hasher()
            MemberName(key).hash(into: &memberHasher)
            memberHasher.combine(value)
            combined = combined &+ memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

/// A member name that compares and hashes by its UTF-8 bytes (code points), not by canonical equivalence.
struct MemberName: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    /// Whether two names are the same code points.
    static func same(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && lhs.utf8.elementsEqual(rhs.utf8)
    }

    static func == (lhs: MemberName, rhs: MemberName) -> Bool {
        same(lhs.text, rhs.text)
    }

    func hash(into hasher: inout Hasher) {
        hashBytes(text, into: &hasher)
    }
}

/// Feeds the UTF-8 bytes of `text` to `hasher`: linear, and without the normalization `String.hash` does.
func hashBytes(_ text: String, into hasher: inout Hasher) {
    let done: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    if done == nil {
        for byte in text.utf8 { hasher.combine(byte) }
    }
    hasher.combine(text.utf8.count)
}
