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
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if values[name] == nil { values[name] = String(text[text.index(after: equals)...]) }
            }
            cursor += 1
        }
        return values
    }
}
