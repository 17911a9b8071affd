internal import CCrypto

/// Reads OpenSSL's thread-local error queue for failure messages.
enum OpenSSLError {
    /// The oldest queued OpenSSL error as text, e.g. `error:0308010C:digital envelope routines::unsupported`,
    /// or a placeholder when the queue is empty. The queue is cleared afterwards.
    ///
    /// The corresponding C functions are `ERR_get_error`, `ERR_error_string_n` and `ERR_clear_error`.
    static func lastMessage() -> String {
        let code = ERR_get_error()
        defer { ERR_clear_error() }
        guard code != 0 else { return "no OpenSSL error queued" }
        // ERR_error_string_n documents 256 bytes as always enough.
        let text = [CChar](unsafeUninitializedCapacity: 256) { buffer, initializedCount in
            buffer.initialize(repeating: 0)
            ERR_error_string_n(code, buffer.baseAddress, buffer.count)
            initializedCount = buffer.count
        }
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
