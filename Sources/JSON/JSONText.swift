/// One checked JSON value kept as the bytes it came in: the compact way to hold an event.
///
/// A `JSONValue` tree costs 24 bytes or more per value, so 6 MB of `[1,2,3,…]` would take
/// over 70 MB; a `JSONText` costs the bytes themselves (shared, not copied, between a
/// document and the values taken out of it). It is checked once, as strictly as
/// `JSONValue.parse` (grammar, UTF-8, depth, duplicate member names by code points),
/// and then read in place: members and elements are found by scanning, strings are
/// decoded only when asked for, and the compact and canonical serializations are written
/// straight from the bytes, identical to those of the equal `JSONValue`.
///
/// Reads are linear in the part of the text they cover; nothing here compares or
/// hashes through `Character` or canonical equivalence.
public struct JSONText: Sendable {
    /// What kind of value the text holds.
    public enum Kind: Sendable, Equatable {
        case null, bool, number, string, array, object
    }

    /// The bytes of the whole document this value was taken from.
    let storage: [UInt8]
    /// Where the value's bytes start in `storage`.
    let start: Int
    /// One past the value's last byte.
    let end: Int

    /// Checks one JSON text, as strictly as `JSONValue.parse(_:)`, without building a tree.
    /// - Parameter bytes: UTF-8 encoded JSON text.
    /// - Throws: The same `JSONError` that `JSONValue.parse(_:)` throws for these bytes.
    public init(validating bytes: [UInt8]) throws(JSONError) {
        let range = try bytes.withUnsafeBufferPointer(Self.validate).get()
        self.init(storage: bytes, start: range.lowerBound, end: range.upperBound)
    }

    /// The compact text of a value (`serializedBytes()`), which is valid JSON by construction.
    /// - Parameter value: A value.
    public init(_ value: JSONValue) {
        let bytes = value.serializedBytes()
        self.init(storage: bytes, start: 0, end: bytes.count)
    }

