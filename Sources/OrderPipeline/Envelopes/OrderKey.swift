/// The rules for an order key: it becomes part of an S3 key and the DynamoDB partition key.
public enum OrderKey {
    /// The longest key in UTF-8 bytes (S3 keys may be 1,024 bytes including the prefix and `.json`).
    public static let maximumBytes = 512

    /// Checks a key.
    /// - Parameter key: The candidate.
    /// - Returns: `nil` when valid, otherwise why not (for the `InvalidOrderEvent` message).
    public static func problem(with key: String) -> String? {
        let length = key.utf8.count
        if length == 0 { return "it is empty" }
        if length > maximumBytes { return "it is \(length) UTF-8 bytes long (at most \(maximumBytes))" }
        if key.utf8.elementsEqual(".".utf8) || key.utf8.elementsEqual("..".utf8) { return "\"\(key)\" is not allowed" }
        // Bytes, not Characters: "/" followed by a combining mark is one Character that is not "/".
        if key.utf8.contains(UInt8(ascii: "/")) { return "it contains '/'" }
        if let control = key.unicodeScalars.first(where: isControl) {
            return "it contains the control character U+\(hex(control.value))"
        }
        return nil
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
