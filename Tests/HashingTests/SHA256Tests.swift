import Hashing
import Testing

@Suite("SHA256")
struct SHA256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var message: [UInt8]
        var digest: String
        var testDescription: String { name }
    }

    // FIPS 180-4 examples as published by NIST (Cryptographic Standards and Guidelines, "Example
    // Values": SHA256.pdf), plus the empty message.
    static let nistVectors: [Vector] = [
        Vector(name: "the empty message", message: [],
               digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Vector(name: "\"abc\"", message: Array("abc".utf8),
               digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Vector(name: "the 448-bit message", message: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
               digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        Vector(name: "one million 'a'", message: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000),
               digest: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ]

    @Test("digests match the NIST SHA-256 examples", arguments: nistVectors)
    func nistVector(_ vector: Vector) {
        #expect(SHA256.hash(vector.message).hexEncodedString == vector.digest)
    }

    @Test("a sequence without contiguous storage hashes like the same bytes in an array", arguments: nistVectors)
    func nonContiguousSequence(_ vector: Vector) {
        let lazyCopy = vector.message.lazy.map { $0 }    // no withContiguousStorageIfAvailable
        #expect(lazyCopy.withContiguousStorageIfAvailable { _ in true } == nil)
        #expect(SHA256.hash(lazyCopy).hexEncodedString == vector.digest)
    }

    @Test("a string's UTF-8 view hashes like its bytes")
    func utf8View() {
        #expect(SHA256.hash("abc".utf8) == SHA256.hash(Array("abc".utf8)))
        #expect(SHA256.hash("abc".utf8).hexEncodedString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("a slice hashes only its own bytes")
    func slice() {
        let framed = Array("xxabcxx".utf8)
        #expect(SHA256.hash(framed[2..<5]).hexEncodedString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("every digest is 32 bytes long")
    func digestLength() {
        #expect(SHA256.digestLength == 32)
        #expect(SHA256.hash([UInt8]()).count == 32)
        #expect(SHA256.hash(Array(repeating: 7, count: 1000)).count == 32)
    }
}
