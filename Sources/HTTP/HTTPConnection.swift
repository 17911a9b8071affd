import CCurl

/// A kept-alive HTTP/1.1 connection to one destination, on one libcurl easy handle.
///
/// Keep one per destination (the Runtime API, DynamoDB, S3) for the life of the process: the
/// handle's connection cache carries the TCP (and TLS) connection from one invocation to the next,
/// and libcurl reconnects transparently when the peer closed it meanwhile.
/// Not `Sendable`: use it from one thread at a time.
public final class HTTPConnection {
    private let handle: CurlEasyHandle
    private let sink = ResponseSink()
    private let trustStore: TrustStore?

    /// Creates the connection (nothing is dialled until the first request).
    /// - Parameter trustStore: Where TLS finds the certificate authorities, from
    ///   ``TrustStoreLocation/resolve(sslCertFile:sslCertDir:exists:)``; `nil` leaves libcurl's default.
    /// - Throws: ``HTTPError`` when libcurl cannot create a handle or OpenSSL the trust store.
    public init(trustStore: TrustStoreLocation?) throws(HTTPError) {
        self.handle = try CurlEasyHandle()
        self.trustStore = try trustStore.map { location throws(HTTPError) in try TrustStore.shared(for: location) }
    }

    /// Sends a request and waits for the complete response.
    /// - Parameter request: What to send.
    /// - Returns: The response, whatever its status.
    /// - Throws: ``HTTPError`` when the request could not be made, timed out or broke mid-way.
    public func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        sink.reset()
        try handle.reset()
        try configure(for: request)

        var lines = request.headers.map { "\($0.name): \($0.value)" }
        // No 100-continue round trip, and no chunked uploads: bodies are small and sized.
        lines.append("Expect:")
        lines.append("Transfer-Encoding:")
        let headerList = CurlHeaderList(lines)
        try handle.set(CURLOPT_HTTPHEADER, pointer: headerList.pointer, "HTTPHEADER")

        let userdata = Unmanaged.passUnretained(sink).toOpaque()
        try handle.set(CURLOPT_WRITEFUNCTION, callback: responseBodyCallback, "WRITEFUNCTION")
        try handle.set(CURLOPT_WRITEDATA, pointer: userdata, "WRITEDATA")
        try handle.set(CURLOPT_HEADERFUNCTION, callback: responseHeaderCallback, "HEADERFUNCTION")
        try handle.set(CURLOPT_HEADERDATA, pointer: userdata, "HEADERDATA")

        // libcurl reads the body straight from our buffer during perform (POSTFIELDS does not copy).
        let outcome = request.body.withUnsafeBytes { body in
            Result { () throws(HTTPError) in
                try setMethod(request.method, body: body)
                try handle.perform()
            }
        }
        withExtendedLifetime(headerList) {}
        try outcome.get()

        return HTTPResponse(
            status: handle.info(CURLINFO_RESPONSE_CODE),
            headers: sink.headers,
            body: sink.body,
            newConnections: handle.info(CURLINFO_NUM_CONNECTS)
        )
    }

    private func configure(for request: HTTPRequest) throws(HTTPError) {
        try handle.set(CURLOPT_URL, string: request.url, "URL")
        try handle.set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")  // no SIGALRM for timeouts in a threaded process
        try handle.set(CURLOPT_TCP_NODELAY, 1, "TCP_NODELAY")
        try handle.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1), "HTTP_VERSION")
        // Lambda has no proxy, and the Runtime API is on loopback: never let *_proxy variables apply.
        try handle.set(CURLOPT_PROXY, string: "", "PROXY")
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, request.timeouts.connectMilliseconds, "CONNECTTIMEOUT_MS")
        try handle.set(CURLOPT_TIMEOUT_MS, request.timeouts.totalMilliseconds ?? 0, "TIMEOUT_MS")
        if let trustStore {
            try trustStore.configure(handle)
        }
    }

    private func setMethod(_ method: String, body: UnsafeRawBufferPointer) throws(HTTPError) {
        switch method {
        case "GET" where body.isEmpty:
            try handle.set(CURLOPT_HTTPGET, 1, "HTTPGET")
        case "HEAD":
            try handle.set(CURLOPT_NOBODY, 1, "NOBODY")
        default:
            if method != "POST" {
                try handle.set(CURLOPT_CUSTOMREQUEST, string: method, "CUSTOMREQUEST")
            }
            if method == "POST" || method == "PUT" || !body.isEmpty {
                // POSTFIELDS sends the buffer as the body under whatever method CUSTOMREQUEST names.
                try handle.set(CURLOPT_POST, 1, "POST")
                try handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count), "POSTFIELDSIZE_LARGE")
                try handle.set(CURLOPT_POSTFIELDS, pointer: body.baseAddress ?? UnsafeRawPointer(bitPattern: 1), "POSTFIELDS")
            }
        }
    }
}

@available(*, unavailable)
extension HTTPConnection: Sendable {}
