import Foundation
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

    @Test("after the server closes the connection, the next request reconnects on its own", arguments: [true, false])
    func reconnect(_ announced: Bool) throws {
        // Announced: `Connection: close`. Not announced: the server just closes after answering,
        // as an idle timeout on the far side does.
        let server = try LoopbackServer { request in
            request.target == "/1" ? .text(200, "one", headers: announced ? ["Connection: close"] : [], close: true) : .text(200, "two")
        }
        let connection = try HTTPConnection(trustStore: nil)
        let first = try connection.perform(Self.request("GET", server.url("/1")))
        if !announced {
            // Let the FIN arrive first, so libcurl sees a dead connection rather than racing it.
            try waitFor { server.requests.count == 1 && server.openConnectionCount == 0 }
        }
        let second = try connection.perform(Self.request("GET", server.url("/2")))
        #expect(first.bodyText == "one")
        #expect(second.bodyText == "two")
        #expect(second.newConnections == 1)
        #expect(server.connectionsAccepted == 2)
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

    @Test("a server that closes without answering is a connection failure (curl 52)")
    func gotNothing() throws {
        let server = try LoopbackServer { _ in .closeSilently }
        let error = try #require(throws: HTTPError.self) { try HTTPConnection(trustStore: nil).perform(Self.request("GET", server.url())) }
        #expect(error.code == .transport(curlCode: 52, message: "Empty reply from server"))
        #expect(error.isConnectionFailure)
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
