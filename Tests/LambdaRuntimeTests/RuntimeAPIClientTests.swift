import HTTP
import JSON
@testable import LambdaRuntime
import Testing
import TransportDoubles

/// The Runtime API client over a scripted transport: what it sends, and what it makes of each answer.
@Suite("RuntimeAPIClient")
struct RuntimeAPIClientTests {
    static let base = "http://127.0.0.1:9001/2018-06-01"

    /// `/next` headers as Lambda writes them (mixed case; the transport lower-cases them).
    static func nextHeaders(requestID: String = "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                            deadline: String? = "1542409706888", invocationID: String? = nil) -> [HTTPHeader] {
        var headers = [
            HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("Lambda-Runtime-Aws-Request-Id", requestID),
            HTTPHeader("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime"),
            HTTPHeader("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"),
        ]
        if let deadline { headers.append(HTTPHeader("Lambda-Runtime-Deadline-Ms", deadline)) }
        if let invocationID { headers.append(HTTPHeader("Lambda-Runtime-Invocation-Id", invocationID)) }
        return headers
    }

    static func client(_ transport: ScriptedTransport) throws(RuntimeAPIError) -> RuntimeAPIClient {
        try RuntimeAPIClient(endpoint: "127.0.0.1:9001", transport: transport)
    }

