/// Why a JSON text was rejected, and where.
///
/// Every parse failure carries the byte offset of the problem and a reason
/// that says what was expected and what was found, so an `InvalidOrderEvent`
/// built from it can be read without the payload at hand:
///
///     invalid JSON at byte 17: expected ',' or '}' after an object member, found 'x'
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, with the values the message needs.
    public enum Code: Sendable, Equatable {
        /// The input has no bytes at all.
        case emptyInput
        /// The input holds whitespace and nothing else.
        case onlyWhitespace
        /// The input starts with the UTF-8 byte order mark EF BB BF (RFC 8259 §8.1 forbids it).
        case byteOrderMark
        /// A byte (or the end of input) that the grammar does not allow at this point.
        /// `expected` reads as "a JSON value", `found` as "'x'" or "end of input".
        case unexpected(expected: String, found: String)
        /// A number such as `01` or `-007`.
        case leadingZero
        /// A string holds bytes that are not well-formed UTF-8; `leadByte` starts the bad sequence.
        case invalidUTF8(leadByte: UInt8)
        /// A raw control character (U+0000 to U+001F) inside a string; it must be escaped.
        case controlCharacter(UInt8)
        /// A `\uXXXX` escape names a UTF-16 surrogate without its other half.
        case loneSurrogate(UInt16)
        /// The same member name appears twice in one object.
        case duplicateMember(String)
        /// Arrays and objects are nested more than `limit` levels deep.
        case tooDeep(limit: Int)
        /// Something other than whitespace follows the one JSON value.
        case trailingData(found: String)
    }

    /// The offset, in bytes from the start of the input, where the problem was found.
    public let offset: Int
    /// What went wrong.
    public let code: Code

    /// Creates an error.
    /// - Parameters:
    ///   - offset: The byte offset of the problem.
    ///   - code: What went wrong.
    public init(offset: Int, code: Code) {
        self.offset = offset
        self.code = code
    }

    /// What went wrong, in words, without the offset, e.g. `duplicate object member "price"`.
    public var reason: String {
        switch code {
        case .emptyInput:
            return "the input is empty"
        case .onlyWhitespace:
            return "expected a JSON value, found only whitespace"
        case .byteOrderMark:
            return "the input starts with a UTF-8 byte order mark (EF BB BF), which JSON does not allow"
        case let .unexpected(expected, found):
            return "expected \(expected), found \(found)"
        case .leadingZero:
            return "a number must not have a leading zero"
        case let .invalidUTF8(leadByte):
            return "invalid UTF-8 sequence starting with byte 0x\(Hex.digits(leadByte, width: 2)) inside a string"
        case let .controlCharacter(byte):
            return "control character U+\(Hex.digits(byte, width: 4)) inside a string (it must be escaped)"
        case let .loneSurrogate(unit):
            return "lone surrogate \\u\(Hex.digits(unit, width: 4)) in a string escape"
        case let .duplicateMember(name):
            return "duplicate object member \(JSONString.excerpt(name))"
        case let .tooDeep(limit):
            return "nesting deeper than \(limit) levels"
        case let .trailingData(found):
            return "unexpected data after the JSON value, found \(found)"
        }
    }

    /// The full message: `invalid JSON at byte <offset>: <reason>`.
    public var description: String {
        "invalid JSON at byte \(offset): \(reason)"
    }
}

/// Upper-case hexadecimal without Foundation's `String(format:)`.
enum Hex {
    /// Returns `value` in upper-case hexadecimal, left-padded with zeros to `width` digits.
    static func digits(_ value: some BinaryInteger, width: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// Keeps quoted values in messages short.
enum Preview {
    /// The longest word quoted by the parser's "found 'NaN'" (ASCII letters and digits only).
    static let limit = 40

    /// The longest excerpt of a value, in UTF-8 bytes, before it is cut.
    static let excerptBytes = 200

    /// Returns `text` cut to at most `maxBytes` UTF-8 bytes on a scalar boundary, with "…" when something was cut.
    /// Bytes and scalars, never Characters: the cost is bounded by `maxBytes` whatever marks the text holds.
    static func truncated(_ text: String, maxBytes: Int = Preview.excerptBytes) -> String {
        guard text.utf8.count > maxBytes else { return text }
        return JSONString.prefix(text, maxBytes: maxBytes) + "…"
    }
}
