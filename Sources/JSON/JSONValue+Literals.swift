// Literal conformances, so callers can write
// `let v: JSONValue = ["ok": true, "count": 3, "tags": ["a", "b"], "note": nil]`.

extension JSONValue: ExpressibleByStringLiteral {
    /// Creates a string value from a string literal.
    /// - Parameter value: The literal.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    /// Creates a number value from an integer literal.
    /// - Parameter value: The literal.
    public init(integerLiteral value: Int64) {
        self = .number(JSONNumber(value))
    }
}

extension JSONValue: ExpressibleByFloatLiteral {
    /// Creates a number value from a floating-point literal, written in its shortest round-trip form.
    ///
    /// Traps on a literal that overflows to infinity (e.g. `1e999`), which is a programmer error.
    /// - Parameter value: The literal.
    public init(floatLiteral value: Double) {
        guard let number = JSONNumber(value) else {
            preconditionFailure("JSON has no representation for the float literal \(value)")
        }
        self = .number(number)
    }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    /// Creates `true` or `false` from a boolean literal.
    /// - Parameter value: The literal.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    /// Creates `null` from `nil`.
    /// - Parameter nilLiteral: Nothing.
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension JSONValue: ExpressibleByArrayLiteral {
    /// Creates an array value from an array literal.
    /// - Parameter elements: The literal's elements, in order.
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Creates an object value from a dictionary literal, keeping the literal's order.
    ///
    /// A name written twice keeps its first position and its last value.
    /// - Parameter elements: The literal's names and values, in order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}
