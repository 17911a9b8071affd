/// One HTTP header field as sent or received.
///
/// Received headers carry lower-cased names (libcurl hands them over as written by the server; we
/// normalise once so every look-up can use lower-case constants).
public struct HTTPHeader: Sendable, Equatable {
    /// The field name, e.g. `content-type`.
    public var name: String
    /// The field value with surrounding whitespace removed.
    public var value: String

    /// Creates a header field.
    /// - Parameters:
    ///   - name: The field name.
    ///   - value: The field value.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first header whose name matches, ignoring case.
    /// - Parameter name: The header name to look up.
    /// - Returns: The value, or `nil` when no such header is present.
    public func value(for name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
