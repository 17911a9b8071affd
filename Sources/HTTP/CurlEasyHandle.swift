import CCurl

/// Owns one libcurl easy handle. libcurl keeps the connection cache in the handle, so reusing
/// it across requests keeps connections alive (`curl_easy_reset` clears options, not connections).
///
/// Not `Sendable`: a handle must be used from one thread at a time.
final class CurlEasyHandle {
    private let raw: UnsafeMutableRawPointer
    /// libcurl writes its detailed message here (`CURLOPT_ERRORBUFFER`); it must live as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The trust store the next transfer verifies against, named in certificate errors.
    var trustStoreDescription = "libcurl's default CA path"

    init() throws(HTTPError) {
        guard curlGlobalInitResult == CURLE_OK else {
            throw HTTPError(.transport(curlCode: Int32(curlGlobalInitResult.rawValue), message: "curl_global_init failed"))
        }
        guard let handle = curl_easy_init() else { throw HTTPError(.handleCreationFailed) }
        raw = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Clears every option (connections and caches stay) and sets the error buffer again.
    func reset() throws(HTTPError) {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer, "ERRORBUFFER")
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

    func set(_ option: CURLoption, offset value: Int64, _ name: String) throws(HTTPError) {
        try check(op_curl_easy_setopt_offset(raw, option, curl_off_t(value)), name)
    }

    func set(_ option: CURLoption, callback: curl_ssl_ctx_callback, _ name: String) throws(HTTPError) {
        try check(op_curl_easy_setopt_ssl_ctx_callback(raw, option, callback), name)
    }

    func set(_ option: CURLoption, callback: curl_write_callback, _ name: String) throws(HTTPError) {
        try check(op_curl_easy_setopt_write_callback(raw, option, callback), name)
    }

    /// Runs the transfer; throws only when libcurl could not complete it.
    func perform() throws(HTTPError) {
        let code = curl_easy_perform(raw)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            if HTTPError.certificateFailures.contains(Int32(code.rawValue)) {
                throw HTTPError(.certificateRejected(curlCode: Int32(code.rawValue), message: detail.isEmpty ? curlMessage(code) : detail,
                                                     trustStore: trustStoreDescription))
            }
            throw HTTPError(.transport(curlCode: Int32(code.rawValue), message: detail.isEmpty ? curlMessage(code) : detail))
        }
    }

    func info(_ info: CURLINFO) -> Int {
        var value = 0
        guard op_curl_easy_getinfo_long(raw, info, &value) == CURLE_OK else { return 0 }
        return value
    }

    private func check(_ code: CURLcode, _ name: String) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw HTTPError(.optionRejected(option: name, curlCode: Int32(code.rawValue), message: curlMessage(code)))
        }
    }
}

@available(*, unavailable)
extension CurlEasyHandle: Sendable {}
