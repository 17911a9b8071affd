import Testing

@testable import JSON

@Suite("JSONNumber")
struct JSONNumberTests {
    @Test("init(literal:) accepts every form the RFC 8259 grammar allows", arguments: [
        ("0", true), ("-0", true), ("7", true), ("-123", true), ("0.5", false), ("-0.0", false),
        ("1e2", false), ("1E2", false), ("1e+2", false), ("1E-2", false), ("10.25e-003", false),
    ] as [(String, Bool)])
    func acceptsValidLiterals(_ literal: String, isInteger: Bool) throws {
        let number = try #require(JSONNumber(literal: literal))
        #expect(number.literal == literal)
        #expect(number.description == literal)
        #expect(number.isIntegerLiteral == isInteger)
    }

    @Test("init(literal:) rejects anything that is not exactly one JSON number", arguments: [
        "", "-", "+1", "01", "-01", ".5", "1.", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
        " 1", "1 ", "1,", "1.2.3", "1e2e3", "١", "1_000", "--1", "\"1\"",
    ])
    func rejectsInvalidLiterals(_ literal: String) {
        #expect(JSONNumber(literal: literal) == nil)
    }

    @Test("integer initializers write plain decimal digits", arguments: [
        (Int64(0), "0"), (-1, "-1"), (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
    ] as [(Int64, String)])
    func integerInitializers(_ value: Int64, literal: String) {
        #expect(JSONNumber(value).literal == literal)
        #expect(JSONNumber(value).int64Value == value)
        #expect(JSONNumber(value).isIntegerLiteral)
        #expect(JSONNumber(Int(value)).literal == literal)
    }

    @Test("the Double initializer writes the shortest round-trip text and refuses NaN and infinities")
    func doubleInitializer() throws {
        #expect(JSONNumber(0.1)?.literal == "0.1")
        #expect(JSONNumber(42.0)?.literal == "42")
        #expect(JSONNumber(42.0)?.int64Value == 42)
        #expect(JSONNumber(1e21)?.literal == "1e+21")
        #expect(JSONNumber(1e21)?.isIntegerLiteral == false)
        #expect(JSONNumber(-0.0)?.literal == "0")
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(-Double.infinity) == nil)
        for value in [0.1 + 0.2, 1 / 3.0, -2.5e-300, Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude] {
            let number = try #require(JSONNumber(value))
            #expect(number.doubleValue == value)
            #expect(JSONNumber(literal: number.literal) == number)
        }
    }

    @Test("int64Value is nil for fractions, exponents and out-of-range integers", arguments: [
        "42.0", "4.2e1", "1e0", "9223372036854775808", "-9223372036854775809",
    ])
    func int64ValueNil(_ literal: String) throws {
        #expect(try #require(JSONNumber(literal: literal)).int64Value == nil)
    }

    @Test("numbers that spell the same value are equal and hash alike", arguments: [
        ("42", "42.0"), ("42", "4.2e1"), ("42", "420E-1"), ("0", "-0"), ("0", "0.0e10"), ("0.5", "5e-1"),
        ("100", "1E+2"), ("-1.5", "-15e-1"),
    ] as [(String, String)])
    func equalSpellings(_ a: String, _ b: String) throws {
        let x = try #require(JSONNumber(literal: a))
        let y = try #require(JSONNumber(literal: b))
        #expect(x == y)
        #expect(x.hashValue == y.hashValue)
        #expect(x.literal != y.literal)
    }

    @Test("different values are not equal", arguments: [
        ("42", "43"), ("0.1", "0.10000000000000002"), ("9007199254740993", "9007199254740992"),
        ("9007199254740993", "9007199254740993.0"), ("1e400", "2e400"), ("1e-400", "0"), ("-1", "1"),
    ] as [(String, String)])
    func differentValues(_ a: String, _ b: String) throws {
        #expect(try #require(JSONNumber(literal: a)) != #require(JSONNumber(literal: b)))
    }

    @Test("an integer literal works where a JSONNumber is expected")
    func integerLiteral() {
        let number: JSONNumber = 12
        #expect(number.literal == "12")
    }
}
