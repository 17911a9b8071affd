/// Hexadecimal digits of bytes, the one encoder of this module (request IDs, `%XX` escapes).
enum Hex {
    private static let lower = Array("0123456789abcdef".utf8)
    private static let upper = Array("0123456789ABCDEF".utf8)

    /// Appends the two digits of `byte` to `out`.
    /// - Parameters:
    ///   - byte: The byte.
    ///   - out: Where the ASCII digits go.
    ///   - uppercase: `A`–`F` (percent-encoding, RFC 3986 §2.1) rather than `a`–`f` (UUIDs).
    static func append(_ byte: UInt8, to out: inout [UInt8], uppercase: Bool) {
        let digits = uppercase ? upper : lower
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
}
