/// HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256.
///
/// Built here from two digests, `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))`, on the once-fetched
/// ``SHA256Engine``: OpenSSL 3's one-shot `HMAC()` fetches the MAC and the digest by name on every
/// call, which cost more than the hashing (SigV4 computes five HMACs per request).
public enum HMACSHA256 {
    /// The length of an authentication code in bytes (32).
    public static let codeLength = SHA256.digestLength

    /// SHA-256's block size: keys are padded (or first hashed) to this length.
    static let blockLength = 64

    /// Computes an authentication code.
    /// - Parameters:
    ///   - key: The secret key (any length; longer than a block it is hashed first, as RFC 2104 says).
    ///   - message: The message.
    /// - Returns: The 32-byte code.
    public static func authenticationCode(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        HMACSHA256Key(key).authenticationCode(message: message)
    }
}

/// An HMAC-SHA256 key with its two padded blocks already hashed: a code for a key used many times
/// (SigV4's signing key signs every request of a day) then costs two SHA-256 blocks less.
///
/// Immutable once made, so one key may sign on several threads at once: each code starts from a
/// copy of the saved digest states (`EVP_MD_CTX_copy_ex` only reads its source).
public final class HMACSHA256Key: @unchecked Sendable {
    /// SHA-256 after `K ⊕ ipad`, and after `K ⊕ opad`.
    private let innerState: SHA256Engine.Context
    private let outerState: SHA256Engine.Context

    /// Prepares a key.
    /// - Parameter key: The secret key (any length; longer than a block it is hashed first, as RFC 2104 says).
    public init(_ key: some Collection<UInt8>) {
        var block = key.count > HMACSHA256.blockLength ? SHA256.hash(key) : Array(key)
        block.append(contentsOf: repeatElement(0, count: HMACSHA256.blockLength - block.count))
        let engine = SHA256Engine.shared
        innerState = engine.makeContext()
        outerState = engine.makeContext()
        for index in block.indices { block[index] ^= 0x36 }
        block.withUnsafeBytes { innerState.update($0) }
        for index in block.indices { block[index] ^= 0x36 ^ 0x5c }
        block.withUnsafeBytes { outerState.update($0) }
    }

    /// Computes the authentication code of a message under this key.
    /// - Parameter message: The message.
    /// - Returns: The 32-byte code.
    public func authenticationCode(message: some Collection<UInt8>) -> [UInt8] {
        if let code = message.withContiguousStorageIfAvailable({ authenticationCode(UnsafeRawBufferPointer($0)) }) {
            return code
        }
        return Array(message).withUnsafeBytes { authenticationCode($0) }
    }

    private func authenticationCode(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        let context = SHA256Engine.Context(copying: innerState)
        context.update(message)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SHA256.digestLength) { inner in
            context.finish(into: inner)
            context.copy(from: outerState)
            context.update(UnsafeRawBufferPointer(inner))
            return [UInt8](unsafeUninitializedCapacity: SHA256.digestLength) { output, initializedCount in
                context.finish(into: output)
                initializedCount = SHA256.digestLength
            }
        }
    }
}
