import HTTP

/// One AWS API call before signing.
public struct AWSRequest: Sendable {
    /// The service.
    public var service: AWSService
    /// The API operation, for errors and logs (e.g. `PutItem`).
    public var operation: String
    /// The HTTP method.
    public var method: String
    /// Where it goes (the bucket's virtual host for S3 on AWS).
    public var endpoint: ServiceEndpoint
    /// The path, already percent-encoded exactly as it is to be sent and signed.
    public var path: String
    /// The raw query string without `?`, or empty.
    public var query: String
    /// Headers to send and sign (besides `Host` and the signature headers, which are added).
    public var headers: [HTTPHeader]
    /// The body.
    public var body: [UInt8]

    /// Creates a request.
    public init(service: AWSService, operation: String, method: String, endpoint: ServiceEndpoint, path: String,
                query: String = "", headers: [HTTPHeader], body: [UInt8]) {
        self.service = service
        self.operation = operation
        self.method = method
        self.endpoint = endpoint
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The full URL handed to libcurl: origin, the encoded path as is, and the query.
    public var url: String {
        endpoint.origin + path + (query.isEmpty ? "" : "?" + query)
    }
}
