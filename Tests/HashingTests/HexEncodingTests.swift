import Hashing
import Testing

@Suite("hexEncodedString")
struct HexEncodingTests {
    @Test("bytes become two lowercase hex digits each", arguments: [
        ([], ""),
        ([0x00], "00"),
        ([0x0f, 0xf0], "0ff0"),
        ([0xde, 0xad, 0xbe, 0xef], "deadbeef"),
        ([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef], "0123456789abcdef"),
    ] as [([UInt8], String)])
    func encodes(_ bytes: [UInt8], _ expected: String) {
        #expect(bytes.hexEncodedString == expected)
    }

    @Test("every byte value encodes to its two-digit lowercase form")
    func allByteValues() {
        let encoded = (UInt8.min...UInt8.max).hexEncodedString
        #expect(encoded.utf8.count == 512)
        #expect(encoded.hasPrefix("000102"))
        #expect(encoded.hasSuffix("fdfeff"))
        #expect(encoded == encoded.lowercased())
        for value in UInt8.min...UInt8.max {
            let digits = String(value, radix: 16)
            #expect([value].hexEncodedString == (digits.count == 1 ? "0" + digits : digits))
        }
    }

    @Test("any sequence of bytes can be encoded, not only arrays")
    func anySequence() {
        #expect("AB".utf8.hexEncodedString == "4142")
        #expect(stride(from: UInt8(0), to: 3, by: 1).hexEncodedString == "000102")
    }

    @Test("appending hex to bytes gives the same digits after what was there", arguments: [[], [0x00], [0xde, 0xad, 0xbe, 0xef], Array(0...255)] as [[UInt8]])
    func appends(_ bytes: [UInt8]) {
        var out = Array("sig=".utf8)
        out.appendLowercaseHex(of: bytes)
        #expect(String(decoding: out, as: UTF8.self) == "sig=" + bytes.hexEncodedString)
    }
}
