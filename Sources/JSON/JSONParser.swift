/// A strict RFC 8259 recursive-descent parser over a buffer of bytes.
///
/// The grammar, the messages and the limits are written once, generic over a `JSONBuilder`:
/// `JSONValueBuilder` makes a `JSONValue` tree (`JSONValue.parse`), `JSONValidator` makes nothing
/// (`JSONText`, which reads the bytes in place). Strings are built from byte slices in one go
/// (`String(decoding:as:)` after our own UTF-8 check), and only strings with escapes go through a
/// scratch buffer. Recursion is bounded by `maximumDepth`, so hostile nesting cannot exhaust the stack.
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

    /// Parses the whole input as one JSON text and builds its value.
    mutating func parseDocument() throws(JSONError) -> JSONValue {
        try readDocument(JSONValueBuilder.self).value
    }

    /// Checks the whole input as one JSON text, as `parseDocument` does, without building values.
    /// - Returns: The byte range of the value, without the whitespace around it.
    mutating func validateDocument() throws(JSONError) -> Range<Int> {
        try readDocument(JSONValidator.self).range
    }

    /// Reads the whole input as one JSON text: optional whitespace, one value, optional whitespace.
    /// - Returns: What `builder` made of the value, and its byte range without the whitespace around it.
    private mutating func readDocument<Builder: JSONBuilder>(
        _ builder: Builder.Type
    ) throws(JSONError) -> (value: Builder.Value, range: Range<Int>) {
        guard !bytes.isEmpty else { throw JSONError(offset: 0, code: .emptyInput) }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw JSONError(offset: 0, code: .byteOrderMark)
        }
        skipWhitespace()
        guard !isAtEnd else { throw JSONError(offset: position, code: .onlyWhitespace) }
        let start = position
        let value = try readValue(Builder.self, depth: 0, expected: "a JSON value")
        let end = position
        skipWhitespace()
        guard isAtEnd else { throw JSONError(offset: position, code: .trailingData(found: found(at: position))) }
        return (value, start..<end)
    }

    // MARK: - Values

    /// Reads one value at `position`; `depth` counts the arrays and objects around it.
    private mutating func readValue<Builder: JSONBuilder>(
        _ builder: Builder.Type, depth: Int, expected: String
    ) throws(JSONError) -> Builder.Value {
        guard position < bytes.count else { throw unexpected(expected) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try readObject(Builder.self, depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(Builder.self, depth: depth + 1)
        case UInt8(ascii: "\""): return try Builder.string(&self)
        case UInt8(ascii: "t"): try parseKeyword("true", expected: expected); return Builder.bool(true)
        case UInt8(ascii: "f"): try parseKeyword("false", expected: expected); return Builder.bool(false)
        case UInt8(ascii: "n"): try parseKeyword("null", expected: expected); return Builder.null()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try Builder.number(&self)
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

    /// Reads an array; `position` is at '['.
    private mutating func readArray<Builder: JSONBuilder>(
        _ builder: Builder.Type, depth: Int
    ) throws(JSONError) -> Builder.Value {
        var elements = Builder.noElements()
        if try readOpening(depth: depth, closing: UInt8(ascii: "]")) { return Builder.array(elements) }
        var expected = "a JSON value or ']'"
        while true {
            Builder.append(try readValue(Builder.self, depth: depth, expected: expected), to: &elements)
            guard try readSeparator(closing: UInt8(ascii: "]"), expected: "',' or ']' after an array element") else {
                return Builder.array(elements)
            }
            expected = "a JSON value after ',' (trailing commas are not allowed)"
        }
    }

    /// Reads an object; `position` is at '{'. Rejects a member name seen before in the same object.
    private mutating func readObject<Builder: JSONBuilder>(
        _ builder: Builder.Type, depth: Int
    ) throws(JSONError) -> Builder.Value {
        var members = Builder.noMembers()
        var names = MemberNames()
        if try readOpening(depth: depth, closing: UInt8(ascii: "}")) { return Builder.object(members, names: names) }
        var expected = "a string for an object member name or '}'"
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw unexpected(expected) }
            let nameOffset = position
            let name = try parseString()
            guard names.insert(name, after: members, Builder.self) else {
                throw JSONError(offset: nameOffset, code: .duplicateMember(name))
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw unexpected("':' after an object member name")
            }
            position += 1
            skipWhitespace()
            let value = try readValue(Builder.self, depth: depth, expected: "a JSON value for the object member")
            Builder.append(name: name, value: value, to: &members)
            guard try readSeparator(closing: UInt8(ascii: "}"), expected: "',' or '}' after an object member") else {
                return Builder.object(members, names: names)
            }
            expected = "a string for an object member name after ',' (trailing commas are not allowed)"
        }
    }

    /// Reads the '[' or '{' at `position` and the whitespace after it; `depth` counts it too, and is
    /// checked here, before anything inside is read.
    /// - Returns: Whether `closing` comes next (an empty array or object); it is read too.
    @inline(__always)
    private mutating func readOpening(depth: Int, closing: UInt8) throws(JSONError) -> Bool {
        guard depth <= Self.maximumDepth else { throw JSONError(offset: position, code: .tooDeep(limit: Self.maximumDepth)) }
        position += 1
        skipWhitespace()
        guard position < bytes.count && bytes[position] == closing else { return false }
        position += 1
        return true
    }

    /// Reads what follows an array element or object member: ',' (and the whitespace after it) or
    /// `closing`; `expected` names both for the error.
    /// - Returns: Whether another element or member follows.
    @inline(__always)
    private mutating func readSeparator(closing: UInt8, expected: String) throws(JSONError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw unexpected(expected) }
        switch bytes[position] {
        case UInt8(ascii: ","):
            position += 1
            skipWhitespace()
            return true
        case closing:
            position += 1
            return false
        default:
            throw unexpected(expected)
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
