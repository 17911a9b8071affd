import Foundation
import HTTP
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1, run inside the test process: an accept thread and a
/// thread per connection, POSIX sockets, no dependencies. Each request gets the reply its test's
/// closure gives; the server records what it received and how many connections it accepted.
final class LoopbackServer: Sendable {
    /// A request as the server parsed it.
    struct Request: Sendable {
        let method: String
        let target: String
        /// Header fields as sent (names as the client wrote them).
        let headers: [HTTPHeader]
        let body: [UInt8]
        /// Which accepted connection (1, 2, …) carried it.
        let connection: Int

        func header(_ name: String) -> String? { headers.value(for: name) }
    }

    /// What the server does with one request.
    enum Reply: Sendable {
        /// A complete response; `close` closes the connection after it (without saying so unless a
        /// `Connection: close` header is among `headers`).
        case respond(status: Int, headers: [String] = [], body: [UInt8] = [], close: Bool = false)
        /// These exact bytes (a whole response, written by hand), and the connection stays open.
        case raw([UInt8])
        /// These exact bytes, then a reset (RST: SO_LINGER 0) instead of the rest.
        case resetAfter([UInt8])
        /// Close the connection without a byte of answer.
        case closeSilently
        /// Send nothing until the client gives up (bounded at 5 s), then close.
        case hold

        static func text(_ status: Int, _ body: String, headers: [String] = [], close: Bool = false) -> Reply {
            .respond(status: status, headers: headers, body: Array(body.utf8), close: close)
        }
    }

    private struct State {
        var requests: [Request] = []
        var connectionsAccepted = 0
        var openConnections: Set<Int32> = []
        var stopped = false
    }

    let port: Int
    private let listener: Int32
    private let state = Mutex(State())
    private let respond: @Sendable (Request) -> Reply

    /// Starts listening on a free port.
    /// - Parameter respond: Answers each request (called on the connection's thread).
    init(_ respond: @escaping @Sendable (Request) -> Reply) throws {
        let (listener, port) = try Self.listen(backlog: 16)
        self.listener = listener
        self.port = port
        self.respond = respond
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        stop()
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    func url(_ path: String = "/") -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    var requests: [Request] { state.withLock { $0.requests } }
    var connectionsAccepted: Int { state.withLock { $0.connectionsAccepted } }
    var openConnectionCount: Int { state.withLock { $0.openConnections.count } }

    /// Closes the listener and every open connection; the threads end.
    func stop() {
        let open: Set<Int32>? = state.withLock { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            return state.openConnections
        }
        guard let open else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// A listening socket on 127.0.0.1 with a kernel-chosen port.
    static func listen(backlog: Int32) throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && Glibc.listen(descriptor, backlog) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ServerError("bind/listen: errno \(errno)")
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return  // the listener was shut down
            }
            let number: Int? = state.withLock { state in
                guard !state.stopped else { return nil }
                state.connectionsAccepted += 1
                state.openConnections.insert(connection)
                return state.connectionsAccepted
            }
            guard let number else {
                close(connection)
                return
            }
            let thread = Thread { [self] in serve(connection, number: number) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32, number: Int) {
        var buffer: [UInt8] = []
        var reset = false
        defer {
            if reset {
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            }
            state.withLock { state in
                close(connection)
                state.openConnections.remove(connection)
            }
        }
        while let request = Self.readRequest(connection, &buffer, number: number) {
            state.withLock { $0.requests.append(request) }
            switch respond(request) {
            case .respond(let status, let headers, let body, let closeAfter):
                var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
                for line in headers { head += line + "\r\n" }
                if !headers.contains(where: { $0.lowercased().hasPrefix("content-length:") }) {
                    head += "Content-Length: \(body.count)\r\n"
                }
                head += "\r\n"
                guard Self.write(connection, Array(head.utf8) + (request.method == "HEAD" ? [] : body)), !closeAfter else { return }
            case .raw(let bytes):
                guard Self.write(connection, bytes) else { return }
            case .resetAfter(let bytes):
                _ = Self.write(connection, bytes)
                reset = true
                return
            case .closeSilently:
                return
            case .hold:
                // Wait for the client to give up (its timeout) and close; bounded.
                var descriptor = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, 5_000)
                return
            }
        }
    }

    /// Reads one request (head and Content-Length body); `nil` at end of stream.
    private static func readRequest(_ connection: Int32, _ buffer: inout [UInt8], number: Int) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == separator }) {
                headEnd = end
                break
            }
            guard receive(connection, into: &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        let headers = lines.dropFirst().compactMap { line -> HTTPHeader? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return HTTPHeader(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.value(for: "Content-Length") ?? "0") ?? 0
        let bodyStart = headEnd + 4
        while buffer.count < bodyStart + length {
            guard receive(connection, into: &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body, connection: number)
    }

    private static func receive(_ connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }

    private static func write(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        [100: "Continue", 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 404: "Not Found",
         500: "Internal Server Error", 503: "Service Unavailable"][status] ?? "Status"
    }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
