import CCurl

/// Owns one libcurl easy handle used in `CURLOPT_CONNECT_ONLY` mode, for one connection: libcurl
/// resolves, connects, does the TLS handshake and verifies the certificate and host name
/// (``connect()``); the HTTP/1.1 exchanges then go over that connection as bytes (``send(_:)``,
/// ``receive(into:)``), framed and parsed by ``HTTPConnection``. Cleaning the handle up closes
/// the connection, so a new connection gets a new handle (libcurl never reuses a connect-only
/// connection, and keeps the old one open as long as its handle lives); TLS sessions and resolved
/// names carry over through a ``CurlShare``.
///
/// Why not `curl_easy_perform` per request: for the few small requests of an invocation, libcurl's
/// per-transfer work (URL parsing, the connection cache, the request head through its printf
/// engine, a `sscanf` and dozens of name comparisons per response header) was the largest part of
/// the function's user-space CPU per order (docs/benchmarks.md).
/// Not `Sendable`: a handle must be used from one thread at a time.
final class CurlEasyHandle {
    private let raw: UnsafeMutableRawPointer
    /// libcurl writes its detailed message here (`CURLOPT_ERRORBUFFER`); it must live as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The trust store the next connection verifies against, named in certificate errors.
    var trustStoreDescription = "libcurl's default CA path"

    /// The share the handle is attached to; it must outlive the handle.
    private let share: CurlShare

    init(share: CurlShare) throws(HTTPError) {
        guard curlGlobalInitResult == CURLE_OK else {
            throw HTTPError(.transport(curlCode: Int32(curlGlobalInitResult.rawValue), message: "curl_global_init failed"))
        }
        guard let handle = curl_easy_init() else { throw HTTPError(.handleCreationFailed) }
        raw = handle
        self.share = share
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer, "ERRORBUFFER")
        try set(CURLOPT_CONNECT_ONLY, 1, "CONNECT_ONLY")
        try set(CURLOPT_SHARE, pointer: share.raw, "SHARE")
    }

    deinit {
        curl_easy_cleanup(raw)   // closes the connection
        errorBuffer.deallocate()
        withExtendedLifetime(share) {}
    }

    func set(_ option: CURLoption, _ value: Int, _ name: String) throws(HTTPError) {
        try check(op_curl_easy_setopt_long(raw, option, value), name)
    }

    func set(_ option: CURLoption, string value: String, _ name: String) throws(HTTPError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go away after.
        let code = value.withCString { op_curl_easy_setopt_pointer(raw, option, $0) }
        try check(code, name)
    }

    func set(_ option: CURLoption, pointer value: UnsafeRawPointer?, _ name: String) throws(HTTPError) {
        try check(op_curl_easy_setopt_pointer(raw, option, value), name)
    }

    func set(_ option: CURLoption, callback: curl_ssl_ctx_callback, _ name: String) throws(HTTPError) {
        try check(op_curl_easy_setopt_ssl_ctx_callback(raw, option, callback), name)
    }

    /// Opens a new connection to the URL set in `CURLOPT_URL` (TCP, then TLS for `https`, with the
    /// certificate and host name verified) and returns its socket, non-blocking, for `poll`.
    func connect() throws(HTTPError) -> Int32 {
        errorBuffer[0] = 0
        let code = curl_easy_perform(raw)
        guard code == CURLE_OK else { throw failure(code) }
        var socket: curl_socket_t = CURL_SOCKET_BAD
        guard op_curl_easy_getinfo_socket(raw, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket != CURL_SOCKET_BAD else {
            throw HTTPError(.transport(curlCode: Int32(CURLE_COULDNT_CONNECT.rawValue), message: "libcurl gave no socket for the new connection"))
        }
        return socket
    }

    /// Sends what it can of `bytes` (through TLS when the connection has it) without blocking.
    /// - Returns: How many bytes went out; 0 when the socket cannot take any now (poll for `POLLOUT`).
    func send(_ bytes: UnsafeRawBufferPointer) throws(HTTPError) -> Int {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        var sent = 0
        errorBuffer[0] = 0
        let code = curl_easy_send(raw, base, bytes.count, &sent)
        if code == CURLE_AGAIN { return 0 }
        guard code == CURLE_OK else { throw failure(code) }
        return sent
    }

    /// What a non-blocking read gave.
    enum Received {
        /// This many bytes were read.
        case bytes(Int)
        /// Nothing is there yet: poll for `POLLIN`.
        case wouldBlock
        /// The peer closed the connection (or ended TLS).
        case closed
    }

    /// Reads what is there, at most `buffer.count` bytes, without blocking.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTPError) -> Received {
        guard let base = buffer.baseAddress else { return .wouldBlock }
        var count = 0
        errorBuffer[0] = 0
        let code = curl_easy_recv(raw, base, buffer.count, &count)
        if code == CURLE_AGAIN { return .wouldBlock }
        guard code == CURLE_OK else { throw failure(code) }
        return count == 0 ? .closed : .bytes(count)
    }

    /// The error for a libcurl code: a certificate problem, or a transport failure with libcurl's
    /// detailed message when it left one.
    private func failure(_ code: CURLcode) -> HTTPError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? curlMessage(code) : detail
        if HTTPError.certificateFailures.contains(Int32(code.rawValue)) {
            return HTTPError(.certificateRejected(curlCode: Int32(code.rawValue), message: message, trustStore: trustStoreDescription))
        }
        return HTTPError(.transport(curlCode: Int32(code.rawValue), message: message))
    }

    private func check(_ code: CURLcode, _ name: String) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw HTTPError(.optionRejected(option: name, curlCode: Int32(code.rawValue), message: curlMessage(code)))
        }
    }
}

@available(*, unavailable)
extension CurlEasyHandle: Sendable {}

/// A libcurl share handle that carries TLS sessions and resolved names from one connection's
/// handle to the next, so a reconnect resumes its TLS session. Used by one ``HTTPConnection``,
/// from one thread at a time, so it needs no lock callbacks.
final class CurlShare {
    fileprivate let raw: UnsafeMutableRawPointer

    init() throws(HTTPError) {
        guard let share = curl_share_init() else { throw HTTPError(.handleCreationFailed) }
        raw = share
        for (data, name) in [(CURL_LOCK_DATA_SSL_SESSION, "SSL_SESSION"), (CURL_LOCK_DATA_DNS, "DNS")] {
            let code = op_curl_share_setopt_lock_data(share, CURLSHOPT_SHARE, data)
            guard code == CURLSHE_OK else {
                curl_share_cleanup(share)
                let message = curl_share_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
                throw HTTPError(.optionRejected(option: "CURLSHOPT_SHARE " + name, curlCode: Int32(code.rawValue), message: message))
            }
        }
    }

    deinit {
        curl_share_cleanup(raw)   // every handle that used it is gone: they keep it alive
    }
}

@available(*, unavailable)
extension CurlShare: Sendable {}
