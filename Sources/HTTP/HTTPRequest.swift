/// A request for ``HTTPConnection/perform(_:)``.
public struct HTTPRequest: Sendable {
    /// The method, e.g. `GET`, `POST`, `PUT`, `DELETE`.
    public var method: String
    /// The full URL. The path must already be percent-encoded exactly as it is to be sent:
    /// the SigV4 signature of S3 requests covers these bytes, so nothing below re-encodes them.
    public var url: String
    /// Header fields to send, in order. The connection adds `Host` and `Content-Length` unless given here.
    public var headers: [HTTPHeader]
    /// The body; empty for none.
    public var body: [UInt8]
    /// How long to wait for the connection and for the whole exchange.
    public var timeouts: HTTPTimeouts

    /// Creates a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - url: The full, already encoded URL.
    ///   - headers: Header fields to send.
    ///   - body: The body bytes.
    ///   - timeouts: Connect and total timeouts.
    public init(method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [], timeouts: HTTPTimeouts) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }
}

/// Connect and total timeouts of one request, in milliseconds.
public struct HTTPTimeouts: Sendable, Equatable {
    /// Time allowed to establish a new connection (a reused connection needs none).
    public var connectMilliseconds: Int
    /// Time allowed for the whole request and response; `nil` waits for ever, which is what the
    /// Runtime API's `/next` needs: Lambda freezes the sandbox between invocations.
    public var totalMilliseconds: Int?

    /// Creates timeouts.
    /// - Parameters:
    ///   - connectMilliseconds: Connect timeout.
    ///   - totalMilliseconds: Total timeout, or `nil` for none.
    public init(connectMilliseconds: Int, totalMilliseconds: Int?) {
        self.connectMilliseconds = connectMilliseconds
        self.totalMilliseconds = totalMilliseconds
    }
}
