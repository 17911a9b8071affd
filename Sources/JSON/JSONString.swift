/// Escaping of string contents for JSON output, shared by the serializer and the logger.
///
/// Escapes `"` and `\`, the control characters U+0000 to U+001F (as `\b \f \n \r \t`,
/// others as `\u00XX` in lower-case hex, as RFC 8785 writes them), and U+2028/U+2029
/// as `\u2028`/`\u2029` so a line of output stays one line for any reader, including
/// JavaScript. Everything else, including `/` and non-ASCII text, is written as raw UTF-8.
public enum JSONString {
    /// Returns the JSON-escaped contents of `s`, without the surrounding quotes.
    ///
    /// Returns `s` itself when nothing needs escaping, so the common case does not copy.
    /// - Parameter s: The text to escape.
    /// - Returns: Text that can be placed between `"` and `"` in a JSON document.
    public static func escaped(_ s: String) -> String {
        guard needsEscaping(s) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        appendEscaped(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The longest prefix of `s` that is at most `maxBytes` UTF-8 bytes, cut between two scalars.
    ///
    /// Bytes and scalars, never Characters: the cost is bounded by `maxBytes` whatever marks `s`
    /// holds, and a cut may fall between a base letter and its combining mark.
    /// - Parameters:
    ///   - s: Text from outside, e.g. a log message.
    ///   - maxBytes: The most UTF-8 bytes to keep.
    /// - Returns: `s` itself when it fits; otherwise its first `maxBytes` bytes, less the part of a
    ///   scalar that would not fit whole.
    public static func prefix(_ s: String, maxBytes: Int) -> String {
        let utf8 = s.utf8
        guard utf8.count > maxBytes else { return s }
        var end = utf8.index(utf8.startIndex, offsetBy: max(0, maxBytes))
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) {
            utf8.formIndex(before: &end)
        }
        return String(s.unicodeScalars[..<end])
    }

    /// A short, quoted, escaped excerpt of `s` for an error message or a log line.
    ///
    /// At most about 200 bytes are shown, escapes included (cut between two scalars, then "…" and the
    /// full length in bytes); every control character (C0, DEL, C1) and U+2028/U+2029 is written as an
    /// escape, so an excerpt never carries a raw control character, whatever came in. The cost is
    /// bounded by the excerpt, not by `s`.
    /// - Parameter s: Text from outside, e.g. an event's `source`.
    /// - Returns: For example `"demo.orders"`, or `"aaaa…" (1048576 bytes)`.
    public static func excerpt(_ s: String) -> String {
        excerpt(s, reportedLength: s.utf8.count, unit: "bytes")
    }

    /// An excerpt of `s`, the start of a text whose full length is `reportedLength` `unit`.
    static func excerpt(_ s: String, reportedLength: Int, unit: String) -> String {
        let (escaped, shownBytes, cut) = escapedPrefix(of: s, limit: Preview.excerptBytes)
        let incomplete = cut || shownBytes < reportedLength
        let quoted = "\"" + escaped + (incomplete ? "…" : "") + "\""
        return incomplete ? quoted + " (\(reportedLength) \(unit))" : quoted
    }

    /// A short excerpt of `s` whose escaped form fits in `limit` bytes, with "…" when something was
    /// cut: the same escaping as ``excerpt(_:)``, for messages that choose their own length.
    /// - Parameters:
    ///   - s: Text from outside.
    ///   - limit: The most bytes of escaped text to show.
    ///   - quoted: Whether to put it in double quotes.
    public static func excerpt(_ s: String, limit: Int, quoted: Bool = true) -> String {
        let (escaped, _, cut) = escapedPrefix(of: s, limit: limit)
        let shown = escaped + (cut ? "…" : "")
        return quoted ? "\"" + shown + "\"" : shown
    }

    /// The longest prefix of `s` whose escaped form fits in `limit` bytes (cut between two scalars):
    /// every control character (C0, DEL, C1), U+2028 and U+2029, quotes and backslashes escaped.
    /// Linear in the part shown, not in `s`.
    private static func escapedPrefix(of s: String, limit: Int) -> (escaped: String, shownBytes: Int, cut: Bool) {
        var out: [UInt8] = []
        var shownBytes = 0
        var piece: [UInt8] = []
        for scalar in s.unicodeScalars {
            piece.removeAll(keepingCapacity: true)
            switch scalar.value {
            case 0x22, 0x5C, 0..<0x20:
                appendEscape(for: UInt8(scalar.value), to: &piece)
            case 0x7F...0x9F, 0x2028, 0x2029:
                piece.append(contentsOf: "\\u".utf8)
                for shift in [12, 8, 4, 0] { piece.append(hexDigits[Int(scalar.value >> UInt32(shift) & 0xF)]) }
            default:
                piece.append(contentsOf: String(scalar).utf8)
            }
            if out.count + piece.count > limit {
                return (String(decoding: out, as: UTF8.self), shownBytes, true)
            }
            out.append(contentsOf: piece)
            shownBytes += UTF8.width(scalar)
        }
        return (String(decoding: out, as: UTF8.self), shownBytes, false)
    }

    /// Returns `s` escaped and wrapped in double quotes: a complete JSON string value.
    /// - Parameter s: The text to quote.
    /// - Returns: A JSON string literal such as `"a\"b"`.
    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` escaped and in double quotes to `out`.
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(s, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the escaped contents of `s` (no quotes) to `out`.
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &out) }
        if done == nil {
            // Bridged or otherwise non-contiguous strings: copy once, then take the fast path.
            Array(s.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &out) }
        }
    }

    /// Whether any byte of `s` needs an escape.
    private static func needsEscaping(_ s: String) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in s.utf8 {
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            if (byte == 0xA8 || byte == 0xA9) && previous == (0xE2, 0x80) { return true }
            previous = (previous.1, byte)
        }
        return false
    }

    /// Copies runs of bytes that need no escape in one go; `bytes` is valid UTF-8.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let base = bytes.baseAddress else { return }
        var runStart = 0
        var i = 0
        while i < bytes.count {
            // Eight bytes at a time through the run that needs no escape (nearly every string).
            if i + 8 <= bytes.count, !mayNeedEscaping(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
                continue
            }
            let byte = bytes[i]
            let escapeLength: Int
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                guard byte == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80,
                    bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9
                else {
                    i += 1
                    continue
                }
                escapeLength = 3
            } else {
                escapeLength = 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            if escapeLength == 3 {
                out.append(contentsOf: bytes[i + 2] == 0xA8 ? "\\u2028".utf8 : "\\u2029".utf8)
            } else {
                appendEscape(for: byte, to: &out)
            }
            i += escapeLength
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }

    /// Whether any of eight bytes is a control character, `"`, `\\` or 0xE2 (which starts U+2028 and
    /// U+2029): the bytes the escaper must look at one by one. Exact, no false negatives (the
    /// classic "has a byte less than n" and "has a zero byte" word tests).
    @inline(__always)
    static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highBits }
        let control = (word &- ones &* 0x20) & ~word & highBits
        let quote = hasZeroByte(word ^ (ones &* UInt64(UInt8(ascii: "\""))))
        let backslash = hasZeroByte(word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
        let lineSeparatorLead = hasZeroByte(word ^ (ones &* 0xE2))
        return control | quote | backslash | lineSeparatorLead != 0
    }

    /// Lower-case hex digits, as RFC 8785 writes `\u00XX` escapes.
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends the escape sequence for one ASCII byte that cannot appear raw.
    private static func appendEscape(for byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: "u00".utf8)
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}
