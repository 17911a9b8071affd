// Writing JSON: compact, and a canonical form for hashing (after RFC 8785, JCS).

extension JSONValue {
    /// The value as compact JSON text: no spaces, members in order, numbers as written.
    /// - Returns: JSON text that `parse(_:)` reads back as an equal value.
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// The value as compact JSON text in UTF-8, ready for an HTTP body.
    /// - Returns: The bytes of `serialized()`.
    public func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1_024)  // a DynamoDB request or a log line: one allocation, no regrowth
        write(to: &out, canonical: false)
        return out
    }

    /// The value as canonical JSON text, for hashing: equal values give equal text.
    ///
    /// Compact; object members sorted by the UTF-8 bytes of their names, at every level;
    /// numbers as `JSONNumber.canonicalLiteral` (so `42`, `42.0` and `4.2e1` all give `42`);
    /// strings escaped as `JSONString.escaped(_:)`. Array order is kept: it is data.
    /// - Returns: The canonical text.
    public func canonicalSerialized() -> String {
        String(decoding: canonicalSerializedBytes(), as: UTF8.self)
    }

    /// The UTF-8 bytes of `canonicalSerialized()`, ready for SHA-256.
    /// - Returns: The canonical text's bytes.
    public func canonicalSerializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out, canonical: true)
        return out
    }

    /// Appends this value's JSON text to `out`.
    func write(to out: inout [UInt8], canonical: Bool) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case let .bool(bool):
            out.append(contentsOf: bool ? "true".utf8 : "false".utf8)
        case let .number(number):
            out.append(contentsOf: canonical ? number.canonicalLiteral.utf8 : number.literal.utf8)
        case let .string(string):
            JSONString.appendQuoted(string, to: &out)
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out, canonical: canonical)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(object):
            out.append(UInt8(ascii: "{"))
            let members = canonical
                ? object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                : object.members
            for (position, member) in members.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.appendQuoted(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out, canonical: canonical)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
