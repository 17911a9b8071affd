import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Owns one libcurl easy handle and the multi handle that runs its transfers. The connection cache
/// lives in the multi handle, so reusing the pair across requests keeps connections alive.
///
/// Options stay set from one transfer to the next (no `curl_easy_reset`): the connection sets the
/// fixed ones once and overwrites the per-request ones every time.
/// Not `Sendable`: a handle must be used from one thread at a time.
final class CurlEasyHandle {
    private let raw: UnsafeMutableRawPointer
    /// Runs the transfers through libcurl's event interface (`curl_multi_socket_action`), see
    /// ``runTransfer()``.
    private let multi: UnsafeMutableRawPointer
    /// The sockets and the timer libcurl asked us to watch; its callbacks' userdata.
    private let events = TransferEvents()
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
        let userdata = Unmanaged.passUnretained(events).toOpaque()   // lives as long as the multi handle
        for (code, name) in [
            (op_curl_multi_setopt_socket_callback(multi, watchSocket), "SOCKETFUNCTION"),
            (op_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, userdata), "SOCKETDATA"),
            (op_curl_multi_setopt_timer_callback(multi, setTimer), "TIMERFUNCTION"),
            (op_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, userdata), "TIMERDATA"),
        ] where code != CURLM_OK {
            throw HTTPError(.optionRejected(option: name, curlCode: Int32(code.rawValue), message: multiMessage(code)))
        }
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

    /// Runs one transfer on the multi handle with libcurl's event interface: we `poll` the sockets
    /// libcurl names (socket callback) for as long as its timer allows (timer callback), and tell
    /// it which socket is ready (`curl_multi_socket_action`). `curl_easy_perform` instead polls a
    /// wake-up socket before every transfer and libcurl then polls the ready socket once more to
    /// learn what `poll` already said: two system calls per exchange that this saves. The
    /// request's timeouts are libcurl's timers, so they hold as before.
    private func runTransfer() -> CURLcode {
        let added = curl_multi_add_handle(multi, raw)   // sets a timer that expires at once
        guard added == CURLM_OK else { return multiFailure(added) }
        defer { curl_multi_remove_handle(multi, raw) }
        var running: Int32 = 1
        var acted = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        while acted == CURLM_OK && running > 0 {
            // Never block longer than a second, as curl_easy_perform does: a timer libcurl forgot
            // to announce cannot stall the transfer.
            let timeout = events.deadline.map { max(0, min($0 - monotonicMilliseconds(), 1_000)) } ?? 1_000
            let ready = events.sockets.withUnsafeMutableBufferPointer { fds in
                poll(fds.baseAddress, nfds_t(fds.count), Int32(timeout))
            }
            if ready < 0 {
                if errno == EINTR { continue }
                note("poll failed: errno \(errno)")
                return CURLE_RECV_ERROR
            }
            if ready == 0 {
                acted = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
                continue
            }
            // The callbacks may change the list while libcurl acts: take the ready ones first.
            for fd in events.sockets where fd.revents != 0 {
                var mask: Int32 = 0
                if fd.revents & Int16(POLLIN | POLLHUP) != 0 { mask |= CURL_CSELECT_IN }
                if fd.revents & Int16(POLLOUT) != 0 { mask |= CURL_CSELECT_OUT }
                if fd.revents & Int16(POLLERR | POLLNVAL) != 0 { mask |= CURL_CSELECT_ERR }
                acted = curl_multi_socket_action(multi, fd.fd, mask, &running)
                if acted != CURLM_OK || running == 0 { break }
            }
        }
        guard acted == CURLM_OK else { return multiFailure(acted) }
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
        note("curl multi: " + multiMessage(code))
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

private func multiMessage(_ code: CURLMcode) -> String {
    curl_multi_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
}

/// What libcurl wants watched during a transfer: its sockets with the events of interest, and
/// when to call it back without an event (on the monotonic clock; `nil`: no timer). Owned by one
/// ``CurlEasyHandle``.
private final class TransferEvents {
    var sockets: [pollfd] = []
    var deadline: Int?
}

/// `CLOCK_MONOTONIC` in milliseconds (the vDSO answers it: no system call).
private func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1_000 + now.tv_nsec / 1_000_000
}

/// libcurl's socket callback: start, change or stop watching a socket.
private let watchSocket: curl_socket_callback = { _, socket, what, userdata, _ in
    guard let userdata else { return -1 }
    let events = Unmanaged<TransferEvents>.fromOpaque(userdata).takeUnretainedValue()
    let index = events.sockets.firstIndex { $0.fd == socket }
    var interest: Int16 = 0
    switch what {
    case CURL_POLL_IN: interest = Int16(POLLIN)
    case CURL_POLL_OUT: interest = Int16(POLLOUT)
    case CURL_POLL_INOUT: interest = Int16(POLLIN | POLLOUT)
    default:   // CURL_POLL_REMOVE
        if let index { events.sockets.remove(at: index) }
        return 0
    }
    if let index {
        events.sockets[index].events = interest
    } else {
        events.sockets.append(pollfd(fd: socket, events: interest, revents: 0))
    }
    return 0
}

/// libcurl's timer callback: when to call `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)`.
private let setTimer: curl_multi_timer_callback = { _, timeoutMilliseconds, userdata in
    guard let userdata else { return -1 }
    // The timeout counts from now; keep it as a deadline, since socket events may come before it.
    Unmanaged<TransferEvents>.fromOpaque(userdata).takeUnretainedValue().deadline =
        timeoutMilliseconds < 0 ? nil : monotonicMilliseconds() + timeoutMilliseconds
    return 0
}
