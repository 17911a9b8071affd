import Foundation
import Essentials
import HTTP
import JSON
import Synchronization
import Testing
import TransportDoubles
@testable import AWSClient

/// The sender through the transport seam: signing, retries, refusals, clock skew, expired tokens,
/// deadlines and connection reuse, against a scripted endpoint.
@Suite("AWSRequestSender")
struct AWSRequestSenderTests {
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    static let keys = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")

    /// A sender wired to a script, with a test clock that sleeps advance.
    struct Fixture: Sendable {
        let script: ScriptedService
        let clock: TestClock
        let sender: AWSRequestSender

        init(_ steps: [ScriptedService.Step], maxAttempts: Int? = nil,
             credentials: FakeCredentialsSource = .answering("test", AWSRequestSenderTests.keys),
             fallback: (@Sendable (HTTPRequest) -> HTTPResponse)? = nil) {
            let clock = TestClock(AWSRequestSenderTests.start)
            self.clock = clock
            script = ScriptedService(steps, clock: clock, fallback: fallback)
            let configuration = AWSClientConfiguration(
                region: "eu-west-1",
                endpoints: [.dynamoDB: ServiceEndpoint(scheme: "http", host: "127.0.0.1", port: 4566, isOverride: true)],
                maxAttemptsOverride: maxAttempts)
            let provider = CredentialsProvider(sources: [credentials], now: { clock.now })
            sender = AWSRequestSender(configuration: configuration, credentials: provider, transports: script.factory(),
                                      now: { clock.now }, sleep: { clock.advance(by: $0) }, unitRandom: { 0.5 })
        }

        func call(deadline: Int64? = nil, trace: String? = nil, attempts: AttemptCounter = AttemptCounter()) -> AWSCall {
            AWSCall(deadlineMilliseconds: deadline, traceHeader: trace, logger: Logger(level: .fatal, format: .text, sink: LogSink { _ in }),
                    attempts: attempts)
        }

        func request(_ operation: String = "GetItem", refusal: AWSRefusal? = nil) -> AWSRequest {
            AWSRequest(service: .dynamoDB, operation: operation, method: "POST", endpoint: sender.endpoint(for: .dynamoDB),
                       path: "/", headers: [HTTPHeader("X-Amz-Target", "DynamoDB_20120810.\(operation)")],
                       body: Array("{}".utf8), refusal: refusal)
        }
    }

    static func status(_ response: AWSResponse) -> Int? {
        if case .success(let response) = response { return response.status }
        return nil
    }

