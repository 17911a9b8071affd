#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process environment, read once by `main` and passed down as a value (nothing below reads it).
public enum ProcessEnvironment {
    /// Every variable of the process.
    /// - Returns: Names to values; a name given twice keeps its first value, as `getenv` does.
    public static func snapshot() -> [String: String] {
        var values: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            // Split at the first "=" byte: as a Character, "=" followed by a combining mark would
            // be one grapheme and the variable would be lost.
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: bytes[..<equals], as: UTF8.self)
                if values[name] == nil { values[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self) }
            }
            cursor += 1
        }
        return values
    }
}