    @Test("/next is a GET with a connect timeout and no total timeout; its headers and body become the invocation")
    func next() throws {
        let transport = ScriptedTransport([.status(200, headers: Self.nextHeaders(), body: #"{"order_id":"124"}"#)])
        let invocation = try Self.client(transport).nextInvocation()
        #expect(invocation.context == InvocationContext(
            requestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd", deadlineMilliseconds: 1_542_409_706_888,
            invokedFunctionARN: "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime",
            traceID: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"))
        #expect(invocation.event == Array(#"{"order_id":"124"}"#.utf8))
        let request = try #require(transport.requests.first)
        #expect(request.method == "GET")
        #expect(request.url == Self.base + "/runtime/invocation/next")
        #expect(request.timeouts == HTTPTimeouts(connectMilliseconds: 1_000, totalMilliseconds: nil))
        #expect(request.body.isEmpty)
    }

    @Test("/next answering another status fails with that status and body; 5xx is transient, 4xx is not", arguments: [
        (500, true), (502, true), (503, true), (403, false), (404, false), (204, false),
    ])
    func nextStatus(_ status: Int, _ transient: Bool) throws {
        let transport = ScriptedTransport([.status(status, body: #"{"errorType":"ServiceException"}"#)])
        let expected = RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: status,
                                                         body: #"{"errorType":"ServiceException"}"#))
        #expect(throws: expected) { try Self.client(transport).nextInvocation() }
        #expect(expected.isTransient == transient)
    }

    @Test("a transport failure names the endpoint and keeps libcurl's error; refused, reset and timeouts are transient", arguments: [
        (HTTPError.connectionRefused, true), (.connectionReset, true), (.timedOut, true),
        (HTTPError(.transport(curlCode: 52, message: "Empty reply from server")), true),
        (HTTPError(.transport(curlCode: 3, message: "URL using bad/illegal format")), false),
        (HTTPError(.handleCreationFailed), false),
    ])
    func nextTransport(_ error: HTTPError, _ transient: Bool) throws {
        let transport = ScriptedTransport([.failure(error)])
        let expected = RuntimeAPIError(.transport(endpoint: "/runtime/invocation/next", error))
        #expect(throws: expected) { try Self.client(transport).nextInvocation() }
        #expect(expected.isTransient == transient)
        #expect(expected.description == "Runtime API request /runtime/invocation/next failed: \(error)")
    }

    @Test("a /next with a request ID but a bad or missing deadline is an invalid invocation of that request", arguments: [
        ("soon", #"Runtime API /next response has a malformed lambda-runtime-deadline-ms header (expected Unix time in milliseconds): "soon""#),
        (nil, "Runtime API /next response has no lambda-runtime-deadline-ms header"),
    ] as [(String?, String)])
    func invalidInvocation(_ deadline: String?, _ problem: String) throws {
        let transport = ScriptedTransport([.status(200, headers: Self.nextHeaders(requestID: "r-7", deadline: deadline), body: "{}")])
        #expect(throws: RuntimeAPIError(.invalidInvocation(InvocationAddress(requestID: "r-7"), problem: problem))) {
            try Self.client(transport).nextInvocation()
        }
    }

    @Test("an invalid invocation keeps the invocation ID /next gave, so its error can echo it")
    func invalidInvocationKeepsInvocationID() throws {
        let headers = Self.nextHeaders(requestID: "r-9", deadline: "soon", invocationID: "c0ffee00-1111-4222-8333-444455556666")
        let transport = ScriptedTransport([.status(200, headers: headers, body: "{}")])
        do {
            _ = try Self.client(transport).nextInvocation()
            Issue.record("expected an invalid invocation")
        } catch {
            guard case .invalidInvocation(let address, _) = error.code else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(address == InvocationAddress(requestID: "r-9", invocationID: "c0ffee00-1111-4222-8333-444455556666"))
        }
    }

    @Test("/next's invocation ID and tenant ID become the context, exactly as sent")
    func invocationAndTenantIDs() throws {
        let headers = Self.nextHeaders(requestID: "r-10", invocationID: "Inv/ID with spaces+symbols=") + [HTTPHeader("Lambda-Runtime-Aws-Tenant-Id", "tenant-7")]
        let transport = ScriptedTransport([.status(200, headers: headers, body: "{}")])
        let context = try Self.client(transport).nextInvocation().context
        #expect(context.invocationID == "Inv/ID with spaces+symbols=")
        #expect(context.tenantID == "tenant-7")
        #expect(context.address == InvocationAddress(requestID: "r-10", invocationID: "Inv/ID with spaces+symbols="))
    }

    @Test("a /next without a request ID cannot be answered: it fails as a missing header")
    func missingRequestID() throws {
        let headers = Self.nextHeaders().filter { $0.name != "Lambda-Runtime-Aws-Request-Id" } + [HTTPHeader("Lambda-Runtime-Deadline-Ms", "x")]
        for headers in [headers, Self.nextHeaders(requestID: "")] {
            let transport = ScriptedTransport([.status(200, headers: headers, body: "{}")])
            #expect(throws: RuntimeAPIError(.missingHeader(AmazonHeaders.requestID))) { try Self.client(transport).nextInvocation() }
        }
    }

    @Test("the error for a hostile deadline is bounded and escaped: no control character, at most ~200 bytes")
    func hostileDeadline() throws {
        let hostile = "\u{1B}[2J\r\n" + String(repeating: "9", count: 100_000)
        let transport = ScriptedTransport([.status(200, headers: Self.nextHeaders(requestID: "r-8", deadline: hostile), body: "{}")])
        do {
            _ = try Self.client(transport).nextInvocation()
            Issue.record("expected an invalid invocation")
        } catch {
            guard case .invalidInvocation(let address, let problem) = error.code else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(address.requestID == "r-8")
            #expect(problem.utf8.count <= 200, "\(problem.utf8.count) bytes")
            #expect(!problem.unicodeScalars.contains { $0.value < 0x20 })
            #expect(problem.hasPrefix(#"Runtime API /next response has a malformed lambda-runtime-deadline-ms header (expected Unix time in milliseconds): "\u001b[2J\r\n999"#), "\(problem)")
            #expect(problem.hasSuffix("…\""))
        }
    }

    @Test("a response is POSTed to /response with its body, as JSON, with a 10 s bound")
    func response() throws {
        let transport = ScriptedTransport([.status(202, body: #"{"status":"OK"}"#)])
        let outcome = try Self.client(transport).sendResponse(Array(#"{"first_time":true}"#.utf8), to: InvocationAddress(requestID: "r-1"))
        #expect(outcome == .accepted)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == Self.base + "/runtime/invocation/r-1/response")
        #expect(request.headers == [HTTPHeader("Content-Type", "application/json")])
        #expect(request.body == Array(#"{"first_time":true}"#.utf8))
        #expect(request.timeouts == HTTPTimeouts(connectMilliseconds: 1_000, totalMilliseconds: 10_000))
    }

    @Test("a function error is POSTed to /error with its type in a header and the error body", arguments: [false, true])
    func error(_ initError: Bool) throws {
        let transport = ScriptedTransport([.status(202)])
        let error = FunctionError(errorType: "InvalidOrderEvent", errorMessage: "expected price (a number); found none")
        let client = try Self.client(transport)
        if initError {
            try client.sendInitError(error)
        } else {
            #expect(try client.sendError(error, to: InvocationAddress(requestID: "r-2")) == .accepted)
        }
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == Self.base + (initError ? "/runtime/init/error" : "/runtime/invocation/r-2/error"))
        #expect(request.headers == [HTTPHeader("Content-Type", "application/vnd.aws.lambda.error+json"),
                                    HTTPHeader("Lambda-Runtime-Function-Error-Type", "InvalidOrderEvent")])
        #expect(try JSONValue.parse(request.body) == error.reportJSON)
    }

    @Test("the invocation ID from /next is echoed on /response and /error exactly as received, and none is sent without one",
          arguments: [String?.none, "0b7f5c2e-57c6-4a43-9f3e-96b5c0f0a8d1", "opaque token/with+symbols="])
    func invocationIDEcho(_ invocationID: String?) throws {
        let transport = ScriptedTransport([.status(202), .status(202)])
        let client = try Self.client(transport)
        let address = InvocationAddress(requestID: "r-5", invocationID: invocationID)
        #expect(try client.sendResponse(Array("{}".utf8), to: address) == .accepted)
        #expect(try client.sendError(FunctionError(errorType: "OrderConflict", errorMessage: "m"), to: address) == .accepted)
        #expect(transport.requests.count == 2)
        for request in transport.requests {
            let echoed = request.headers.filter { $0.name.lowercased() == "lambda-runtime-invocation-id" }
            #expect(echoed.map(\.value) == (invocationID.map { [$0] } ?? []), "\(request.url)")
            if let invocationID { #expect(echoed.first?.name == "Lambda-Runtime-Invocation-Id", "\(invocationID)") }
        }
    }

    @Test("410 is a timed-out invocation, other 4xx refuse one post, and the runtime carries on; 5xx and others throw", arguments: [
        (202, RuntimeAPIClient.PostOutcome?.some(.accepted)), (200, .accepted),
        (410, .invocationTimedOut(body: "b")),
        (400, .rejected(status: 400, body: "b")), (413, .rejected(status: 413, body: "b")),
        (403, .rejected(status: 403, body: "b")), (404, .rejected(status: 404, body: "b")),
        (500, nil), (503, nil), (302, nil),
    ])
    func postStatuses(_ status: Int, _ outcome: RuntimeAPIClient.PostOutcome?) throws {
        for post in 0..<2 {
            let transport = ScriptedTransport([.status(status, body: "b")])
            let client = try Self.client(transport)
            let path = post == 0 ? "/runtime/invocation/r-3/response" : "/runtime/invocation/r-3/error"
            let address = InvocationAddress(requestID: "r-3", invocationID: "i-3")
            do {
                let result = post == 0 ? try client.sendResponse([], to: address)
                    : try client.sendError(FunctionError(errorType: "T", errorMessage: "m"), to: address)
                #expect(result == outcome)
            } catch {
                #expect(outcome == nil)
                #expect(error == RuntimeAPIError(.unexpectedStatus(endpoint: path, status: status, body: "b")))
            }
        }
    }

    @Test("a post that breaks fails as a transport error naming the endpoint")
    func postTransport() throws {
        let transport = ScriptedTransport([.lostResponse(HTTPResponse(status: 202, headers: [], body: []))])
        #expect(throws: RuntimeAPIError(.transport(endpoint: "/runtime/invocation/r-4/response", .connectionReset))) {
            try Self.client(transport).sendResponse([], to: InvocationAddress(requestID: "r-4"))
        }
    }

    @Test("a request ID that is not a UUID is percent-encoded, so it stays one path segment", arguments: [
        ("8476a536-e9f4-11e8-9739-2dfe598c3fcd", "8476a536-e9f4-11e8-9739-2dfe598c3fcd"),
        ("a/../b c", "a%2F..%2Fb%20c"), ("x?y#z", "x%3Fy%23z"), ("é", "%C3%A9"), ("A_b.9~", "A_b.9%7E"),
    ])
    func pathSegment(_ requestID: String, _ segment: String) throws {
        let transport = ScriptedTransport([.status(202)])
        _ = try Self.client(transport).sendResponse([], to: InvocationAddress(requestID: requestID))
        #expect(transport.requests.first?.url == Self.base + "/runtime/invocation/\(segment)/response")
    }

    @Test("the endpoint must be host:port with a port from 1 to 65535", arguments: [
        "localhost", ":9001", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "",
    ])
    func invalidEndpoint(_ endpoint: String) {
        #expect(throws: RuntimeAPIError(.invalidEndpoint(endpoint))) { try RuntimeAPIClient(endpoint: endpoint) }
        #expect(throws: RuntimeAPIError(.invalidEndpoint(endpoint))) { try RuntimeAPIClient(endpoint: endpoint, transport: ScriptedTransport()) }
    }

    @Test("the default client makes its own libcurl connection and dials nothing until asked")
    func defaultTransport() throws {
        _ = try RuntimeAPIClient(endpoint: "127.0.0.1:9001")
        _ = try RuntimeAPIClient(endpoint: "[::1]:9001")
    }

    @Test("the loop over the real client: a refused /next is retried, each answer echoes its invocation ID, a 410 and a 500 on posts do not end it")
    func loopThroughTransport() throws {
        let transport = ScriptedTransport([
            .connectionRefused,
            .status(500, body: "Container error"),
            .status(200, headers: Self.nextHeaders(requestID: "r-1", invocationID: "i-1"), body: "{}"),
            .status(410, body: #"{"errorType":"ErrorRuntimeInvokeTimeout"}"#),
            .status(200, headers: Self.nextHeaders(requestID: "r-2", deadline: "never", invocationID: "i-2"), body: "{}"),
            .status(500, body: "Container error"),
            .status(200, headers: Self.nextHeaders(requestID: "r-3"), body: "{}"),
            .status(202),
            .status(403, body: "Forbidden"),
        ])
        var waits: [Int64] = []
        let handler = RecordingHandler()
        let log = LogLines()
        let failure = RuntimeLoop.run(client: try Self.client(transport), handler: handler, logger: log.logger) { waits.append($0) }
        #expect(failure == RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 403, body: "Forbidden")))
        #expect(waits == [100, 300])
        #expect(handler.seen.map(\.requestID) == ["r-1", "r-3"])
        #expect(transport.requests.map { "\($0.method) \($0.url.dropFirst(Self.base.count))" } == [
            "GET /runtime/invocation/next", "GET /runtime/invocation/next", "GET /runtime/invocation/next",
            "POST /runtime/invocation/r-1/response",
            "GET /runtime/invocation/next", "POST /runtime/invocation/r-2/error",
            "GET /runtime/invocation/next", "POST /runtime/invocation/r-3/response",
            "GET /runtime/invocation/next",
        ])
        #expect(transport.requests.map { $0.headers.value(for: "Lambda-Runtime-Invocation-Id") }
            == [nil, nil, nil, "i-1", nil, "i-2", nil, nil, nil])
        let answer = try JSONValue.parse(transport.requests[5].body)
        #expect(answer["errorType"]?.stringValue == "Runtime.InvalidInvocation")
        #expect(answer["errorMessage"]?.stringValue
            == #"Runtime API /next response has a malformed lambda-runtime-deadline-ms header (expected Unix time in milliseconds): "never""#)
        #expect(log.lines.contains { $0.contains("\tr-1\tWARN\tInvocation had already timed out; Runtime API dropped its response (HTTP 410)") },
                "\(log.lines)")
        #expect(log.lines.contains { $0.contains("\tr-2\tERROR\tRuntime API did not take the error report: Runtime API request /runtime/invocation/r-2/error answered HTTP 500") },
                "\(log.lines)")
        #expect(transport.remainingReplies == 0)
        #expect(transport.unscriptedRequests.isEmpty)
    }
}