    @Test("one signed attempt: Host, X-Amz-Date, Authorization and User-Agent go out, the 2xx comes back, one attempt is counted")
    func signedSuccess() throws {
        let fixture = Fixture([.ok(#"{"Item":{}}"#)])
        let attempts = AttemptCounter()
        let response = try fixture.sender.send(fixture.request(), fixture.call(attempts: attempts))
        #expect(Self.status(response) == 200)
        #expect(attempts.count == 1)
        let sent = try #require(fixture.script.requests.first)
        #expect(sent.url == "http://127.0.0.1:4566/")
        #expect(sent.headers.value(for: "host") == "127.0.0.1:4566")
        #expect(sent.headers.value(for: "x-amz-date") == "20260101T000000Z")
        let authorization = try #require(sent.headers.value(for: "authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature="))
        #expect(sent.headers.value(for: "user-agent") == AWSRequestSender.userAgent)
        #expect(sent.timeouts == HTTPTimeouts(connectMilliseconds: 1_000, totalMilliseconds: 3_000))
    }

    static let lineageTrace = "Root=1-6929f2a1-3f1c9e0b7d4a2c6e8f0b1d3a;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:a87bd80c:3"

    @Test("the invocation's trace ID goes out verbatim as X-Amzn-Trace-Id on every attempt, retries included, and is not signed")
    func traceHeader() throws {
        let traced = Fixture([.awsError(500, "InternalServerError"), .ok()])
        _ = try traced.sender.send(traced.request(), traced.call(trace: Self.lineageTrace))
        #expect(traced.script.requests.count == 2)
        for sent in traced.script.requests {
            #expect(sent.headers.filter { $0.name.lowercased() == "x-amzn-trace-id" }.map(\.value) == [Self.lineageTrace])
            #expect(sent.headers.value(for: "authorization")?.contains("x-amzn-trace-id") == false)
        }
        // The same request without it, at the same instant, carries the same signature.
        let plain = Fixture([.ok()])
        _ = try plain.sender.send(plain.request(), plain.call())
        let withTrace = try #require(traced.script.requests.first?.headers.value(for: "authorization"))
        #expect(plain.script.requests.first?.headers.value(for: "authorization") == withTrace)
        #expect(plain.script.requests.first?.headers.value(for: "x-amzn-trace-id") == nil, "no trace ID, no header")
    }

    @Test("one sender shared by eight threads, each call with its own trace ID: every request carries its own call's, never another's")
    func traceHeaderUnderThreads() throws {
        let threads = 8
        let requestsPerThread = 25
        let fixture = Fixture([], fallback: { request in
            HTTPResponse(status: 200, headers: [], body: Array((request.headers.value(for: "x-amzn-trace-id") ?? "none").utf8))
        })
        let mismatches = Mutex(0)
        let finished = Mutex(0)
        for index in 0..<threads {
            let trace = "Root=1-00000000-00000000000000000000000\(index);Lineage=1:0000000\(index):0"
            Thread {
                for _ in 0..<requestsPerThread {
                    let answer = try? fixture.sender.send(fixture.request("Op\(index)"), fixture.call(trace: trace))
                    guard case .success(let response) = answer, response.bodyText == trace else {
                        mismatches.withLock { $0 += 1 }
                        continue
                    }
                }
                finished.withLock { $0 += 1 }
            }.start()
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while finished.withLock({ $0 }) < threads && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(finished.withLock { $0 } == threads)
        #expect(mismatches.withLock { $0 } == 0)
        let byTrace = Dictionary(grouping: fixture.script.requests.compactMap { $0.headers.value(for: "x-amzn-trace-id") }, by: { $0 })
        #expect(byTrace.count == threads)
        #expect(byTrace.values.allSatisfy { $0.count == requestsPerThread })
    }

    @Test("a 500 then a 200: retried after the backoff, two attempts counted")
    func retriesServerError() throws {
        let fixture = Fixture([.awsError(500, "InternalServerError"), .ok()])
        let attempts = AttemptCounter()
        let response = try fixture.sender.send(fixture.request(), fixture.call(attempts: attempts))
        #expect(Self.status(response) == 200)
        #expect(attempts.count == 2)
        #expect(fixture.clock.now > Self.start, "the backoff slept on the clock")
    }

    @Test("a reset and a timeout are retried on the same kept-alive connection")
    func retriesTransportFailures() throws {
        let fixture = Fixture([.reset, .timeout, .ok()])
        let response = try fixture.sender.send(fixture.request(), fixture.call())
        #expect(Self.status(response) == 200)
        #expect(fixture.script.requests.count == 3)
        #expect(fixture.sender.connectionsOpened(to: .dynamoDB) == 1)
    }

    @Test("a failure that stays gives up after the service's attempts, saying so")
    func givesUpAfterAttempts() {
        let fixture = Fixture([.awsError(503, "ServiceUnavailable"), .awsError(503, "ServiceUnavailable"),
                               .awsError(503, "ServiceUnavailable"), .awsError(503, "ServiceUnavailable")])
        #expect {
            _ = try fixture.sender.send(fixture.request(), fixture.call())
        } throws: { error in
            let error = error as? AWSError
            return error?.attempts == 4 && error?.giveUpReason == .attemptsExhausted && error?.code == "ServiceUnavailable"
        }
        #expect(fixture.script.remainingSteps == 0)
    }

    @Test("a permanent error is not retried")
    func permanentNotRetried() {
        let fixture = Fixture([.awsError(400, "ValidationException", "bad key"), .ok()])
        #expect {
            _ = try fixture.sender.send(fixture.request(), fixture.call())
        } throws: { error in
            (error as? AWSError)?.description == "DynamoDB GetItem failed: ValidationException (HTTP 400): bad key [1 attempt]"
        }
        #expect(fixture.script.requests.count == 1)
    }

    @Test("a lost response is retried; AWS_MAX_ATTEMPTS caps the attempts")
    func lostResponseRetried() {
        let fixture = Fixture([.applyThenLose(.connectionReset), .applyThenLose(.connectionReset)], maxAttempts: 2)
        #expect {
            _ = try fixture.sender.send(fixture.request(), fixture.call())
        } throws: { error in
            let error = error as? AWSError
            return error?.attempts == 2 && error?.mayHaveBeenApplied == true
        }
        #expect(fixture.script.applied == 2)
    }

    @Test("the refusal a request expects comes back as a value at once, without a retry or a throw")
    func refusalIsAValue() throws {
        let fixture = Fixture([.awsError(400, "ConditionalCheckFailedException", extra: #","Item":{"order_id":{"S":"1"}}"#), .ok()])
        let response = try fixture.sender.send(fixture.request("PutItem", refusal: .errorCode("ConditionalCheckFailedException")),
                                               fixture.call())
        guard case .refused(let error) = response else {
            Issue.record("expected a refusal, got \(response)")
            return
        }
        #expect(error.code == "ConditionalCheckFailedException")
        #expect(error.json?["Item"]?["order_id"]?["S"]?.stringValue == "1")
        #expect(fixture.script.requests.count == 1)
    }

    @Test("the same error code without a declared refusal is an error")
    func undeclaredRefusalThrows() {
        let fixture = Fixture([.awsError(400, "ConditionalCheckFailedException")])
        #expect(throws: AWSError.self) { _ = try fixture.sender.send(fixture.request(), fixture.call()) }
    }

    @Test("a skewed clock is corrected once from the Date header and the request re-signed")
    func clockSkewCorrected() throws {
        let fixture = Fixture([.awsError(400, "InvalidSignatureException", "Signature expired", headers: [HTTPHeader("date", "Thu, 01 Jan 2026 00:10:00 GMT")]),
                               .ok()])
        let response = try fixture.sender.send(fixture.request(), fixture.call())
        #expect(Self.status(response) == 200)
        #expect(fixture.sender.clockOffsetMilliseconds == 600_000)
        #expect(fixture.script.requests.last?.headers.value(for: "x-amz-date") == "20260101T001000Z")
    }

    @Test("a second skew error after correcting is final")
    func clockSkewOnlyOnce() {
        let skew = ScriptedService.Step.awsError(403, "RequestTimeTooSkewed", headers: [HTTPHeader("date", "Thu, 01 Jan 2026 00:10:00 GMT")])
        let fixture = Fixture([skew, skew, .ok()])
        #expect(throws: AWSError.self) { _ = try fixture.sender.send(fixture.request(), fixture.call()) }
        #expect(fixture.script.requests.count == 2)
    }

    @Test("an expired token refreshes the credentials once and retries at once")
    func expiredTokenRefreshes() throws {
        let credentials = FakeCredentialsSource.answering("test", AWSCredentials(accessKeyID: "OLD", secretAccessKey: "s"),
                                                          AWSCredentials(accessKeyID: "NEW", secretAccessKey: "s"))
        let fixture = Fixture([.awsError(400, "ExpiredTokenException"), .ok()], credentials: credentials)
        _ = try fixture.sender.send(fixture.request(), fixture.call())
        let authorizations = fixture.script.requests.compactMap { $0.headers.value(for: "authorization") }
        #expect(authorizations.count == 2)
        #expect(authorizations[0].contains("Credential=OLD/"))
        #expect(authorizations[1].contains("Credential=NEW/"))
    }

    @Test("no credentials: an error naming the chain, and no request is sent")
    func missingCredentials() {
        let fixture = Fixture([.ok()], credentials: .unconfigured("environment", reason: "AWS_ACCESS_KEY_ID is not set"))
        #expect {
            _ = try fixture.sender.send(fixture.request(), fixture.call())
        } throws: { error in
            guard case .credentials(let detail) = (error as? AWSError)?.kind else { return false }
            return detail.contains("AWS_ACCESS_KEY_ID is not set")
        }
        #expect(fixture.script.requests.isEmpty)
    }

    @Test("attempts are cut to the deadline, and no retry starts inside the margin")
    func deadlineBoundsAttempts() {
        // 1.2 s left, 500 ms margin: the attempt may take 700 ms; the delay makes it time out.
        let fixture = Fixture([.delay(milliseconds: 700), .timeout, .ok()])
        #expect {
            _ = try fixture.sender.send(fixture.request(), fixture.call(deadline: Self.start + 1_200))
        } throws: { error in
            (error as? AWSError)?.giveUpReason == .deadline
        }
        #expect(fixture.script.requests.first?.timeouts.totalMilliseconds == 700)
        #expect(fixture.script.requests.count == 1)
    }

    @Test("a call's own margin replaces the configured one (a release may use most of it)")
    func callMargin() throws {
        let fixture = Fixture([.ok()])
        let call = fixture.call(deadline: Self.start + 1_000).with(deadlineMilliseconds: Self.start + 1_000, marginMilliseconds: 100)
        _ = try fixture.sender.send(fixture.request(), call)
        #expect(fixture.script.requests.first?.timeouts.totalMilliseconds == 900)
    }

    @Test("sequential requests keep one connection per service")
    func oneConnectionPerService() throws {
        let fixture = Fixture([], fallback: { _ in HTTPResponse(status: 200, headers: [], body: []) })
        for _ in 0..<5 { _ = try fixture.sender.send(fixture.request(), fixture.call()) }
        let s3 = AWSRequest(service: .s3, operation: "PutObject", method: "PUT", endpoint: fixture.sender.endpoint(for: .s3),
                            path: "/bucket/key", headers: [], body: [])
        for _ in 0..<3 { _ = try fixture.sender.send(s3, fixture.call()) }
        #expect(fixture.sender.connectionsOpened(to: .dynamoDB) == 1)
        #expect(fixture.sender.connectionsOpened(to: .s3) == 1)
        #expect(fixture.script.opened == 2)
    }
}
