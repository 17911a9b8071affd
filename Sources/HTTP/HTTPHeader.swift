/// One HTTP header field as sent or received.
///
/// Received headers carry lower-cased names (libcurl hands them over as written by the server; we
/// normalise once so every look-up can use lower-case constants).
public struct HTTPHeader: Sendable, Equatable {
    /// The field name, e.g. `content-type`.
    public var name: String
    /// The field value with surrounding whitespace removed.
    public var value: String

    /// Creates a header field.
    /// - Parameters:
    ///   - name: The field name.
    ///   - value: The field value.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether the field's name is `name`, ignoring ASCII case (field names are ASCII tokens,
    /// RFC 9110 §5.1; compared by bytes, nothing is allocated).
    public func hasName(_ name: String) -> Bool {
        HeaderBytes.equalIgnoringASCIICase(self.name.utf8, name.utf8)
    }

    /// The same field with its name in ASCII lower case, as ``HTTPConnection`` delivers received ones.
    public var lowercasedName: HTTPHeader {
        HTTPHeader(HeaderBytes.lowercased(name.utf8), value)
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first header whose name matches, ignoring ASCII case (field names are
    /// ASCII tokens, RFC 9110 §5.1; compared by bytes, nothing is allocated).
    /// - Parameter name: The header name to look up.
    /// - Returns: The value, or `nil` when no such header is present.
    public func value(for name: String) -> String? {
        first { $0.hasName(name) }?.value
    }
}

/// Byte helpers for header lines: one home for lower-casing, comparing and trimming field names
/// and values, all on bytes (a Swift `Character` would merge "\r\n" into one and survive a trim).
enum HeaderBytes {
    /// `A`–`Z` to `a`–`z`; every other byte as it is.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// The bytes as text with ASCII letters lower-cased (invalid UTF-8 repaired).
    static func lowercased(_ bytes: some Collection<UInt8>) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { buffer in
            var count = 0
            for byte in bytes {
                buffer[count] = lowercased(byte)
                count += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Whether two names are equal ignoring ASCII case.
    static func equalIgnoringASCIICase(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        // Native strings and buffers are contiguous: compare through pointers, not iterators.
        let contiguous = left.withContiguousStorageIfAvailable { leftBytes in
            right.withContiguousStorageIfAvailable { rightBytes in
                for index in 0..<leftBytes.count where lowercased(leftBytes[index]) != lowercased(rightBytes[index]) {
                    return false
                }
                return true
            }
        }
        if let contiguous, let equal = contiguous { return equal }
        var other = right.makeIterator()
        for byte in left {
            guard let counterpart = other.next(), lowercased(byte) == lowercased(counterpart) else { return false }
        }
        return true
    }

    /// Optional whitespace around a field value (RFC 9110 §5.5: SP and HTAB), and the line's CR LF.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// The range of `bytes` without leading and trailing ``isSpace(_:)`` bytes.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Range<Int> {
        var start = start
        var end = end
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// At most 100 bytes of what came, quoted, with control bytes, quotes and non-ASCII bytes
    /// escaped: safe to put in an error message and a log line.
    static func quoted(_ bytes: some Collection<UInt8>) -> String {
        var text = "\""
        for byte in bytes.prefix(100) {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text + (bytes.count > 100 ? "…\"" : "\"")
    }
}
