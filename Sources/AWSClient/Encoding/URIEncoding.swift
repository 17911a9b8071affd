/// Percent-encoding as SigV4 defines it ("UriEncode"), and the decoders S3 keys need.
///
/// Platform URL encoders keep characters such as `+`, `$` or `@` that SigV4 requires encoded, so
/// the rule is written out here: every byte except `A–Z a–z 0–9 - . _ ~` becomes `%XX` with
/// upper-case hex, non-ASCII characters as their UTF-8 bytes (IAM user guide, "Create a signed AWS
/// API request"; S3 API reference, "Signature Calculations for the Authorization Header").
public enum URIEncoding {
    /// Encodes a string with the SigV4 UriEncode rules.
    /// - Parameters:
    ///   - s: The text to encode.
    ///   - keepingSlash: `true` to leave `/` as is (object key names and paths), `false` to encode
    ///     it as `%2F` (query names and values).
    /// - Returns: The encoded text; space becomes `%20`, `+` becomes `%2B`, `~` stays.
    public static func encode(_ s: String, keepingSlash: Bool) -> String {
        encode(bytes: s.utf8, keepingSlash: keepingSlash)
    }

    /// Decodes `%XX` escapes; every other character, `+` included, stands for itself.
    /// - Parameter s: The percent-encoded text.
    /// - Returns: The decoded text, or `nil` when an escape is malformed (`%`, `%4`, `%zz`) or the
    ///   decoded bytes are not valid UTF-8.
    public static func decode(_ s: String) -> String? {
        decodeBytes(s.utf8, plusIsSpace: false).flatMap(validUTF8)
    }

    /// Decodes `application/x-www-form-urlencoded` text: `+` is a space, then `%XX` escapes.
    ///
    /// S3 event notifications carry object keys in this form (`my+file%281%29.json` is
    /// `my file(1).json`; a real `+` arrives as `%2B`).
    /// - Parameter s: The form-encoded text.
    /// - Returns: The decoded text, or `nil` on a malformed escape or invalid UTF-8.
    public static func formDecode(_ s: String) -> String? {
        decodeBytes(s.utf8, plusIsSpace: true).flatMap(validUTF8)
    }

    // MARK: - Byte-level helpers

    /// Encodes bytes with the SigV4 UriEncode rules (see ``encode(_:keepingSlash:)``).
    static func encode(bytes: some Sequence<UInt8>, keepingSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigits[Int(byte >> 4)])
                out.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (and `+` when `plusIsSpace`) into raw bytes.
    /// - Returns: The bytes, which need not be UTF-8, or `nil` on a malformed escape.
    static func decodeBytes(_ text: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            text.formIndex(after: &index)
            switch byte {
            case UInt8(ascii: "%"):
                guard index != text.endIndex, let high = hexValue(text[index]) else { return nil }
                text.formIndex(after: &index)
                guard index != text.endIndex, let low = hexValue(text[index]) else { return nil }
                text.formIndex(after: &index)
                out.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                out.append(UInt8(ascii: " "))
            default:
                out.append(byte)
            }
        }
        return out
    }

    /// `A–Z a–z 0–9 - . _ ~`, the only bytes UriEncode leaves alone.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    private static func validUTF8(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    private static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
