internal import CCrypto

/// HMAC (RFC 2104) with SHA-256, computed by OpenSSL's one-shot `HMAC()`.
///
/// `HMAC_CTX_*` is deprecated since OpenSSL 3.0; the one-shot `HMAC()` is not (HMAC(3)), and it
/// leaves no context to own.
public enum HMACSHA256 {
    /// The length of an authentication code in bytes (32).
    public static let codeLength = SHA256.digestLength

    /// Computes the HMAC-SHA256 of a message.
    /// - Parameters:
    ///   - key: The secret key, of any length (keys longer than 64 bytes are hashed first, per RFC 2104).
    ///   - message: The message to authenticate.
    /// - Returns: The 32-byte authentication code.
    ///
    /// The corresponding C function is `HMAC` with `EVP_sha256()`.
    public static func authenticationCode(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(key) { keyBuffer in
            withContiguousBytes(message) { messageBuffer in
                authenticationCode(key: keyBuffer, message: messageBuffer)
            }
        }
    }

    private static func authenticationCode(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        guard let keyLength = Int32(exactly: key.count) else {
            preconditionFailure("HMAC key of \(key.count) bytes does not fit HMAC()'s int key length")
        }
        return [UInt8](unsafeUninitializedCapacity: codeLength) { code, initializedCount in
            var written: UInt32 = 0
            let result = withNonNullBase(key) { keyBase in
                withNonNullBase(message) { messageBase in
                    HMAC(
                        EVP_sha256(), keyBase, keyLength,
                        messageBase.assumingMemoryBound(to: UInt8.self), message.count,
                        code.baseAddress, &written
                    )
                }
            }
            // NULL (or a short code) means OpenSSL could not run SHA-256 at all: a broken invariant.
            guard result != nil, Int(written) == codeLength else {
                preconditionFailure("HMAC(EVP_sha256()) failed: \(OpenSSLError.lastMessage())")
            }
            initializedCount = codeLength
        }
    }

    private static func withContiguousBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes(body)
    }
}
