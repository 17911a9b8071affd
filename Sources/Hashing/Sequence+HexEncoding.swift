extension Sequence where Element == UInt8 {
    /// The bytes as lowercase hexadecimal, two digits per byte, e.g. `[0xE3, 0xB0]` → `"e3b0"`.
    ///
    /// This is the form SigV4 uses for payload hashes and signatures.
    public var hexEncodedString: String {
        var digits: [UInt8] = []
        digits.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            digits.append(hexDigits[Int(byte >> 4)])
            digits.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: digits, as: UTF8.self)
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
