internal import CCrypto

/// OpenSSL's SHA-256 implementation, fetched once for the life of the process.
///
/// OpenSSL 3 resolves an algorithm name to a provider implementation on every one-shot call
/// (`SHA256()`, `HMAC()`); fetching it once and reusing it is what OpenSSL's performance notes
/// advise ("explicit fetching"). A fetched `EVP_MD` is immutable and safe to share between threads.
final class SHA256Engine: @unchecked Sendable {
    static let shared = SHA256Engine()

    let digest: OpaquePointer

    private init() {
        guard let digest = EVP_MD_fetch(nil, "SHA256", nil) else {
            preconditionFailure("EVP_MD_fetch(SHA256) failed: \(OpenSSLError.lastMessage())")
        }
        self.digest = digest
    }

    deinit {
        EVP_MD_free(digest)
    }

    /// Hashes the concatenation of the given buffers (so HMAC needs no joined copy).
    /// - Parameter parts: The buffers, in order.
    /// - Returns: The 32-byte digest.
    func hash(_ parts: UnsafeRawBufferPointer...) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            preconditionFailure("EVP_MD_CTX_new failed: \(OpenSSLError.lastMessage())")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex2(context, digest, nil) == 1 else {
            preconditionFailure("EVP_DigestInit_ex2(SHA256) failed: \(OpenSSLError.lastMessage())")
        }
        for part in parts where part.count > 0 {
            guard EVP_DigestUpdate(context, part.baseAddress, part.count) == 1 else {
                preconditionFailure("EVP_DigestUpdate failed: \(OpenSSLError.lastMessage())")
            }
        }
        return [UInt8](unsafeUninitializedCapacity: SHA256.digestLength) { output, initializedCount in
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(context, output.baseAddress, &length) == 1, Int(length) == SHA256.digestLength else {
                preconditionFailure("EVP_DigestFinal_ex failed: \(OpenSSLError.lastMessage())")
            }
            initializedCount = SHA256.digestLength
        }
    }
}
