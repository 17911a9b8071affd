// Entry points of the parser; the grammar itself is in JSONParser.swift.

extension JSONValue {
    /// Parses one JSON text (RFC 8259), strictly.
    ///
    /// Accepts exactly one value with optional space, tab, LF or CR around it. Rejects
    /// comments, trailing commas, `NaN`/`Infinity`, leading zeros or '+', single quotes,
    /// invalid UTF-8, lone surrogate escapes, raw control characters in strings, a byte order
    /// mark, duplicate member names in one object, and nesting deeper than 512 levels.
    ///
    /// Reads contiguous collections (`[UInt8]`, `ArraySlice`, a native `String.UTF8View`,
    /// Foundation's `Data`) in place; anything else is copied into an array first.
    /// - Parameter bytes: UTF-8 encoded JSON text.
    /// - Returns: The value.
    /// - Throws: `JSONError` with the byte offset and what was expected and found.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let inPlace = bytes.withContiguousStorageIfAvailable(parseBuffer)
        return try (inPlace ?? Array(bytes).withUnsafeBufferPointer(parseBuffer)).get()
    }

    /// Parses one JSON text (RFC 8259), strictly; see `parse(_:)` for bytes.
    /// - Parameter text: JSON text.
    /// - Returns: The value.
    /// - Throws: `JSONError` with the byte offset (in the UTF-8 encoding) and what was expected and found.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8(parseBuffer).get()
    }

    /// Parses a buffer, returning the error as a value: `withContiguousStorageIfAvailable`
    /// and `withUTF8` rethrow untyped errors, so we carry the typed one through by hand.
    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONError> {
        var parser = JSONParser(bytes: buffer)
        do {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}
