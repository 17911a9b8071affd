// Canonical number text (RFC 8785 §3.2.2.3, i.e. ECMAScript's Number::toString), without Foundation.
//
// Swift's `Double.description` already prints the shortest digits that round-trip
// (and, among those, the closest), which is what ECMAScript asks for; only the layout
// differs ("100.0", "1e+16", "1e-07"). So we take its digits and exponent apart and
// lay them out the ECMAScript way.

extension JSONNumber {
    /// The canonical text for a grammar-checked literal; see `canonicalLiteral`.
    static func canonicalLiteral(for literal: String, isIntegerLiteral: Bool) -> String {
        if isIntegerLiteral {
            // Up to 2^53 every integer is a Double whose shortest form is its own digits, and above
            // that we keep the digits on purpose; the grammar already rules out leading zeros and '+'.
            // So an integer literal is its own canonical form, except that -0 is 0.
            return literal == "-0" ? "0" : literal
        }
        let value = Double(literal) ?? .nan
        if value.isFinite && (value != 0 || !hasNonZeroDigit(literal)) {
            return shortestLiteral(value)
        }
        // Out of Double's range: the exact decimal value, so 1e400 and 2e400 stay different.
        guard let parts = DecimalParts(literal) else { return literal }
        return parts.exponentForm
    }

    /// The shortest round-trip text of a finite `Double`, laid out as ECMAScript does.
    /// `-0` gives `"0"`, `100` gives `"100"`, `1e21` gives `"1e+21"`, `1.5e-7` gives `"1.5e-7"`.
    static func shortestLiteral(_ value: Double) -> String {
        guard value != 0, let parts = DecimalParts(value.description) else { return "0" }
        return parts.ecmaScriptForm
    }

    /// Whether a number literal has a digit other than 0 before its exponent.
    private static func hasNonZeroDigit(_ literal: String) -> Bool {
        for byte in literal.utf8 {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return false }
            if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return true }
        }
        return false
    }
}

/// A decimal number as sign, significant digits and exponent: `(-1)^negative × 0.d₁d₂…dₖ × 10^exponent`.
///
/// `digits` has no leading or trailing zeros, and is empty only for zero.
struct DecimalParts {
    /// Whether a minus sign was written.
    var negative: Bool
    /// The significant digits, as ASCII bytes.
    var digits: [UInt8]
    /// The power of ten that puts the decimal point right before the first digit.
    var exponent: Int

    /// The largest exponent magnitude we do arithmetic on; beyond it a caller keeps the literal.
    private static let exponentLimit = 1_000_000_000_000_000

    /// Takes apart number text of the form `-ddd.ddde±ddd` (a JSON literal or a `Double.description`).
    /// - Returns: `nil` when the exponent is too large to add to safely.
    init?(_ text: String) {
        var negative = false
        var digits: [UInt8] = []
        var pointPosition: Int?
        var written = 0
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-") where inExponent: exponentNegative = true
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "+"): break
            case UInt8(ascii: "."): pointPosition = written
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9") where inExponent:
                exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                guard exponent <= Self.exponentLimit else { return nil }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
                written += 1
            default:
                return nil
            }
        }
        var decimalExponent = (pointPosition ?? written) + (exponentNegative ? -exponent : exponent)
        // Leading zeros move the point; trailing zeros do not.
        let leadingZeros = digits.prefix { $0 == UInt8(ascii: "0") }.count
        digits.removeFirst(leadingZeros)
        decimalExponent -= leadingZeros
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        self.negative = negative
        self.digits = digits
        self.exponent = digits.isEmpty ? 0 : decimalExponent
    }

    /// ECMAScript's Number::toString layout (ECMA-262 §6.1.6.1.20, steps 5 to 10).
    var ecmaScriptForm: String {
        guard !digits.isEmpty else { return "0" }
        let k = digits.count
        let n = exponent
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if k <= n && n <= 21 {
            out += digits
            out += repeatElement(UInt8(ascii: "0"), count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits[..<n]
            out.append(UInt8(ascii: "."))
            out += digits[n...]
        } else if -6 < n && n <= 0 {
            out += [UInt8(ascii: "0"), UInt8(ascii: ".")]
            out += repeatElement(UInt8(ascii: "0"), count: -n)
            out += digits
        } else {
            return exponentForm
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Scientific layout, as ECMAScript writes it: `d.ddde+N` or `de-N`.
    var exponentForm: String {
        guard let first = digits.first else { return "0" }
        var out: [UInt8] = negative ? [UInt8(ascii: "-"), first] : [first]
        if digits.count > 1 {
            out.append(UInt8(ascii: "."))
            out += digits.dropFirst()
        }
        let power = exponent - 1
        out.append(UInt8(ascii: "e"))
        out.append(power < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        out += String(power.magnitude).utf8
        return String(decoding: out, as: UTF8.self)
    }
}
