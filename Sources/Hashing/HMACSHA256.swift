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
        var block = key.count > blockLength ? SHA256.hash(key) : Array(key)
        block.append(contentsOf: repeatElement(0, count: blockLength - block.count))
        let innerPad = block.map { $0 ^ 0x36 }
        let outerPad = block.map { $0 ^ 0x5c }
        let inner = innerPad.withUnsafeBytes { pad in
            withContiguousBytes(message) { SHA256Engine.shared.hash(pad, $0) }
        }
        return outerPad.withUnsafeBytes { pad in
            inner.withUnsafeBytes { SHA256Engine.shared.hash(pad, $0) }
        }
    }

    private static func withContiguousBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes(body)
    }
}
