internal import CCrypto

/// SHA-256 (FIPS 180-4) over bytes, computed by OpenSSL's one-shot `SHA256()`.
///
/// The one-shot call needs no context, so there is no handle to own or free, and unlike
/// `SHA256_Init`/`SHA256_Update` it is not deprecated in OpenSSL 3.
public enum SHA256 {
    /// The length of a digest in bytes (32).
    public static let digestLength = Int(SHA256_DIGEST_LENGTH)

    /// Hashes a sequence of bytes.
    ///
    /// Contiguous storage (`[UInt8]`, `String.UTF8View` of a native string, buffers) is hashed in
    /// place; any other sequence is copied into an array first.
    /// - Parameter bytes: The message.
    /// - Returns: The 32-byte digest.
    ///
    /// The corresponding C function is `SHA256`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(buffer: UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(bytes).withUnsafeBytes { hash(buffer: $0) }
    }

    private static func hash(buffer: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: digestLength) { digest, initializedCount in
            withNonNullBase(buffer) { message in
                // OpenSSL 3 implements SHA256() with EVP_Q_digest, which returns NULL when the
                // digest cannot be fetched: a broken installation, not something a caller can handle.
                guard CCrypto.SHA256(message.assumingMemoryBound(to: UInt8.self), buffer.count, digest.baseAddress) != nil else {
                    preconditionFailure("SHA256() failed: \(OpenSSLError.lastMessage())")
                }
            }
            initializedCount = digestLength
        }
    }
}

/// Calls `body` with the buffer's base address, or with the address of a dummy byte when the
/// buffer is empty, so OpenSSL never sees a NULL pointer (a NULL key means "reuse the key" to HMAC).
func withNonNullBase<R>(_ buffer: UnsafeRawBufferPointer, _ body: (UnsafeRawPointer) -> R) -> R {
    if let base = buffer.baseAddress { return body(base) }
    var dummy: UInt8 = 0
    return withUnsafePointer(to: &dummy) { body(UnsafeRawPointer($0)) }
}
