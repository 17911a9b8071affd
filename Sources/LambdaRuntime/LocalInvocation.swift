/// An invocation made up on this machine, for `bootstrap invoke`: the same handler, no Runtime API.
public enum LocalInvocation {
    /// A context like the one Lambda would give.
    /// - Parameters:
    ///   - requestID: The request ID to use (a fresh UUID when `nil`).
    ///   - timeoutMilliseconds: Time from now to the deadline.
    ///   - functionARN: The ARN to report.
    ///   - nowMilliseconds: The current Unix time.
    /// - Returns: The context.
    public static func context(requestID: String?, timeoutMilliseconds: Int64, functionARN: String, nowMilliseconds: Int64) -> InvocationContext {
        InvocationContext(requestID: requestID ?? randomRequestID(), deadlineMilliseconds: nowMilliseconds + timeoutMilliseconds,
                          invokedFunctionARN: functionARN)
    }

    /// A random version 4 UUID in Lambda's lower-case form.
    public static func randomRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        var text: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append(UInt8(ascii: "-")) }
            Hex.append(byte, to: &text, uppercase: false)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
