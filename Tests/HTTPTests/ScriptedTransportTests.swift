import HTTP
import Synchronization
import Testing
import TransportDoubles

/// The scripted transport other suites build on: it must behave like ``HTTPConnection`` where a
/// caller can tell (lower-cased header names, statuses as responses, timeouts), and record truthfully.
@Suite("ScriptedTransport")
struct ScriptedTransportTests {
    static func get(_ path: String, totalMilliseconds: Int? = 1_000) -> HTTPRequest {
        HTTPRequest(method: "GET", url: "http://127.0.0.1:1" + path,
                    timeouts: HTTPTimeouts(connectMilliseconds: 100, totalMilliseconds: totalMilliseconds))
    }

    @Test("replies come in script order, header names lower-cased as HTTPConnection delivers them")
    func inOrder() throws {
        let transport = ScriptedTransport([.status(200, headers: [HTTPHeader("X-Amz-Request-Id", "R1")], body: "one"),
                                           .status(503, body: "busy")])
        let first = try transport.perform(Self.get("/1"))
        let second = try transport.perform(Self.get("/2"))
        #expect(first.headers == [HTTPHeader("x-amz-request-id", "R1")])
        #expect(first.bodyText == "one")
        #expect(second.status == 503)
        #expect(transport.exchanges.map(\.outcome) == [.responded(status: 200), .responded(status: 503)])
        #expect(transport.requests.map(\.url) == ["http://127.0.0.1:1/1", "http://127.0.0.1:1/2"])
        #expect(transport.remainingReplies == 0)
    }

    @Test("failures are thrown; a lost response is thrown as a reset but recorded as applied")
    func failures() {
        let transport = ScriptedTransport([.connectionRefused, .timedOut, .lostResponse(HTTPResponse(status: 200, headers: [], body: []))])
        #expect(throws: HTTPError.connectionRefused) { try transport.perform(Self.get("/a")) }
        #expect(throws: HTTPError.timedOut) { try transport.perform(Self.get("/b")) }
        #expect(throws: HTTPError.connectionReset) { try transport.perform(Self.get("/c")) }
        #expect(transport.exchanges.map(\.outcome) == [.failed(.connectionRefused), .failed(.timedOut), .lostResponse(status: 200)])
        #expect(HTTPError.connectionRefused.isConnectionFailure && HTTPError.connectionReset.isConnectionFailure)
        #expect(HTTPError.timedOut.isTimeout)
    }

    @Test("a delay is reported to onDelay; one past the total timeout becomes a timeout after exactly that long")
    func delays() throws {
        let waited = Mutex<[Int]>([])
        let transport = ScriptedTransport([.delayed(milliseconds: 300, .status(200)),
                                           .delayed(milliseconds: 600, .delayed(milliseconds: 600, .status(200))),
                                           .delayed(milliseconds: 5_000, .status(200))],
                                          onDelay: { milliseconds in waited.withLock { $0.append(milliseconds) } })
        #expect(try transport.perform(Self.get("/fast")).status == 200)
        #expect(throws: HTTPError.timedOut) { try transport.perform(Self.get("/slow")) }
        #expect(try transport.perform(Self.get("/no-total-timeout", totalMilliseconds: nil)).status == 200)
        #expect(waited.withLock { $0 } == [300, 600, 400, 5_000])
        #expect(transport.exchanges.map(\.delayMilliseconds) == [300, 1_000, 5_000])
    }

    @Test("past the script the fallback answers and the request is recorded as unscripted")
    func fallback() throws {
        let refusing = ScriptedTransport()
        #expect(throws: HTTPError.connectionRefused) { try refusing.perform(Self.get("/x")) }
        #expect(refusing.unscriptedRequests.map(\.url) == ["http://127.0.0.1:1/x"])

        let echoing = ScriptedTransport([.status(201)], fallback: { .status(200, body: $0.url) })
        echoing.append(.status(202))
        #expect(try echoing.perform(Self.get("/1")).status == 201)
        #expect(try echoing.perform(Self.get("/2")).status == 202)
        #expect(try echoing.perform(Self.get("/3")).bodyText == "http://127.0.0.1:1/3")
        #expect(echoing.exchanges.map(\.unscripted) == [false, false, true])
    }

    @Test("binary bodies pass through unchanged")
    func binary() throws {
        let transport = ScriptedTransport([.status(200, bytes: [0, 0xFF, 0x80])])
        #expect(try transport.perform(Self.get("/b")).body == [0, 0xFF, 0x80])
    }
}
