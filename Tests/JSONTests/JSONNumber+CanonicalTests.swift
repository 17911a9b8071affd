import Testing

@testable import JSON

@Suite("JSONNumber canonical form")
struct JSONNumberCanonicalTests {
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript text.
    @Test("shortest text matches the RFC 8785 number vectors", arguments: [
        (0x0000_0000_0000_0000, "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"),
        (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
        (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0xC340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
        (0x44B5_2D02_C7E1_4AF6, "1e+23"),
        (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
        (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
        (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
        (0x444B_1AE4_D6E2_EF50, "1e+21"),
        (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
        (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
        (0x41B3_DE43_5555_5553, "333333333.3333332"),
        (0x41B3_DE43_5555_5554, "333333333.33333325"),
        (0x41B3_DE43_5555_5555, "333333333.3333333"),
        (0x41B3_DE43_5555_5556, "333333333.3333334"),
        (0x41B3_DE43_5555_5557, "333333333.33333343"),
        (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
        (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ] as [(UInt64, String)])
    func rfc8785Vectors(_ bits: UInt64, expected: String) throws {
        let value = Double(bitPattern: bits)
        #expect(JSONNumber.shortestLiteral(value) == expected)
        let number = try #require(JSONNumber(value))
        #expect(number.canonicalLiteral == expected)
    }

    @Test("canonical literals of parsed numbers", arguments: [
        // Integers and their other spellings
        ("0", "0"), ("-0", "0"), ("-0.0", "0"), ("0e10", "0"), ("42", "42"), ("42.0", "42"), ("4.2e1", "42"),
        ("1e2", "100"), ("1E+2", "100"), ("-7", "-7"), ("1e20", "100000000000000000000"), ("1e21", "1e+21"),
        // Fractions
        ("0.5", "0.5"), ("4.50", "4.5"), ("-12.75e-3", "-0.01275"), ("2e-3", "0.002"), ("0.000001", "0.000001"),
        ("0.000001234", "0.000001234"), ("0.0000001234", "1.234e-7"), ("123e-9", "1.23e-7"), ("1E-7", "1e-7"),
        ("0.30000000000000004", "0.30000000000000004"), ("0.1000000000000000055511151231257827", "0.1"),
        // Big integers keep their digits above 2^53 and only there
        ("9007199254740992", "9007199254740992"), ("9007199254740993", "9007199254740993"),
        ("-9007199254740993", "-9007199254740993"), ("9007199254740993.0", "9007199254740992"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        // Beyond Double's range: exact decimal value in exponent form
        ("1e400", "1e+400"), ("10e399", "1e+400"), ("-2.50e-400", "-2.5e-400"), ("0.001e-330", "1e-333"),
        ("1e99999999999999999999", "1e99999999999999999999"),
    ] as [(String, String)])
    func canonicalLiterals(_ literal: String, expected: String) throws {
        #expect(try #require(JSONNumber(literal: literal)).canonicalLiteral == expected)
    }

    @Test("every canonical literal is itself a valid JSON number with the same value", arguments: [
        "0.1", "1e21", "1e-7", "-5e-324", "1e400", "9007199254740993", "123.456e78",
    ])
    func canonicalIsValid(_ literal: String) throws {
        let number = try #require(JSONNumber(literal: literal))
        let canonical = try #require(JSONNumber(literal: number.canonicalLiteral))
        #expect(canonical == number)
        #expect(canonical.canonicalLiteral == number.canonicalLiteral)
    }

    @Test("decimal parts drop leading and trailing zeros and place the exponent", arguments: [
        ("0.00120", [UInt8]("12".utf8), -2), ("120", [UInt8]("12".utf8), 3), ("1.5e+16", [UInt8]("15".utf8), 17),
        ("0", [], 0),
    ] as [(String, [UInt8], Int)])
    func decimalParts(_ text: String, digits: [UInt8], exponent: Int) throws {
        let parts = try #require(DecimalParts(text))
        #expect(parts.digits == digits)
        #expect(parts.exponent == exponent)
    }
}
