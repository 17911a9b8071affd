/// A JSON number, kept as the exact text it was written with.
///
/// Keeping the literal means nothing is lost in a round trip (a 30-digit id stays
/// 30 digits), and each caller decides how to read it: `int64Value` for counts and
/// ids, `doubleValue` for prices.
///
/// Two numbers are equal, and hash alike, when their `canonicalLiteral`s are equal,
/// so `42`, `42.0` and `4.2e1` are the same number.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The number exactly as written, valid per the RFC 8259 §6 grammar, e.g. `-12.75e-3`.
    public let literal: String
    /// Whether the literal has neither a fraction nor an exponent, e.g. `42` or `-7` but not `42.0`.
    public let isIntegerLiteral: Bool

    /// Creates a number from a literal the caller has already checked against the grammar.
    init(validatedLiteral literal: String, isIntegerLiteral: Bool) {
        self.literal = literal
        self.isIntegerLiteral = isIntegerLiteral
    }

    /// Creates a number from JSON number text, checking it against the RFC 8259 grammar.
    ///
    /// Accepts `0`, `-0`, `12.5`, `1E+2`; rejects `01`, `+1`, `.5`, `1.`, `NaN`, and surrounding spaces.
    /// - Parameter literal: The text of one JSON number.
    /// - Returns: `nil` when `literal` is not exactly one valid JSON number.
    public init?(literal: String) {
        var text = literal
        let parsed: JSONNumber?? = text.withUTF8 { bytes in
            var parser = JSONParser(bytes: bytes)
            guard parser.atNumberStart, let number = try? parser.parseNumber(), parser.isAtEnd else { return nil }
            return number
        }
        guard let parsed, let parsed else { return nil }
        self = parsed
    }

    /// Creates a number from an integer.
    /// - Parameter value: The value; its decimal digits become the literal.
    public init(_ value: Int64) {
        self.init(validatedLiteral: String(value), isIntegerLiteral: true)
    }

    /// Creates a number from an integer.
    /// - Parameter value: The value; its decimal digits become the literal.
    public init(_ value: Int) {
        self.init(Int64(value))
    }

    /// Creates a number from an integer literal, so `let n: JSONNumber = 42` works.
    /// - Parameter value: The literal's value.
    public init(integerLiteral value: Int64) {
        self.init(value)
    }

    /// Creates a number from a `Double`, written in its shortest round-trip form (`0.1`, `42`, `1e+21`).
    /// - Parameter value: The value.
    /// - Returns: `nil` for NaN and infinities, which JSON cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        let literal = JSONNumber.shortestLiteral(value)
        self.init(validatedLiteral: literal, isIntegerLiteral: !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") })
    }

    /// The value as an `Int64`, when the literal is an integer (no fraction, no exponent) that fits.
    ///
    /// `42` gives 42 and `-0` gives 0; `42.0`, `4.2e1` and `9223372036854775808` give `nil`.
    public var int64Value: Int64? {
        isIntegerLiteral ? Int64(literal) : nil
    }

    /// The value as the nearest `Double`.
    ///
    /// Literals beyond `Double`'s range give ±infinity (`1e400`) or ±0 (`1e-400`),
    /// as `strtod` does; integers above 2^53 are rounded to the nearest `Double`.
    public var doubleValue: Double {
        // The literal is grammar-checked, which is exactly what Double(_:) accepts.
        Double(literal) ?? .nan
    }

    /// The literal, exactly as written.
    public var description: String { literal }

    /// A spelling-independent form of the number, used for equality, hashing and canonical JSON.
    ///
    /// Follows RFC 8785 (JCS, the ECMAScript `Number.prototype.toString` rules): the value as a
    /// `Double` in its shortest round-trip form; integral values below 1e21 without `.0` or an
    /// exponent (`42.0` and `4.2e1` give `42`); `-0` gives `0`; otherwise `1e+21`, `1.5e-7`.
    ///
    /// Two deliberate exceptions keep distinct values apart where a `Double` would merge them:
    /// - An integer literal whose magnitude is above 2^53 keeps its exact digits
    ///   (`9007199254740993` stays as is), so large ids never collide. It is then not
    ///   equal to the same value spelled with an exponent (`1e22` vs `10000000000000000000000`).
    /// - A literal that overflows to infinity, or underflows to zero while having a non-zero
    ///   digit, is written as its exact decimal value in exponent form (`10e399` gives `1e+400`).
    public var canonicalLiteral: String {
        JSONNumber.canonicalLiteral(for: literal, isIntegerLiteral: isIntegerLiteral)
    }

    /// Whether two numbers have the same `canonicalLiteral`.
    /// - Parameters:
    ///   - lhs: A number.
    ///   - rhs: Another number.
    /// - Returns: `true` when they denote the same value, e.g. `42` and `4.2e1`.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        lhs.literal == rhs.literal || lhs.canonicalLiteral == rhs.canonicalLiteral
    }

    /// Hashes the `canonicalLiteral`, consistent with `==`.
    /// - Parameter hasher: The hasher to feed.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalLiteral)
    }
}
