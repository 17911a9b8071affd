#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Where finished log lines go.
///
/// Lines are written with `write(2)` straight to the file descriptor: Swift's `print` is fully
/// buffered when stdout is not a terminal (as on Lambda), and a crash would lose the tail.
/// Each line is written whole under the descriptor's lock: `write(2)` to a pipe is atomic only up
/// to `PIPE_BUF` (4 KiB), and a longer line written by one worker while another writes would
/// otherwise come out in pieces.
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    /// Creates a sink from a closure (tests collect lines this way).
    /// - Parameter writeLine: Receives each complete line, without its newline.
    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    /// Writes one line.
    /// - Parameter line: The line, without a trailing newline.
    public func write(_ line: String) {
        writeLine(line)
    }

    /// Standard error: CloudWatch captures it on Lambda, and `bootstrap invoke` keeps stdout for the response.
    public static let standardError = fileDescriptor(2)

    /// Standard output, for `bootstrap invoke`'s response.
    public static let standardOutput = fileDescriptor(1)

    /// Each line and a newline, written whole to an open file descriptor (`write(2)`, retried on
    /// EINTR and short writes), one line at a time whatever the number of threads writing.
    /// - Parameter descriptor: The descriptor; the caller keeps it open.
    /// - Returns: The sink. Sinks made for the same descriptor do not share the lock: make one
    ///   per descriptor (as ``standardError`` is) and share it.
    public static func fileDescriptor(_ descriptor: Int32) -> LogSink {
        let lineLock = LineLock()
        return LogSink { line in
            let text = line + "\n"
            lineLock.mutex.withLock { _ in writeAll(text, to: descriptor) }
        }
    }

    private static func writeAll(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // nowhere left to report a failing log write
                }
                offset += written
            }
        }
    }
}

/// The lock a descriptor sink holds while it writes one line (a class, so closures can share it).
private final class LineLock: Sendable {
    let mutex = Mutex(())
}
