import HTTP

/// What SigV4 needs to know about an HTTP request, exactly as it will go on the wire.
public struct SignableRequest: Sendable {
    /// The HTTP method, e.g. `GET`, `PUT`, `POST`.
    public var method: String
    /// The exact wire path, already percent-encoded as it will be sent, e.g. `/bucket/raw/events/a%20b.json`.
    /// An empty path is signed as `/`.
    public var path: String
    /// The raw wire query without the `?`, e.g. `list-type=2&prefix=a`; empty when there is none.
    public var query: String
    /// The headers that will be sent, in order, names in any case. Must include `Host` (with
    /// `:port` when the endpoint's port is not the scheme's default), since it is always signed.
    public var headers: [HTTPHeader]
    /// The lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadSHA256: String

    /// Creates a request description.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The percent-encoded wire path.
    ///   - query: The raw wire query without `?`, or empty.
    ///   - headers: The headers that will be sent, including `Host`.
    ///   - payloadSHA256: The lowercase hex SHA-256 of the body (``SigV4/emptyPayloadSHA256`` for none),
    ///     or ``SigV4/unsignedPayload``.
    public init(method: String, path: String, query: String = "", headers: [HTTPHeader], payloadSHA256: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadSHA256 = payloadSHA256
    }
}