    /// Checks a buffer, returning the error as a value (`withUnsafeBufferPointer` rethrows untyped errors).
    private static func validate(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<Range<Int>, JSONError> {
        var parser = JSONParser(bytes: buffer)
        do {
            return .success(try parser.validateDocument())
        } catch {
            return .failure(error)
        }
    }

    init(storage: [UInt8], start: Int, end: Int) {
        self.storage = storage
        self.start = start
        self.end = end
    }

    /// The number of bytes the value takes in its text.
    public var byteCount: Int { end - start }

    /// What the value is.
    public var kind: Kind {
        switch storage[start] {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    // MARK: - Reading

    /// The value as a tree. Costs a tree: only for values known to be small.
    public var value: JSONValue {
        // Checked already, so parsing cannot fail; `.null` keeps the signature non-throwing.
        (try? JSONValue.parse(storage[start..<end])) ?? .null
    }

    /// The string, decoded, when this is a string.
    public var stringValue: String? {
        kind == .string ? decodeString(at: start) : nil
    }

    /// The number, when this is a number.
    public var numberValue: JSONNumber? {
        guard kind == .number else { return nil }
        return number(at: start, end: end)
    }

    /// The boolean, when this is `true` or `false`.
    public var boolValue: Bool? {
        guard kind == .bool else { return nil }
        return storage[start] == UInt8(ascii: "t")
    }

    /// Whether this is `null`.
    public var isNull: Bool { kind == .null }

    /// The member named `name` (compared by code points), when this is an object that has one.
    /// - Parameter name: A member name.
    /// - Returns: The member's value, sharing this text's bytes.
    public subscript(name: String) -> JSONText? {
        guard kind == .object else { return nil }
        var found: JSONText?
        forEachMember { nameStart, nameEnd, valueStart, valueEnd in
            guard nameEquals(nameStart, nameEnd, name) else { return true }
            found = JSONText(storage: storage, start: valueStart, end: valueEnd)
            return false
        }
        return found
    }

    /// The members named `names`, found in one scan: for each name, its value or `nil`.
    /// - Parameter names: Member names, compared by code points.
    /// - Returns: One entry per name, in the order of `names`.
    public func members(_ names: [String]) -> [JSONText?] {
        var found = [JSONText?](repeating: nil, count: names.count)
        guard kind == .object else { return found }
        forEachMember { nameStart, nameEnd, valueStart, valueEnd in
            if let index = names.firstIndex(where: { nameEquals(nameStart, nameEnd, $0) }) {
                found[index] = JSONText(storage: storage, start: valueStart, end: valueEnd)
            }
            return true
        }
        return found
    }

    /// The elements, when this is an array; each shares this text's bytes.
    public var elements: [JSONText]? {
        guard kind == .array else { return nil }
        var elements: [JSONText] = []
        forEachElement { elementStart, elementEnd in
            elements.append(JSONText(storage: storage, start: elementStart, end: elementEnd))
            return true
        }
        return elements
    }

    /// Calls `body` with each element, in order, until it returns `false`; builds no list.
    public func forEachElement(_ body: (JSONText) -> Bool) {
        guard kind == .array else { return }
        forEachElement { elementStart, elementEnd in
            body(JSONText(storage: storage, start: elementStart, end: elementEnd))
        }
    }

    /// The number of elements (array) or members (object); 0 for anything else.
    public var count: Int {
        var count = 0
        if kind == .array {
            forEachElement { _, _ in count += 1; return true }
        } else if kind == .object {
            forEachMember { _, _, _, _ in count += 1; return true }
        }
        return count
    }

    /// The first `limit` member names, in order, when this is an object.
    /// - Parameter limit: How many to decode at most.
    /// - Returns: The names; empty for anything but an object.
    public func memberNames(limit: Int) -> [String] {
        guard kind == .object else { return [] }
        var names: [String] = []
        forEachMember { nameStart, _, _, _ in
            guard names.count < limit else { return false }
            names.append(decodeString(at: nameStart))
            return true
        }
        return names
    }

    /// A short phrase naming what this value is, as `JSONValue.kindDescription` says it:
    /// `null`, `a boolean (true)`, `a number (42)`, `a string ("abc")`, `an array`, `an object`,
    /// with strings and numbers cut to about 200 bytes and escaped. Costs at most the excerpt.
    public var kindDescription: String {
        switch kind {
        case .null: return "null"
        case .bool: return "a boolean (\(boolValue == true))"
        case .number:
            let shown = min(byteCount, Preview.excerptBytes)
            let digits = String(decoding: storage[start..<start + shown], as: UTF8.self)
            return "a number (\(digits)\(shown < byteCount ? "… (\(byteCount) bytes)" : ""))"
        case .string:
            // Decode no more than the excerpt can show: cut the JSON text between two characters.
            let stringEnd = Self.endOfString(storage, start)
            let budget = Preview.excerptBytes * 6
            guard stringEnd - start > budget else { return "a string (\(JSONString.excerpt(decodeString(at: start))))" }
            var cut = start + 1
            while true {
                let step = Self.characterLength(storage, cut)
                if cut + step - start > budget { break }
                cut += step
            }
            var head = Array(storage[start..<cut])
            head.append(UInt8(ascii: "\""))
            let prefix = (try? JSONValue.parse(head))?.stringValue ?? ""
            return "a string (\(JSONString.excerpt(prefix, reportedLength: stringEnd - start - 2, unit: "bytes of JSON text")))"
        case .array: return storage[Self.skipWhitespace(storage, start + 1)] == UInt8(ascii: "]") ? "an empty array" : "an array"
        case .object: return storage[Self.skipWhitespace(storage, start + 1)] == UInt8(ascii: "}") ? "an empty object" : "an object"
        }
    }

    // MARK: - Writing

    /// The value as compact JSON text, byte for byte what `value.serializedBytes()` gives.
    public func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        write(at: start, end: end, to: &out, canonical: false)
        return out
    }

    /// Appends the compact JSON text of the value to `out`.
    public func appendSerialized(to out: inout [UInt8]) {
        write(at: start, end: end, to: &out, canonical: false)
    }

    /// The value as canonical JSON text, byte for byte what `value.canonicalSerializedBytes()` gives.
    ///
    /// - Parameter overriding: For an object, members whose values replace the text's own (or are
    ///   added), as `JSONObject`'s subscript setter would; names compare by code points.
    public func canonicalSerializedBytes(overriding: [(String, JSONValue)] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount + 64)
        if overriding.isEmpty || kind != .object {
            write(at: start, end: end, to: &out, canonical: true)
        } else {
            writeObject(at: start, to: &out, canonical: true, overriding: overriding)
        }
        return out
    }

    private func write(at position: Int, end valueEnd: Int, to out: inout [UInt8], canonical: Bool) {
        switch storage[position] {
        case UInt8(ascii: "\""):
            JSONString.appendQuoted(decodeString(at: position), to: &out)
        case UInt8(ascii: "["):
            out.append(UInt8(ascii: "["))
            var first = true
            JSONText(storage: storage, start: position, end: valueEnd).forEachElement { elementStart, elementEnd in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(at: elementStart, end: elementEnd, to: &out, canonical: canonical)
                return true
            }
            out.append(UInt8(ascii: "]"))
        case UInt8(ascii: "{"):
            writeObject(at: position, to: &out, canonical: canonical, overriding: [])
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            out.append(contentsOf: storage[position..<valueEnd])
        default:
            if canonical {
                out.append(contentsOf: number(at: position, end: valueEnd).canonicalLiteral.utf8)
            } else {
                out.append(contentsOf: storage[position..<valueEnd])
            }
        }
    }

    /// One member of an object being written: where its name and value are, or a replacement value.
    private struct Member {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    private func writeObject(at position: Int, to out: inout [UInt8], canonical: Bool, overriding: [(String, JSONValue)]) {
        out.append(UInt8(ascii: "{"))
        let object = JSONText(storage: storage, start: position, end: Self.endOfValue(storage, position))
        guard canonical else {
            var first = true
            object.forEachMember { nameStart, _, valueStart, valueEnd in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONString.appendQuoted(decodeString(at: nameStart), to: &out)
                out.append(UInt8(ascii: ":"))
                write(at: valueStart, end: valueEnd, to: &out, canonical: false)
                return true
            }
            out.append(UInt8(ascii: "}"))
            return
        }
        // Canonical: members sorted by the UTF-8 bytes of their (decoded) names. Positions only,
        // 16 bytes a member, so a big object costs a fraction of its text.
        var members: [Member] = []
        object.forEachMember { nameStart, nameEnd, valueStart, valueEnd in
            if overriding.contains(where: { nameEquals(nameStart, nameEnd, $0.0) }) {
                return true  // written from `overriding` below
            }
            members.append(Member(nameStart: Int32(truncatingIfNeeded: nameStart), nameEnd: Int32(truncatingIfNeeded: nameEnd),
                                  valueStart: Int32(truncatingIfNeeded: valueStart), valueEnd: Int32(truncatingIfNeeded: valueEnd)))
            return true
        }
        members.sort { precedes(Int($0.nameStart), Int($0.nameEnd), Int($1.nameStart), Int($1.nameEnd)) }
        var extra = overriding.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        var first = true
        func separate() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        for member in members {
            let name = decodeString(at: Int(member.nameStart))
            while let next = extra.first, next.0.utf8.lexicographicallyPrecedes(name.utf8) {
                separate()
                JSONString.appendQuoted(next.0, to: &out)
                out.append(UInt8(ascii: ":"))
                next.1.write(to: &out, canonical: true)
                extra.removeFirst()
            }
            separate()
            JSONString.appendQuoted(name, to: &out)
            out.append(UInt8(ascii: ":"))
            write(at: Int(member.valueStart), end: Int(member.valueEnd), to: &out, canonical: true)
        }
        for next in extra {
            separate()
            JSONString.appendQuoted(next.0, to: &out)
            out.append(UInt8(ascii: ":"))
            next.1.write(to: &out, canonical: true)
        }
        out.append(UInt8(ascii: "}"))
    }

    // MARK: - Scanning checked text

    /// Calls `body` with the name and value ranges of each member, in order, until it returns `false`.
    func forEachMember(_ body: (_ nameStart: Int, _ nameEnd: Int, _ valueStart: Int, _ valueEnd: Int) -> Bool) {
        var position = Self.skipWhitespace(storage, start + 1)
        guard storage[position] != UInt8(ascii: "}") else { return }
        while true {
            let nameStart = position
            let nameEnd = Self.endOfString(storage, position)
            position = Self.skipWhitespace(storage, nameEnd) + 1  // past ':'
            let valueStart = Self.skipWhitespace(storage, position)
            let valueEnd = Self.endOfValue(storage, valueStart)
            guard body(nameStart, nameEnd, valueStart, valueEnd) else { return }
            position = Self.skipWhitespace(storage, valueEnd)
            guard storage[position] == UInt8(ascii: ",") else { return }
            position = Self.skipWhitespace(storage, position + 1)
        }
    }

    /// Calls `body` with the range of each element, in order, until it returns `false`.
    func forEachElement(_ body: (_ elementStart: Int, _ elementEnd: Int) -> Bool) {
        var position = Self.skipWhitespace(storage, start + 1)
        guard storage[position] != UInt8(ascii: "]") else { return }
        while true {
            let elementEnd = Self.endOfValue(storage, position)
            guard body(position, elementEnd) else { return }
            position = Self.skipWhitespace(storage, elementEnd)
            guard storage[position] == UInt8(ascii: ",") else { return }
            position = Self.skipWhitespace(storage, position + 1)
        }
    }

    static func skipWhitespace(_ bytes: [UInt8], _ position: Int) -> Int {
        var position = position
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return position
            }
        }
        return position
    }

