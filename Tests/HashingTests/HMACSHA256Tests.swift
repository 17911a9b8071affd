import Hashing
import Testing

@Suite("HMACSHA256")
struct HMACSHA256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var number: Int
        var key: [UInt8]
        var data: [UInt8]
        /// The expected code; test case 5 publishes only its first 128 bits.
        var expected: String
        var testDescription: String { "RFC 4231 test case \(number)" }
    }

    // RFC 4231, "Identifiers and Test Vectors for HMAC-SHA-224, HMAC-SHA-256, HMAC-SHA-384, and
    // HMAC-SHA-512", section 4, the HMAC-SHA-256 results of test cases 1–7.
    static let rfc4231: [Vector] = [
        Vector(number: 1, key: bytes(0x0b, count: 20), data: Array("Hi There".utf8),
               expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(number: 2, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
               expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(number: 3, key: bytes(0xaa, count: 20), data: bytes(0xdd, count: 50),
               expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(number: 4, key: Array(0x01...0x19), data: bytes(0xcd, count: 50),
               expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        // Test case 5 is truncated to 128 bits in the RFC: only the first 16 bytes are compared.
        Vector(number: 5, key: bytes(0x0c, count: 20), data: Array("Test With Truncation".utf8),
               expected: "a3b6167473100ee06e0c796c2955552b"),
        // Test cases 6 and 7 use a 131-byte key, longer than SHA-256's 64-byte block: it is hashed first.
        Vector(number: 6, key: bytes(0xaa, count: 131), data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
               expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(number: 7, key: bytes(0xaa, count: 131),
               data: Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
               expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    static func bytes(_ value: UInt8, count: Int) -> [UInt8] {
        [UInt8](repeating: value, count: count)
    }

    @Test("codes match RFC 4231", arguments: rfc4231)
    func rfc4231Vector(_ vector: Vector) {
        let code = HMACSHA256.authenticationCode(key: vector.key, message: vector.data)
        #expect(code.count == 32)
        #expect(code.prefix(vector.expected.count / 2).hexEncodedString == vector.expected)
    }

    @Test("key and message without contiguous storage give the same code", arguments: rfc4231)
    func nonContiguousCollections(_ vector: Vector) {
        let code = HMACSHA256.authenticationCode(key: vector.key.lazy.map { $0 }, message: vector.data.lazy.map { $0 })
        #expect(code.prefix(vector.expected.count / 2).hexEncodedString == vector.expected)
    }

    @Test("an empty key and an empty message are valid input")
    func emptyKeyAndMessage() {
        // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
        #expect(HMACSHA256.authenticationCode(key: [UInt8](), message: [UInt8]()).hexEncodedString
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("string UTF-8 views work as key and message")
    func utf8Views() {
        #expect(HMACSHA256.authenticationCode(key: "Jefe".utf8, message: "what do ya want for nothing?".utf8).hexEncodedString
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("a prepared key gives the RFC 4231 codes, again on every use", arguments: rfc4231)
    func preparedKey(_ vector: Vector) {
        let key = HMACSHA256Key(vector.key)
        for _ in 0..<3 {
            let code = key.authenticationCode(message: vector.data)
            #expect(code.count == 32)
            #expect(code.prefix(vector.expected.count / 2).hexEncodedString == vector.expected)
        }
        #expect(key.authenticationCode(message: vector.data.lazy.map { $0 }).prefix(vector.expected.count / 2).hexEncodedString
            == vector.expected)
    }

    @Test("a prepared key signs other messages in between without carrying state over")
    func preparedKeyInterleaved() {
        // Python: hmac.new(b"Jefe", m, hashlib.sha256).hexdigest() for m = b"", b"what do ya want for nothing?"
        let key = HMACSHA256Key("Jefe".utf8)
        let empty = "923598ca6d64af2a5dba79dcd021a8a0fe5c5f557519adaaf0ad532d4506dd30"
        let rfc = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(key.authenticationCode(message: [UInt8]()).hexEncodedString == empty)
        #expect(key.authenticationCode(message: "what do ya want for nothing?".utf8).hexEncodedString == rfc)
        #expect(key.authenticationCode(message: [UInt8]()).hexEncodedString == empty)
    }

    @Test("keys at and around the block length give the same codes as Python's hmac", arguments: [
        // Python: hmac.new(bytes(range(n)), b"message", hashlib.sha256).hexdigest()
        (63, "b86ea50d9f23f008fd5904193ccdc892ff333e26cf44153a03dfae39c8d0eafb"),
        (64, "eb97f15211c02e38e3213edb045e8301601867c1cd49df01c687eb04f8909e98"),
        (65, "2d55f05a56fff8d5ba47a50eb1c006240377002f70e09d8862f8a5cb1c880e4a"),
    ])
    func blockLengthKeys(_ length: Int, _ expected: String) {
        let key = (0..<length).map { UInt8($0) }
        let code = HMACSHA256Key(key).authenticationCode(message: "message".utf8)
        #expect(code == HMACSHA256.authenticationCode(key: key, message: "message".utf8))
        #expect(code.hexEncodedString == expected)
    }
}
