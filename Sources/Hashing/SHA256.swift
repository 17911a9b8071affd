internal import CCrypto

/// SHA-256 (FIPS 180-4) over bytes, computed by OpenSSL through EVP with the algorithm fetched once
/// (``SHA256Engine``); the EVP calls are not deprecated in OpenSSL 3, unlike `SHA256_Init`.
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
    /// The corresponding C functions are `EVP_DigestInit_ex2`, `EVP_DigestUpdate` and `EVP_DigestFinal_ex`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(buffer: UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(bytes).withUnsafeBytes { hash(buffer: $0) }
    }

    private static func hash(buffer: UnsafeRawBufferPointer) -> [UInt8] {
        SHA256Engine.shared.hash(buffer)
    }
}
