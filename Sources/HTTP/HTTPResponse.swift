/// A complete response. Every status comes back as a response; only transport failures throw.
public struct HTTPResponse: Sendable {
    /// The final status code (interim `100 Continue` responses are skipped).
    public var status: Int
    /// Header fields of the final response, names lower-cased, in arrival order.
    public var headers: [HTTPHeader]
    /// The body bytes.
    public var body: [UInt8]
    /// How many new connections libcurl opened for this request (0 when a kept-alive one was reused).
    public var newConnections: Int

    /// Creates a response (used by tests and by the connection).
    public init(status: Int, headers: [HTTPHeader], body: [UInt8], newConnections: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.newConnections = newConnections
    }

    /// The value of a response header.
    /// - Parameter name: The header name, any case.
    /// - Returns: The first value, or `nil` when absent.
    public func header(_ name: String) -> String? {
        headers.value(for: name)
    }

    /// The body decoded as UTF-8 (invalid sequences replaced), for messages and logs.
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