    /// One past the closing quote of the checked string that opens at `position`.
    static func endOfString(_ bytes: [UInt8], _ position: Int) -> Int {
        var position = position + 1
        while bytes[position] != UInt8(ascii: "\"") {
            position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
        }
        return position + 1
    }

    /// One past the last byte of the checked value that starts at `position`.
    static func endOfValue(_ bytes: [UInt8], _ position: Int) -> Int {
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return endOfString(bytes, position)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var position = position
            while true {
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    position = endOfString(bytes, position)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return position + 1 }
                default:
                    break
                }
                position += 1
            }
        default:
            var position = position
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return position
                default: position += 1
                }
            }
            return position
        }
    }

    /// The length of one escape or UTF-8 sequence of checked string text at `position`.
    private static func characterLength(_ bytes: [UInt8], _ position: Int) -> Int {
        let byte = bytes[position]
        guard byte == UInt8(ascii: "\\") else {
            return byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        }
        guard bytes[position + 1] == UInt8(ascii: "u") else { return 2 }
        // A high surrogate escape is always followed by its low half in checked text.
        let third = bytes[position + 3] | 0x20
        let high = bytes[position + 2] | 0x20 == UInt8(ascii: "d")
            && (third == UInt8(ascii: "8") || third == UInt8(ascii: "9") || third == UInt8(ascii: "a") || third == UInt8(ascii: "b"))
        return high ? 12 : 6
    }

    /// Decodes the checked string that opens at `position`.
    func decodeString(at position: Int) -> String {
        let stringEnd = Self.endOfString(storage, position)
        // Without escapes the bytes between the quotes are the string's UTF-8, already checked.
        if !storage[position + 1..<stringEnd - 1].contains(UInt8(ascii: "\\")) {
            return String(decoding: storage[position + 1..<stringEnd - 1], as: UTF8.self)
        }
        let decoded: String? = storage.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            parser.position = position
            return try? parser.parseString()
        }
        return decoded ?? ""
    }

    private func number(at position: Int, end numberEnd: Int) -> JSONNumber {
        let literal = storage[position..<numberEnd]
        let isInteger = !literal.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
        return JSONNumber(validatedLiteral: String(decoding: literal, as: UTF8.self), isIntegerLiteral: isInteger)
    }

    /// Whether the name string at `nameStart..<nameEnd` is `name`, by code points.
    private func nameEquals(_ nameStart: Int, _ nameEnd: Int, _ name: String) -> Bool {
        let raw = storage[nameStart + 1..<nameEnd - 1]
        if !raw.contains(UInt8(ascii: "\\")) {
            return raw.count == name.utf8.count && raw.elementsEqual(name.utf8)
        }
        return MemberName.same(decodeString(at: nameStart), name)
    }

    /// Whether one name sorts before another by the UTF-8 bytes of the decoded names.
    private func precedes(_ lhsStart: Int, _ lhsEnd: Int, _ rhsStart: Int, _ rhsEnd: Int) -> Bool {
        let lhs = storage[lhsStart + 1..<lhsEnd - 1]
        let rhs = storage[rhsStart + 1..<rhsEnd - 1]
        if !lhs.contains(UInt8(ascii: "\\")) && !rhs.contains(UInt8(ascii: "\\")) {
            return lhs.lexicographicallyPrecedes(rhs)
        }
        return decodeString(at: lhsStart).utf8.lexicographicallyPrecedes(decodeString(at: rhsStart).utf8)
    }
}

extension JSONText: Equatable {
    /// Two texts are equal when their values are (`JSONValue`'s `==`): the same canonical text.
    public static func == (lhs: JSONText, rhs: JSONText) -> Bool {
        lhs.canonicalSerializedBytes() == rhs.canonicalSerializedBytes()
    }
}
