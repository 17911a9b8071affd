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

    /// A digest in progress, ready for data.
    func makeContext() -> Context {
        Context(digest: digest)
    }

    /// Hashes one buffer.
    /// - Parameter buffer: The message.
    /// - Returns: The 32-byte digest.
    func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        let context = makeContext()
        context.update(buffer)
        return [UInt8](unsafeUninitializedCapacity: SHA256.digestLength) { output, initializedCount in
            context.finish(into: output)
            initializedCount = SHA256.digestLength
        }
    }

    /// One `EVP_MD_CTX`, owned by whoever made it; freed with it.
    ///
    /// The corresponding C functions are `EVP_MD_CTX_new`, `EVP_DigestInit_ex2`, `EVP_DigestUpdate`,
    /// `EVP_DigestFinal_ex`, `EVP_MD_CTX_copy_ex` and `EVP_MD_CTX_free`.
    final class Context {
        private let context: OpaquePointer

        /// A context initialised for `digest`.
        init(digest: OpaquePointer) {
            context = Self.allocate()
            guard EVP_DigestInit_ex2(context, digest, nil) == 1 else {
                preconditionFailure("EVP_DigestInit_ex2(SHA256) failed: \(OpenSSLError.lastMessage())")
            }
        }

        /// A context in the same state as `source` (which is only read).
        init(copying source: Context) {
            context = Self.allocate()
            copy(from: source)
        }

        deinit {
            EVP_MD_CTX_free(context)
        }

        private static func allocate() -> OpaquePointer {
            guard let context = EVP_MD_CTX_new() else {
                preconditionFailure("EVP_MD_CTX_new failed: \(OpenSSLError.lastMessage())")
            }
            return context
        }

        /// Puts this context in the state of `source`, which is only read.
        func copy(from source: Context) {
            guard EVP_MD_CTX_copy_ex(context, source.context) == 1 else {
                preconditionFailure("EVP_MD_CTX_copy_ex failed: \(OpenSSLError.lastMessage())")
            }
        }

        /// Hashes more of the message.
        func update(_ part: UnsafeRawBufferPointer) {
            guard part.count > 0 else { return }
            guard EVP_DigestUpdate(context, part.baseAddress, part.count) == 1 else {
                preconditionFailure("EVP_DigestUpdate failed: \(OpenSSLError.lastMessage())")
            }
        }

        /// Writes the 32-byte digest to `output`, which must hold at least that many bytes.
        func finish(into output: UnsafeMutableBufferPointer<UInt8>) {
            precondition(output.count >= SHA256.digestLength, "a SHA-256 digest needs 32 bytes")
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(context, output.baseAddress, &length) == 1, Int(length) == SHA256.digestLength else {
                preconditionFailure("EVP_DigestFinal_ex failed: \(OpenSSLError.lastMessage())")
            }
        }
    }
}
