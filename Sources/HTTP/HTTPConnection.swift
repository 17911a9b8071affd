import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A kept-alive HTTP/1.1 connection to one destination: libcurl opens it (TCP, TLS with the
/// certificate and host name verified, session resumption), and the exchanges go over it as
/// bytes, each request head written in one buffer and each response parsed as it arrives.
///
/// Keep one per destination (the Runtime API, DynamoDB, S3) for the life of the process: the
/// connection carries from one invocation to the next. Before a request on a connection idle for
/// a second or more, a zero-timeout `poll` checks that the peer has not closed it meanwhile (as
/// HTTP clients validate after inactivity); a new one is opened if it has. A request that a kept
/// connection answers with nothing at all (the peer closed it as the request went out) is sent
/// once more on a new connection, as libcurl does: that also covers a close within the second.
///
/// An exchange is one `send` (head and body together up to 64 KiB), a blocking `poll`, and the
/// reads of the answer (one per TLS record burst, see ``TrustStore``): no wake-up socket, no
/// read before the answer can be there, no second look at a socket `poll` reported ready.
/// Not `Sendable`: use it from one thread at a time.
public final class HTTPConnection {
    private let trustStore: TrustStore?
    /// TLS sessions and resolved names, kept from one connection's handle to the next.
    private let share: CurlShare
    /// The open connection: its origin (`scheme://authority`), socket, whether it is TLS, and when
    /// its last exchange ended (monotonic milliseconds).
    private var current: (origin: [UInt8], handle: CurlEasyHandle, socket: Int32, isTLS: Bool, lastUsed: Int)?
    /// How long a connection may idle before it is checked for a close by the peer.
    private let validateAfterIdleMilliseconds: Int
    /// The request bytes, reused from one request to the next.
    private var outgoing: [UInt8] = []
    /// Where reads land before the parser takes them; allocated once.
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private static let inlineBodyLimit = 64 * 1024

    /// Creates the connection (nothing is dialled until the first request).
    /// - Parameter trustStore: Where TLS finds the certificate authorities, from
    ///   ``TrustStoreLocation/resolve(sslCertFile:sslCertDir:exists:)``; `nil` leaves libcurl's default.
    /// - Throws: ``HTTPError`` when libcurl cannot create a handle or OpenSSL the trust store.
    public convenience init(trustStore: TrustStoreLocation?) throws(HTTPError) {
        try self.init(trustStore: trustStore, validateAfterIdleMilliseconds: 1_000)
    }

    /// - Parameter validateAfterIdleMilliseconds: After how long idle a kept connection is checked
    ///   before it carries a request (tests check every time with 0).
    init(trustStore: TrustStoreLocation?, validateAfterIdleMilliseconds: Int) throws(HTTPError) {
        self.validateAfterIdleMilliseconds = validateAfterIdleMilliseconds
        self.trustStore = try trustStore.map { location throws(HTTPError) in try TrustStore.shared(for: location) }
        share = try CurlShare()
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Sends a request and waits for the complete response.
    /// - Parameter request: What to send.
    /// - Returns: The response, whatever its status.
    /// - Throws: ``HTTPError`` when the request could not be made, timed out or broke mid-way.
    public func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let deadline = request.timeouts.totalMilliseconds.map { Deadline(milliseconds: $0) }
        outgoing.removeAll(keepingCapacity: true)
        let destination = try RequestHead.write(request, into: &outgoing)
        let bodyInline = request.body.count <= Self.inlineBodyLimit
        if bodyInline { outgoing.append(contentsOf: request.body) }

        var newConnections = 0
        while true {
            let reused = isAlive(for: destination)
            if !reused {
                try connect(destination, connectMilliseconds: request.timeouts.connectMilliseconds, deadline: deadline)
                newConnections += 1
            }
            var parser = HTTPResponseParser(bodyExpected: request.method != "HEAD")
            do throws(HTTPError) {
                try send(outgoing, deadline: deadline)
                if !bodyInline { try send(request.body, deadline: deadline) }
                try receive(into: &parser, deadline: deadline)
            } catch {
                closeCurrent()   // half an exchange: the connection's framing is lost
                if reused && parser.received == 0 && error.isConnectionFailure {
                    continue    // the peer closed the kept connection as the request went out
                }
                throw error
            }
            if parser.keepAlive {
                current?.lastUsed = monotonicMilliseconds()
            } else {
                closeCurrent()
            }
            return HTTPResponse(status: parser.status, headers: parser.headers, body: parser.body, newConnections: newConnections)
        }
    }

    /// Whether the open connection goes to the destination and is still open. After an idle
    /// second: a zero-timeout `poll`, and when it reports something, a one-byte peek. On TLS, bytes
    /// waiting there are records such as a session ticket, which do not mean the connection is gone.
    private func isAlive(for destination: RequestHead.Destination) -> Bool {
        guard let current, current.origin == destination.origin else { return false }
        if monotonicMilliseconds() - current.lastUsed < validateAfterIdleMilliseconds { return true }
        var descriptor = pollfd(fd: current.socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready == 0 { return true }
        guard ready > 0, descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) == 0 else { return false }
        var byte: UInt8 = 0
        let peeked = recv(current.socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if peeked < 0 { return errno == EAGAIN || errno == EWOULDBLOCK }
        return peeked > 0 && current.isTLS
    }

    /// Ends the open connection now, so the peer sees it end (a server holding a request that
    /// timed out here stops waiting for us): its handle is cleaned up, which closes it.
    private func closeCurrent() {
        current = nil
    }

    /// Opens a new connection to the destination's origin, on a new handle, closing the previous one.
    private func connect(_ destination: RequestHead.Destination, connectMilliseconds: Int, deadline: Deadline?) throws(HTTPError) {
        closeCurrent()
        var total = 0   // libcurl: no limit
        if let deadline {
            total = deadline.left
            guard total > 0 else { throw deadline.timedOut(received: 0) }
        }
        let handle = try CurlEasyHandle(share: share)
        try handle.set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")  // no SIGALRM for timeouts in a threaded process
        try handle.set(CURLOPT_TCP_NODELAY, 1, "TCP_NODELAY")
        // Lambda has no proxy, and the Runtime API is on loopback: never let *_proxy variables apply.
        try handle.set(CURLOPT_PROXY, string: "", "PROXY")
        if let trustStore {
            try trustStore.configure(handle)
        }
        try handle.set(CURLOPT_URL, string: String(decoding: destination.origin, as: UTF8.self) + "/", "URL")
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, connectMilliseconds, "CONNECTTIMEOUT_MS")
        try handle.set(CURLOPT_TIMEOUT_MS, total, "TIMEOUT_MS")
        let socket = try handle.connect()
        current = (destination.origin, handle, socket, destination.isTLS, monotonicMilliseconds())
    }

    private func send(_ bytes: [UInt8], deadline: Deadline?) throws(HTTPError) {
        guard let handle = current?.handle else { throw Self.noConnection }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { all in
                Result { () throws(HTTPError) in try handle.send(UnsafeRawBufferPointer(rebasing: all[offset...])) }
            }
            let count = try sent.get()
            if count == 0 {
                try wait(for: Int16(POLLOUT), deadline: deadline, received: 0)
            }
            offset += count
        }
    }

    private func receive(into parser: inout HTTPResponseParser, deadline: Deadline?) throws(HTTPError) {
        // The answer cannot be there the moment the request went out: wait before the first read.
        try wait(for: Int16(POLLIN), deadline: deadline, received: 0)
        guard let handle = current?.handle else { throw Self.noConnection }
        while !parser.isComplete {
            switch try handle.receive(into: readBuffer) {
            case .bytes(let count):
                try parser.consume(UnsafeBufferPointer(start: readBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), count: count))
            case .wouldBlock:
                try wait(for: Int16(POLLIN), deadline: deadline, received: parser.received)
            case .closed:
                try parser.finish()
            }
        }
    }

    /// Only reachable through a bug: an exchange without the connection it was started on.
    private static let noConnection = HTTPError(.transport(curlCode: 56, message: "no open connection for the exchange"))

    /// Blocks until the socket is ready for `events` or the deadline passes (no deadline: for ever,
    /// which is what the Runtime API's `/next` needs).
    private func wait(for events: Int16, deadline: Deadline?, received: Int) throws(HTTPError) {
        guard let current else { return }
        var descriptor = pollfd(fd: current.socket, events: events, revents: 0)
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline.left
                guard left > 0 else { throw deadline.timedOut(received: received) }
                timeout = Int32(min(left, Int(Int32.max)))
            }
            let ready = poll(&descriptor, 1, timeout)
            if ready > 0 { return }   // readable, writable, or an error the next read or write reports
            if ready < 0 && errno != EINTR {
                throw HTTPError(.transport(curlCode: 56, message: "poll failed: errno \(errno)"))
            }
        }
    }

}

/// When a request's total timeout runs out, on the monotonic clock.
private struct Deadline {
    let milliseconds: Int
    let end: Int

    init(milliseconds: Int) {
        self.milliseconds = milliseconds
        end = monotonicMilliseconds() + milliseconds
    }

    /// Milliseconds left; 0 or less when it has passed.
    var left: Int { end - monotonicMilliseconds() }

    /// libcurl's timeout error (28), worded as libcurl words it.
    func timedOut(received: Int) -> HTTPError {
        HTTPError(.transport(curlCode: 28, message: "Operation timed out after \(milliseconds) milliseconds with \(received) bytes received"))
    }
}

@available(*, unavailable)
extension HTTPConnection: Sendable {}

/// `CLOCK_MONOTONIC` in milliseconds (the vDSO answers it: no system call).
private func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1_000 + now.tv_nsec / 1_000_000
}
