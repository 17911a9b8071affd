extension Sequence where Element == UInt8 {
    /// The bytes as lowercase hexadecimal, two digits per byte, e.g. `[0xE3, 0xB0]` → `"e3b0"`.
    ///
    /// This is the form SigV4 uses for payload hashes and signatures.
    public var hexEncodedString: String {
        // Callers in other modules reach this unspecialised: contiguous bytes (digests are arrays)
        // take one pass over a buffer instead of a generic iterator and an array per digit.
        if let encoded = withContiguousStorageIfAvailable(HexEncoding.lowercase) {
            return encoded
        }
        return Array(self).withUnsafeBufferPointer(HexEncoding.lowercase)
    }
}

extension Array where Element == UInt8 {
    /// Appends the lowercase hex of `bytes` (a digest, a signature) as ASCII digits, with one copy.
    /// - Parameter bytes: The bytes to encode.
    public mutating func appendLowercaseHex(of bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 2) { digits in
                let count = HexEncoding.write(bytes, into: digits)
                append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<count]))
            }
        }
    }
}

/// The one lowercase hex encoder of the package.
enum HexEncoding {
    /// Lowercase hex of a buffer, written straight into the string's storage.
    static func lowercase(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard !bytes.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: bytes.count * 2) { write(bytes, into: $0) }
    }

    /// Writes two digits per byte into `out`, which must hold `2 × bytes.count`.
    /// - Returns: How many digits were written.
    static func write(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var position = 0
        for byte in bytes {
            out[position] = digit(byte >> 4)
            out[position + 1] = digit(byte & 0x0F)
            position += 2
        }
        return position
    }

    /// The lowercase hex digit of a value below 16.
    @inline(__always)
    static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? value &+ UInt8(ascii: "0") : value &+ (UInt8(ascii: "a") &- 10)
    }
}
