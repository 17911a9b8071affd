import Foundation
import Synchronization
@testable import HTTP
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The libcurl layer against a loopback server in the test process: what goes on the wire, what
/// comes back, and how failures are classified. Every wait is bounded by a short client timeout.
@Suite("HTTPConnection")
struct HTTPConnectionTests {
    static let quick = HTTPTimeouts(connectMilliseconds: 2_000, totalMilliseconds: 10_000)

    static func request(_ method: String, _ url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
                        timeouts: HTTPTimeouts = quick) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: headers, body: body, timeouts: timeouts)
    }

    @Test("a GET returns the status and body, and sends the method and target as given")
    func get() throws {
        let server = try LoopbackServer { _ in .text(201, "hello") }
        let connection = try HTTPConnection(trustStore: nil)
        let response = try connection.perform(Self.request("GET", server.url("/orders/a%2Fb?x=1")))
        #expect(response.status == 201)
        #expect(response.bodyText == "hello")
        #expect(response.newConnections == 1)
        let seen = try #require(server.requests.first)
        #expect(seen.method == "GET")
        #expect(seen.target == "/orders/a%2Fb?x=1", "the path is sent exactly as encoded")
        #expect(seen.body.isEmpty)
        #expect(seen.header("host") == "127.0.0.1:\(server.port)")
    }

    @Test("every status comes back as a response, never as an error", arguments: [204, 301, 400, 404, 413, 500, 503])
    func statuses(_ status: Int) throws {
        let server = try LoopbackServer { _ in status == 204 ? .respond(status: 204) : .text(status, "status \(status)") }
        let response = try HTTPConnection(trustStore: nil).perform(Self.request("GET", server.url()))
        #expect(response.status == status)
        #expect(response.bodyText == (status == 204 ? "" : "status \(status)"), "a redirect is not followed either")
    }

    @Test("received header names are lower-cased, values trimmed, folded lines joined, order and repeats kept")
    func receivedHeaders() throws {
        let server = try LoopbackServer { _ in
            .text(200, "{}", headers: [
                "Content-Type: application/json", "X-Amz-Request-Id:   ABC123  \t", "X-Folded: first\r\n  second\r\n\tthird",
                "Set-Cookie: a=1", "set-cookie: b=2", "X-Empty:", "X-Colon: a:b: c",
            ])
        }
        let response = try HTTPConnection(trustStore: nil).perform(Self.request("GET", server.url()))
        let mine = response.headers.filter { $0.name != "content-length" }
        #expect(mine == [
            HTTPHeader("content-type", "application/json"), HTTPHeader("x-amz-request-id", "ABC123"),
            HTTPHeader("x-folded", "first second third"), HTTPHeader("set-cookie", "a=1"), HTTPHeader("set-cookie", "b=2"),
            HTTPHeader("x-empty", ""), HTTPHeader("x-colon", "a:b: c"),
        ])
        #expect(response.header("X-AMZ-REQUEST-ID") == "ABC123")
        #expect(response.header("Set-Cookie") == "a=1", "the first of repeated fields")
        #expect(response.header("x-missing") == nil)
    }

    @Test("an interim 100 Continue is skipped: the headers are the final response's")
    func interimResponse() throws {
        let server = try LoopbackServer { _ in
            .raw(Array("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 200 OK\r\nX-Final: 2\r\nContent-Length: 2\r\n\r\nok".utf8))
        }
        let response = try HTTPConnection(trustStore: nil).perform(Self.request("GET", server.url()))
        #expect(response.status == 200)
        #expect(response.headers == [HTTPHeader("x-final", "2"), HTTPHeader("content-length", "2")])
        #expect(response.bodyText == "ok")
    }

    @Test("request headers go out as given, with no Expect and no chunked upload")
    func sentHeaders() throws {
        let server = try LoopbackServer { _ in .text(200, "") }
        let body = Array(#"{"TableName":"orders"}"#.utf8)
        _ = try HTTPConnection(trustStore: nil).perform(Self.request(
            "POST", server.url("/"), headers: [HTTPHeader("Content-Type", "application/x-amz-json-1.0"),
                                               HTTPHeader("X-Amz-Target", "DynamoDB_20120810.PutItem")], body: body))
        let seen = try #require(server.requests.first)
        #expect(seen.header("content-type") == "application/x-amz-json-1.0")
        #expect(seen.header("x-amz-target") == "DynamoDB_20120810.PutItem")
        #expect(seen.header("content-length") == String(body.count))
        #expect(seen.header("expect") == nil)
        #expect(seen.header("transfer-encoding") == nil)
        #expect(seen.body == body)
    }

    @Test("each method sends its body (or none) and gets the response body (none for HEAD)", arguments: [
        ("GET", ""), ("POST", "posted"), ("PUT", "put body"), ("DELETE", ""), ("DELETE", "with a body"), ("PATCH", "p"),
        ("HEAD", ""), ("POST", ""), ("PUT", ""),
    ])
    func methods(_ method: String, _ body: String) throws {
        let server = try LoopbackServer { request in .text(200, "echo:" + String(decoding: request.body, as: UTF8.self)) }
        let response = try HTTPConnection(trustStore: nil).perform(Self.request(method, server.url("/m"), body: Array(body.utf8)))
        let seen = try #require(server.requests.first)
        #expect(seen.method == method)
        #expect(seen.body == Array(body.utf8))
        #expect(response.status == 200)
        #expect(response.bodyText == (method == "HEAD" ? "" : "echo:" + body))
        if method == "HEAD" { #expect(response.header("content-length") == String(5 + body.count)) }
    }

    @Test("one connection sends each request with its own method, body and headers: nothing carries over from the one before")
    func optionsDoNotCarryOver() throws {
        let server = try LoopbackServer { request in .text(200, "echo:" + String(decoding: request.body, as: UTF8.self)) }
        let connection = try HTTPConnection(trustStore: nil)
        let sequence: [(method: String, body: String, header: String?)] = [
            ("HEAD", "", "X-First"), ("PUT", "put body", nil), ("GET", "", "X-Third"), ("DELETE", "", nil),
            ("POST", "posted", nil), ("GET", "", nil), ("HEAD", "", nil), ("POST", "", "X-Last"),
        ]
        for (index, step) in sequence.enumerated() {
            let headers = step.header.map { [HTTPHeader($0, "\(index)")] } ?? []
            let response = try connection.perform(Self.request(step.method, server.url("/\(index)"), headers: headers, body: Array(step.body.utf8)))
            #expect(response.status == 200)
            #expect(response.bodyText == (step.method == "HEAD" ? "" : "echo:" + step.body), "request \(index) (\(step.method))")
        }
        let seen = server.requests
        try #require(seen.count == sequence.count)
        for (index, step) in sequence.enumerated() {
            #expect(seen[index].method == step.method, "request \(index)")
            #expect(seen[index].target == "/\(index)")
            #expect(seen[index].body == Array(step.body.utf8), "request \(index) (\(step.method))")
            for name in ["X-First", "X-Third", "X-Last"] {
                #expect(seen[index].header(name) == (name == step.header ? "\(index)" : nil), "request \(index), \(name)")
            }
        }
        #expect(server.connectionsAccepted == 1, "all on one kept-alive connection")
    }

    @Test("a request that times out leaves the connection usable for the next one")
    func timeoutThenNext() throws {
        let server = try LoopbackServer { request in request.target == "/slow" ? .hold : .text(200, "fast") }
        let connection = try HTTPConnection(trustStore: nil)
        let slow = HTTPTimeouts(connectMilliseconds: 2_000, totalMilliseconds: 200)
        let error = try #require(throws: HTTPError.self) {
            try connection.perform(Self.request("GET", server.url("/slow"), timeouts: slow))
        }
        #expect(error.isTimeout, "\(error)")
        let response = try connection.perform(Self.request("GET", server.url("/fast")))
        #expect(response.bodyText == "fast")
        #expect(response.newConnections == 1, "the timed-out exchange's connection is not reused: its answer may still come")
        try waitFor { server.openConnectionCount == 1 }   // and it is closed, not left open
    }

    @Test("large bodies arrive whole both ways (3 MiB up, 5 MiB down)")
    func largeBodies() throws {
        let upload = (0..<3 * 1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let download = (0..<5 * 1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let server = try LoopbackServer { _ in .respond(status: 200, body: download) }
        let response = try HTTPConnection(trustStore: nil).perform(Self.request("PUT", server.url("/big"), body: upload))
        #expect(server.requests.first?.body == upload)
        #expect(response.body == download)
    }

    @Test("a kept-alive connection is reused: the second request opens no new connection")
    func keepAlive() throws {
        let server = try LoopbackServer { request in .text(200, request.target) }
        let connection = try HTTPConnection(trustStore: nil)
        let first = try connection.perform(Self.request("GET", server.url("/1")))
        let second = try connection.perform(Self.request("POST", server.url("/2"), body: [1, 2, 3]))
        let third = try connection.perform(Self.request("GET", server.url("/3")))
        #expect([first.newConnections, second.newConnections, third.newConnections] == [1, 0, 0] as [Int])
        #expect([first.bodyText, second.bodyText, third.bodyText] == ["/1", "/2", "/3"])
        #expect(server.connectionsAccepted == 1)
        #expect(server.requests.map(\.connection) == [1, 1, 1])
    }

    @Test("after the server closes the connection, the next request reconnects on its own: found by the idle check or by the request's one resend",
          arguments: [(true, 0), (false, 0), (true, 1_000), (false, 1_000)])
    func reconnect(_ announced: Bool, _ validateAfterIdleMilliseconds: Int) throws {
        // Announced: `Connection: close`. Not announced: the server just closes after answering,
        // as an idle timeout on the far side does.
        let server = try LoopbackServer { request in
            request.target == "/1" ? .text(200, "one", headers: announced ? ["Connection: close"] : [], close: true) : .text(200, "two")
        }
        let connection = try HTTPConnection(trustStore: nil, validateAfterIdleMilliseconds: validateAfterIdleMilliseconds)
        let first = try connection.perform(Self.request("GET", server.url("/1")))
        // Let the FIN arrive first: with a 0 ms idle check the check sees the closed connection;
        // with 1 s it is not checked, so the request goes out on it, gets nothing, and is sent again.
        try waitFor { server.requests.count == 1 && server.openConnectionCount == 0 }
        let second = try connection.perform(Self.request("GET", server.url("/2")))
        #expect(first.bodyText == "one")
        #expect(second.bodyText == "two")
        #expect(second.newConnections == 1)
        #expect(server.connectionsAccepted == 2)
        #expect(server.requests.map(\.target) == ["/1", "/2"])
    }

    @Test("a connection reset mid-response is a connection failure, and the next request works on a new connection")
    func resetMidResponse() throws {
        let server = try LoopbackServer { request in
            request.target == "/reset"
                ? .resetAfter(Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly ten b".utf8))
                : .text(200, "fine")
        }
        let connection = try HTTPConnection(trustStore: nil)
        let error = try #require(throws: HTTPError.self) { try connection.perform(Self.request("GET", server.url("/reset"))) }
        #expect(error.isConnectionFailure, "\(error)")
        #expect(!error.isTimeout)
        let after = try connection.perform(Self.request("GET", server.url("/after")))
        #expect(after.bodyText == "fine")
        #expect(after.newConnections == 1)
        #expect(after.headers.contains(HTTPHeader("content-length", "4")), "no header of the broken response is left over")
    }

    @Test("a server that closes without answering is a connection failure (curl 52), not retried on a new connection")
    func gotNothing() throws {
        let server = try LoopbackServer { _ in .closeSilently }
        let error = try #require(throws: HTTPError.self) { try HTTPConnection(trustStore: nil).perform(Self.request("GET", server.url())) }
        #expect(error.code == .transport(curlCode: 52, message: "Empty reply from server"))
        #expect(error.isConnectionFailure)
        #expect(server.requests.count == 1)
    }

    @Test("a kept connection that ends without a byte of answer gets the request once more, on a new connection, as libcurl does")
    func staleConnectionRetried() throws {
        let secondSeen = Mutex(0)
        let server = try LoopbackServer { request in
            guard request.target == "/2" else { return .text(200, "one") }
            return secondSeen.withLock { count in count += 1; return count } == 1 ? .closeSilently : .text(200, "two")
        }
        let connection = try HTTPConnection(trustStore: nil)
        let first = try connection.perform(Self.request("GET", server.url("/1")))
        let second = try connection.perform(Self.request("GET", server.url("/2")))
        #expect([first.bodyText, second.bodyText] == ["one", "two"])
        #expect(second.newConnections == 1)
        #expect(server.requests.map(\.target) == ["/1", "/2", "/2"])
        #expect(server.requests.map(\.connection) == [1, 1, 2])
    }

    @Test("a response cut in its body is not sent again, even on a kept connection: part of it came")
    func cutBodyNotRetried() throws {
        let server = try LoopbackServer { request in
            request.target == "/1" ? .text(200, "one") : .resetAfter(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8))
        }
        let connection = try HTTPConnection(trustStore: nil)
        _ = try connection.perform(Self.request("GET", server.url("/1")))
        let error = try #require(throws: HTTPError.self) { try connection.perform(Self.request("GET", server.url("/2"))) }
        #expect(error.isConnectionFailure, "\(error)")
        #expect(server.requests.map(\.target) == ["/1", "/2"])
    }

    @Test("a method, field name or value that could break the request's framing is refused before anything is sent", arguments: [
        ("GET /x HTTP/1.1\r\nX-Evil: 1\r\n\r\nGET", [HTTPHeader]()),
        ("GET", [HTTPHeader("X-Trace", "a\r\nX-Injected: 1")]), ("GET", [HTTPHeader("X-Trace", "a\nb")]),
        ("GET", [HTTPHeader("X Bad", "1")]), ("GET", [HTTPHeader("", "1")]), ("POST", [HTTPHeader("Content-Length", "99")]),
    ])
    func framingRefused(_ method: String, _ headers: [HTTPHeader]) throws {
        let server = try LoopbackServer { _ in .text(200, "should not be reached") }
        let error = try #require(throws: HTTPError.self) {
            try HTTPConnection(trustStore: nil).perform(Self.request(method, server.url("/x"), headers: headers, body: Array("body".utf8)))
        }
        #expect(error.description.contains("request not sent"), "\(error)")
        #expect(!error.isConnectionFailure && !error.isTimeout)
        #expect(server.connectionsAccepted == 0)
    }

    @Test("a Host field given is sent instead of the one from the URL, and only once; the scheme's default port is not in the one from the URL")
    func hostField() throws {
        let server = try LoopbackServer { _ in .text(200, "ok") }
        let connection = try HTTPConnection(trustStore: nil)
        _ = try connection.perform(Self.request("GET", server.url("/a"), headers: [HTTPHeader("host", "dynamodb.us-east-1.amazonaws.com")]))
        _ = try connection.perform(Self.request("GET", server.url("?list-type=2")))
        let seen = server.requests
        try #require(seen.count == 2)
        #expect(seen[0].headers.filter { $0.name.lowercased() == "host" }.map(\.value) == ["dynamodb.us-east-1.amazonaws.com"])
        #expect(seen[1].target == "/?list-type=2", "a URL with a query and no path asks for /")
    }

    @Test("the request head, byte for byte: request line, fields as given, then Host and Content-Length where due")
    func headBytes() throws {
        func head(_ method: String, _ url: String, _ headers: [HTTPHeader] = [], body: String = "") throws -> String {
            var bytes: [UInt8] = []
            _ = try RequestHead.write(Self.request(method, url, headers: headers, body: Array(body.utf8)), into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(try head("GET", "https://s3.amazonaws.com:443/b/k%2F1") == "GET /b/k%2F1 HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n")
        #expect(try head("GET", "HTTP://h:80") == "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(try head("POST", "http://h:8080?y=1") == "POST /?y=1 HTTP/1.1\r\nHost: h:8080\r\nContent-Length: 0\r\n\r\n")
        #expect(try head("PUT", "https://b.s3.amazonaws.com/k", [HTTPHeader("Host", "b.s3.amazonaws.com"), HTTPHeader("X-Amz-Date", "20261130T000000Z")], body: "12345678901")
            == "PUT /k HTTP/1.1\r\nHost: b.s3.amazonaws.com\r\nX-Amz-Date: 20261130T000000Z\r\nContent-Length: 11\r\n\r\n")
        #expect(try head("DELETE", "http://h:8080/x", [HTTPHeader("content-length", "0")]) == "DELETE /x HTTP/1.1\r\ncontent-length: 0\r\nHost: h:8080\r\n\r\n")
    }

    @Test("a URL with a space, a control byte or user information is refused, naming it", arguments: [
        "http://h/a b", "http://h/a\r\nX: 1", "http://user:secret@h/", "http:///path", "h/no-scheme",
    ])
    func badURLs(_ url: String) throws {
        let error = try #require(throws: HTTPError.self) { try HTTPConnection(trustStore: nil).perform(Self.request("GET", url)) }
        #expect(error.description.contains("URL rejected"), "\(error)")
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("a response slower than the total timeout ends in a timeout error (curl 28)")
    func totalTimeout() throws {
        let server = try LoopbackServer { _ in .hold }
        let timeouts = HTTPTimeouts(connectMilliseconds: 2_000, totalMilliseconds: 200)
        let error = try #require(throws: HTTPError.self) {
            try HTTPConnection(trustStore: nil).perform(Self.request("GET", server.url(), timeouts: timeouts))
        }
        #expect(error.isTimeout, "\(error)")
        #expect(!error.isConnectionFailure)
        #expect(error.description.hasSuffix("(curl error 28)"))
    }

    @Test("a connection that cannot be set up in time ends in a timeout error")
    func connectTimeout() throws {
        // A listener that never accepts, with its accept queue full: the kernel drops further SYNs.
        let (listener, port) = try LoopbackServer.listen(backlog: 0)
        defer { close(listener) }
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<4 { fillers.append(try Self.connectNonBlocking(port: port)) }
        let timeouts = HTTPTimeouts(connectMilliseconds: 200, totalMilliseconds: 5_000)
        let error = try #require(throws: HTTPError.self) {
            try HTTPConnection(trustStore: nil).perform(Self.request("GET", "http://127.0.0.1:\(port)/", timeouts: timeouts))
        }
        #expect(error.isTimeout, "\(error)")
        #expect(!error.isConnectionFailure)
    }

    @Test("nothing listening is a connection failure (curl 7)")
    func refused() throws {
        let (listener, port) = try LoopbackServer.listen(backlog: 1)
        close(listener)  // the port is now free and nothing listens on it
        let error = try #require(throws: HTTPError.self) {
            try HTTPConnection(trustStore: nil).perform(Self.request("GET", "http://127.0.0.1:\(port)/"))
        }
        guard case .transport(let code, _) = error.code else { Issue.record("\(error)"); return }
        #expect(code == 7)
        #expect(error.isConnectionFailure)
        #expect(!error.isTimeout)
    }

    @Test("a URL libcurl cannot use fails with its code, neither a timeout nor a connection failure")
    func badURL() throws {
        let error = try #require(throws: HTTPError.self) {
            try HTTPConnection(trustStore: nil).perform(Self.request("GET", "ftp ://nowhere"))
        }
        #expect(!error.isTimeout)
        #expect(!error.isConnectionFailure)
        #expect(error.description.contains("curl error"))
    }

    @Test("a trust store set for TLS does not disturb plain HTTP")
    func caBundleOnPlainHTTP() throws {
        let server = try LoopbackServer { _ in .text(200, "plain") }
        let response = try HTTPConnection(trustStore: TrustStoreLocation(bundleFile: "/nonexistent/ca.pem")).perform(Self.request("GET", server.url()))
        #expect(response.bodyText == "plain")
    }

    /// A socket whose connect to 127.0.0.1:port is under way (or done) without blocking.
    static func connectNonBlocking(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError("socket: errno \(errno)") }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return descriptor
    }
}

/// Polls a condition for at most 5 s.
func waitFor(_ condition: () -> Bool) throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw ServerError("condition not met within 5 s") }
        Thread.sleep(forTimeInterval: 0.005)
    }
}
