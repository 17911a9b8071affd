#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads small local files (events to replay, AWS shared config, a container token file) without Foundation.
public enum LocalFile {
    /// A file that could not be read, with `strerror`'s words.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The path.
        public var path: String
        /// Why, e.g. "No such file or directory".
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// Reads a whole file, or standard input for `-`.
    /// - Parameter path: The path, or `-`.
    /// - Returns: The bytes.
    /// - Throws: ``ReadError`` naming the path and the system's reason.
    public static func read(_ path: String) throws(ReadError) -> [UInt8] {
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadError(path: path, reason: currentErrnoText()) }
        defer { if descriptor != 0 { close(descriptor) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: currentErrnoText())
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private static func currentErrnoText() -> String {
        guard let text = strerror(errno) else { return "error \(errno)" }
        return String(cString: text)
    }
}
