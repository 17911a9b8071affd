import CCurl

/// Owns one libcurl easy handle and the multi handle that runs its transfers. The connection cache
/// lives in the multi handle, so reusing the pair across requests keeps connections alive.
///
/// Options stay set from one transfer to the next (no `curl_easy_reset`): the connection sets the
/// fixed ones once and overwrites the per-request ones every time.
/// Not `Sendable`: a handle must be used from one thread at a time.
final class CurlEasyHandle {
    private let raw: UnsafeMutableRawPointer
    /// Runs the transfers, as `curl_easy_perform` would with its internal one, minus its
    /// zero-timeout poll of a wake-up socket before every transfer (nothing here wakes a transfer).
    private let multi: UnsafeMutableRawPointer
    /// libcurl writes its detailed message here (`CURLOPT_ERRORBUFFER`); it must live as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The trust store the next transfer verifies against, named in certificate errors.
    var trustStoreDescription = "libcurl's default CA path"

    init() throws(HTTPError) {
        guard curlGlobalInitResult == CURLE_OK else {
            throw HTTPError(.transport(curlCode: Int32(curlGlobalInitResult.rawValue), message: "curl_global_init failed"))
        }
        guard let handle = curl_easy_init() else { throw HTTPError(.handleCreationFailed) }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(handle)
            throw HTTPError(.handleCreationFailed)
        }
        raw = handle
        self.multi = multi
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer, "ERRORBUFFER")
    }

    deinit {
        curl_easy_cleanup(raw)      // never attached to the multi handle outside perform()
        curl_multi_cleanup(multi)   // closes the cached connections
        errorBuffer.deallocate()
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
        errorBuffer[0] = 0
        let code = runTransfer()
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            if HTTPError.certificateFailures.contains(Int32(code.rawValue)) {
                throw HTTPError(.certificateRejected(curlCode: Int32(code.rawValue), message: detail.isEmpty ? curlMessage(code) : detail,
                                                     trustStore: trustStoreDescription))
            }
            throw HTTPError(.transport(curlCode: Int32(code.rawValue), message: detail.isEmpty ? curlMessage(code) : detail))
        }
    }

    /// `curl_easy_perform`'s loop on our multi handle: perform, then wait for the transfer's
    /// sockets (libcurl bounds the wait by its own timers, so the request's timeouts hold).
    private func runTransfer() -> CURLcode {
        let added = curl_multi_add_handle(multi, raw)
        guard added == CURLM_OK else { return multiFailure(added) }
        defer { curl_multi_remove_handle(multi, raw) }
        var running: Int32 = 1
        while running > 0 {
            let performed = curl_multi_perform(multi, &running)
            guard performed == CURLM_OK else { return multiFailure(performed) }
            guard running > 0 else { break }
            let waited = curl_multi_wait(multi, nil, 0, 1_000, nil)
            guard waited == CURLM_OK else { return multiFailure(waited) }
        }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            if message.pointee.msg == CURLMSG_DONE && message.pointee.easy_handle == raw {
                return message.pointee.data.result
            }
        }
        // libcurl queues a done message for every finished transfer; without one, trust nothing.
        note("curl multi: the transfer ended without a result")
        return CURLE_FAILED_INIT
    }

    /// A multi-interface failure (out of memory, a bad handle) as the easy code libcurl would give.
    private func multiFailure(_ code: CURLMcode) -> CURLcode {
        note("curl multi: " + (curl_multi_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"))
        return code == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT
    }

    /// Puts a message where libcurl puts its own (`CURLOPT_ERRORBUFFER`), NUL-terminated and cut to fit.
    private func note(_ message: String) {
        var length = 0
        for byte in message.utf8.prefix(Int(CURL_ERROR_SIZE) - 1) {
            errorBuffer[length] = CChar(bitPattern: byte)
            length += 1
        }
        errorBuffer[length] = 0
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
