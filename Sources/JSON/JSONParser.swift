/// A strict RFC 8259 recursive-descent parser over a buffer of bytes.
///
/// Strings are built from byte slices in one go (`String(decoding:as:)` after our own
/// UTF-8 check), and only strings with escapes go through a scratch buffer. Recursion
/// is bounded by `maximumDepth`, so hostile nesting cannot exhaust the stack.
struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 512

    /// The whole input.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read; the extensions in `JSONParser+Scalars.swift` move it too.
    var position = 0

    /// Creates a parser positioned at the start of `bytes`.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Whether every byte has been consumed.
    var isAtEnd: Bool { position == bytes.count }

    /// Whether the next byte can start a number ('-' or a digit).
    var atNumberStart: Bool {
        guard position < bytes.count else { return false }
        return bytes[position] == UInt8(ascii: "-") || Self.isDigit(bytes[position])
    }

    /// Parses the whole input as one JSON text: optional whitespace, one value, optional whitespace.
    mutating func parseDocument() throws(JSONError) -> JSONValue {
        guard !bytes.isEmpty else { throw JSONError(offset: 0, code: .emptyInput) }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw JSONError(offset: 0, code: .byteOrderMark)
        }
        skipWhitespace()
        guard !isAtEnd else { throw JSONError(offset: position, code: .onlyWhitespace) }
        let value = try parseValue(depth: 0, expected: "a JSON value")
        skipWhitespace()
        guard isAtEnd else { throw JSONError(offset: position, code: .trailingData(found: found(at: position))) }
        return value
    }

    // MARK: - Values

    /// Parses one value at `position`; `depth` counts the arrays and objects around it.
    private mutating func parseValue(depth: Int, expected: String) throws(JSONError) -> JSONValue {
        guard position < bytes.count else { throw unexpected(expected) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseKeyword("true", expected: expected); return .bool(true)
        case UInt8(ascii: "f"): try parseKeyword("false", expected: expected); return .bool(false)
        case UInt8(ascii: "n"): try parseKeyword("null", expected: expected); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw unexpected(expected)
        }
    }

    /// Consumes `true`, `false` or `null`, or reports the whole word that was found instead.
    private mutating func parseKeyword(_ keyword: StaticString, expected: String) throws(JSONError) {
        let count = keyword.utf8CodeUnitCount
        guard bytes.count - position >= count,
            bytesEqual(bytes.baseAddress, position, keyword.utf8Start, count)
        else { throw unexpected(expected) }
        position += count
    }

    /// Parses an array; `position` is at '['.
    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw JSONError(offset: position, code: .tooDeep(limit: Self.maximumDepth)) }
        position += 1
        skipWhitespace()
        var elements: [JSONValue] = []
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        var expected = "a JSON value or ']'"
        while true {
            elements.append(try parseValue(depth: depth, expected: expected))
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or ']' after an array element") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                expected = "a JSON value after ',' (trailing commas are not allowed)"
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default:
                throw unexpected("',' or ']' after an array element")
            }
        }
    }

    /// Parses an object; `position` is at '{'. Rejects a member name seen before in the same object.
    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw JSONError(offset: position, code: .tooDeep(limit: Self.maximumDepth)) }
        position += 1
        skipWhitespace()
        var members: [(key: String, value: JSONValue)] = []
        // Small objects check for duplicates by scanning; bigger ones get the index JSONObject keeps.
        var index: [MemberName: Int]?
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject())
        }
        var expected = "a string for an object member name or '}'"
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw unexpected(expected) }
            let nameOffset = position
            let name = try parseString()
            // Code points, not canonical equivalence (RFC 8259 §8.3): linear in the name, and NFC and NFD
            // spellings are two names.
            if index?[MemberName(name)] != nil || (index == nil && members.contains { MemberName.same($0.key, name) }) {
                throw JSONError(offset: nameOffset, code: .duplicateMember(name))
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw unexpected("':' after an object member name")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth, expected: "a JSON value for the object member")
            index?[MemberName(name)] = members.count
            members.append((name, value))
            if index == nil && members.count > JSONObject.indexThreshold {
                index = JSONObject.makeIndex(members)
            }
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or '}' after an object member") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                expected = "a string for an object member name after ',' (trailing commas are not allowed)"
            case UInt8(ascii: "}"):
                position += 1
                return .object(JSONObject(uniqueMembers: members, index: index))
            default:
                throw unexpected("',' or '}' after an object member")
            }
        }
    }

    // MARK: - Checking without building

    /// Checks the whole input as one JSON text, as `parseDocument` does, without building values.
    /// - Returns: The byte range of the value, without the whitespace around it.
    mutating func validateDocument() throws(JSONError) -> Range<Int> {
        guard !bytes.isEmpty else { throw JSONError(offset: 0, code: .emptyInput) }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw JSONError(offset: 0, code: .byteOrderMark)
        }
        skipWhitespace()
        guard !isAtEnd else { throw JSONError(offset: position, code: .onlyWhitespace) }
        let start = position
        try skipValue(depth: 0, expected: "a JSON value")
        let end = position
        skipWhitespace()
        guard isAtEnd else { throw JSONError(offset: position, code: .trailingData(found: found(at: position))) }
        return start..<end
    }

    /// Checks one value at `position` and moves past it; only member names are built (to refuse duplicates).
    private mutating func skipValue(depth: Int, expected: String) throws(JSONError) {
        guard position < bytes.count else { throw unexpected(expected) }
        switch bytes[position] {
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try parseKeyword("true", expected: expected)
        case UInt8(ascii: "f"): try parseKeyword("false", expected: expected)
        case UInt8(ascii: "n"): try parseKeyword("null", expected: expected)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try skipNumber()
        default: throw unexpected(expected)
        }
    }

    private mutating func skipArray(depth: Int) throws(JSONError) {
        guard depth <= Self.maximumDepth else { throw JSONError(offset: position, code: .tooDeep(limit: Self.maximumDepth)) }
        position += 1
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        var expected = "a JSON value or ']'"
        while true {
            try skipValue(depth: depth, expected: expected)
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or ']' after an array element") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                expected = "a JSON value after ',' (trailing commas are not allowed)"
            case UInt8(ascii: "]"):
                position += 1
                return
            default:
                throw unexpected("',' or ']' after an array element")
            }
        }
    }

    private mutating func skipObject(depth: Int) throws(JSONError) {
        guard depth <= Self.maximumDepth else { throw JSONError(offset: position, code: .tooDeep(limit: Self.maximumDepth)) }
        position += 1
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        // Names only, by code points: a scan while the object is small, a set above that.
        var names: [String] = []
        var seen = Set<MemberName>()
        var usesSet = false
        var expected = "a string for an object member name or '}'"
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw unexpected(expected) }
            let nameOffset = position
            let name = try parseString()
            if usesSet {
                // Inserted in place: a copy of the set per member would make a big object quadratic.
                guard seen.insert(MemberName(name)).inserted else { throw JSONError(offset: nameOffset, code: .duplicateMember(name)) }
            } else {
                if names.contains(where: { MemberName.same($0, name) }) {
                    throw JSONError(offset: nameOffset, code: .duplicateMember(name))
                }
                names.append(name)
                if names.count > JSONObject.indexThreshold {
                    seen = Set(names.map(MemberName.init))
                    usesSet = true
                    names = []
                }
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw unexpected("':' after an object member name")
            }
            position += 1
            skipWhitespace()
            try skipValue(depth: depth, expected: "a JSON value for the object member")
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or '}' after an object member") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                expected = "a string for an object member name after ',' (trailing commas are not allowed)"
            case UInt8(ascii: "}"):
                position += 1
                return
            default:
                throw unexpected("',' or '}' after an object member")
            }
        }
    }

    // MARK: - Whitespace and errors

    /// Skips space, tab, line feed and carriage return: the only whitespace RFC 8259 allows.
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// An error at `position` saying what was expected and what is there.
    func unexpected(_ expected: String) -> JSONError {
        JSONError(offset: position, code: .unexpected(expected: expected, found: found(at: position)))
    }

    /// Describes the input at `offset` for a message: `end of input`, `'x'`, `'NaN'`,
    /// `control character U+0009`, `'é' (U+00E9)` or `invalid UTF-8 byte 0xFF`.
    func found(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if Self.isLetter(byte) {
            // A whole word reads better than its first letter: 'NaN', 'Infinity', 'tru'.
            var end = offset
            while end < bytes.count, end - offset < Preview.limit, Self.isLetter(bytes[end]) || Self.isDigit(bytes[end]) {
                end += 1
            }
            return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self) + "'"
        }
        switch byte {
        case UInt8(ascii: "'"): return "\"'\""
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x00..<0x20, 0x7F: return "control character U+\(Hex.digits(byte, width: 4))"
        default:
            guard let length = Self.validUTF8SequenceLength(bytes, at: offset) else {
                return "invalid UTF-8 byte 0x\(Hex.digits(byte, width: 2))"
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
            let scalar = text.unicodeScalars.first?.value ?? 0
            // A C1 control or a line separator is named, never written raw into a message.
            if (0x80...0x9F).contains(scalar) || scalar == 0x2028 || scalar == 0x2029 {
                return "control character U+\(Hex.digits(scalar, width: 4))"
            }
            return "'\(text)' (U+\(Hex.digits(scalar, width: 4)))"
        }
    }

    // MARK: - Byte classes

    /// Whether `byte` is an ASCII digit.
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Whether `byte` is an ASCII letter.
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26
    }
}

/// Compares `count` bytes of `buffer` at `offset` with `other`; like `memcmp` without Glibc.
private func bytesEqual(_ buffer: UnsafePointer<UInt8>?, _ offset: Int, _ other: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    guard let buffer else { return false }
    for i in 0..<count where buffer[offset + i] != other[i] {
        return false
    }
    return true
}
