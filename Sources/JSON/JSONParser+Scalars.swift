// Strings and numbers: the byte-level part of the parser.

extension JSONParser {
    // MARK: - Strings

    /// Parses a string; `position` is at its opening '"'.
    ///
    /// Checks UTF-8 as it scans, so the bytes can go straight into `String(decoding:as:)`.
    /// A string without escapes is one slice; with escapes, runs are copied between them.
    mutating func parseString() throws(JSONError) -> String {
        let contentStart = position + 1
        var decoded: [UInt8]? = []
        guard try scanString(decodingInto: &decoded), let decoded else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[contentStart..<position - 1]), as: UTF8.self)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Checks a string without building it; `position` is at its opening '"'. Same rules as `parseString`.
    mutating func skipString() throws(JSONError) {
        var nothing: [UInt8]? = nil
        _ = try scanString(decodingInto: &nothing)
    }

    /// Moves past a string, checking it; `position` is at its opening '"'. With a `decoded` buffer,
    /// the text of a string with escapes is collected there, unescaped; with `nil`, nothing is kept.
    /// - Returns: Whether the string has escapes (without, its text is the bytes between the quotes).
    private mutating func scanString(decodingInto decoded: inout [UInt8]?) throws(JSONError) -> Bool {
        let opening = position
        position += 1
        var runStart = position
        var hasEscapes = false
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                if hasEscapes { decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position])) }
                position += 1
                return hasEscapes
            case UInt8(ascii: "\\"):
                if !hasEscapes {
                    hasEscapes = true
                    decoded?.reserveCapacity(position - runStart + 32)
                }
                decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                let scalar = try parseEscape()
                decoded?.appendUTF8(scalar)
                runStart = position
            case 0x00..<0x20:
                throw JSONError(offset: position, code: .controlCharacter(byte))
            case 0x20..<0x80:
                position += 1
            default:
                guard let length = Self.validUTF8SequenceLength(bytes, at: position) else {
                    throw JSONError(offset: position, code: .invalidUTF8(leadByte: byte))
                }
                position += length
            }
        }
        throw JSONError(
            offset: position,
            code: .unexpected(expected: "'\"' to close the string that starts at byte \(opening)", found: "end of input")
        )
    }

    /// Reads one escape sequence; `position` is at its '\'.
    /// - Returns: The scalar value it stands for (never a surrogate).
    private mutating func parseEscape() throws(JSONError) -> UInt32 {
        let escapeStart = position
        position += 1
        guard position < bytes.count else { throw unexpected("an escape character after '\\'") }
        let decodedByte: UInt8
        switch bytes[position] {
        case UInt8(ascii: "\""): decodedByte = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decodedByte = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decodedByte = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decodedByte = 0x08
        case UInt8(ascii: "f"): decodedByte = 0x0C
        case UInt8(ascii: "n"): decodedByte = 0x0A
        case UInt8(ascii: "r"): decodedByte = 0x0D
        case UInt8(ascii: "t"): decodedByte = 0x09
        case UInt8(ascii: "u"):
            position += 1
            return try parseUnicodeEscape(startingAt: escapeStart)
        default:
            throw unexpected("one of \" \\ / b f n r t u after '\\' in a string escape")
        }
        position += 1
        return UInt32(decodedByte)
    }

    /// Reads the hex digits of `\uXXXX` (and of a following low surrogate); `position` is past the 'u'.
    private mutating func parseUnicodeEscape(startingAt escapeStart: Int) throws(JSONError) -> UInt32 {
        let unit = try parseHex4()
        switch unit {
        case 0xD800...0xDBFF:
            // A high surrogate is only valid with a `\uDC00`–`\uDFFF` right after it.
            guard bytes.count - position >= 2,
                bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
            else { throw JSONError(offset: escapeStart, code: .loneSurrogate(unit)) }
            position += 2
            let low = try parseHex4()
            guard 0xDC00...0xDFFF ~= low else { throw JSONError(offset: escapeStart, code: .loneSurrogate(unit)) }
            return 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        case 0xDC00...0xDFFF:
            throw JSONError(offset: escapeStart, code: .loneSurrogate(unit))
        default:
            return UInt32(unit)
        }
    }

    /// Reads exactly four hexadecimal digits.
    private mutating func parseHex4() throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count, let digit = Self.hexValue(bytes[position]) else {
                throw unexpected("4 hexadecimal digits after '\\u'")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// The value of an ASCII hexadecimal digit, either case.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The length of the well-formed multi-byte UTF-8 sequence at `offset`, or `nil`.
    ///
    /// Follows Table 3-7 of the Unicode Standard (§3.9): no overlong forms, no encoded
    /// surrogates (ED A0–BF), nothing above U+10FFFF (F4 90+), no truncated sequences.
    static func validUTF8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int? {
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch bytes[offset] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard bytes.count - offset >= length, secondRange ~= bytes[offset + 1] else { return nil }
        for i in 2..<length where bytes[offset + i] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }

    // MARK: - Numbers

    /// Parses a number per RFC 8259 §6; `position` is at '-' or a digit.
    mutating func parseNumber() throws(JSONError) -> JSONNumber {
        let start = position
        let isInteger = try skipNumber()
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return JSONNumber(validatedLiteral: literal, isIntegerLiteral: isInteger)
    }

    /// Checks a number without building it; `position` is at '-' or a digit.
    /// - Returns: Whether it has neither a fraction nor an exponent.
    mutating func skipNumber() throws(JSONError) -> Bool {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, Self.isDigit(bytes[position]) else { throw unexpected("a digit after '-'") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count && Self.isDigit(bytes[position]) {
                throw JSONError(offset: start, code: .leadingZero)
            }
        } else {
            skipDigits()
        }
        var isInteger = true
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw unexpected("a digit after the decimal point")
            }
            skipDigits()
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw unexpected("a digit in the exponent")
            }
            skipDigits()
        }
        return isInteger
    }

    /// Moves past a run of ASCII digits.
    private mutating func skipDigits() {
        while position < bytes.count && Self.isDigit(bytes[position]) {
            position += 1
        }
    }
}

private extension [UInt8] {
    /// Appends the UTF-8 encoding of a scalar value (never a surrogate, at most U+10FFFF).
    mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case 0..<0x80:
            append(UInt8(value))
        case 0x80..<0x800:
            append(0xC0 | UInt8(value >> 6))
            append(0x80 | UInt8(value & 0x3F))
        case 0x800..<0x10000:
            append(0xE0 | UInt8(value >> 12))
            append(0x80 | UInt8(value >> 6 & 0x3F))
            append(0x80 | UInt8(value & 0x3F))
        default:
            append(0xF0 | UInt8(value >> 18))
            append(0x80 | UInt8(value >> 12 & 0x3F))
            append(0x80 | UInt8(value >> 6 & 0x3F))
            append(0x80 | UInt8(value & 0x3F))
        }
    }
}
