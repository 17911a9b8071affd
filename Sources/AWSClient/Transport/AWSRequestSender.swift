import HTTP
import Hashing
import JSON
import Essentials
import Synchronization

/// Signs, sends and retries AWS requests: kept-alive connections per service, the SDKs' standard
/// retry mode with its quota, attempts cut to the invocation deadline, and clock-skew correction.
///
/// Built once and shared: every thread (Lambda Managed Instances workers, concurrent batch records)
/// sends through the same sender. The state they share (retry quotas, the clock offset, signing keys,
/// credentials, idle connections) sits behind locks; a connection serves one request at a time.
public final class AWSRequestSender: Sendable {
    /// Opens a connection to a service: libcurl in production, a scripted transport in tests.
    public typealias TransportFactory = @Sendable (AWSService) throws(HTTPError) -> any HTTPTransport

    private let configuration: AWSClientConfiguration
    private let credentials: CredentialsProvider
    private let now: @Sendable () -> Int64
    private let sleep: @Sendable (Int64) -> Void
    private let unitRandom: @Sendable () -> Double
    private let pools: [AWSService: ConnectionPool]
    private let quotas = Mutex<[AWSService: RetryQuota]>([:])
    private let clockOffset = Mutex<Int64>(0)
    private let signingKeys = SigningKeyCache()

    /// Creates the sender.
    /// - Parameters:
    ///   - configuration: Region, endpoints, timeouts, retry overrides.
    ///   - credentials: The credential chain.
    ///   - transports: Opens a connection to a service; libcurl connections by default.
    ///   - now: The wall clock in Unix milliseconds.
    ///   - sleep: Waits between attempts.
    ///   - unitRandom: A random number in [0, 1] for the backoff jitter.
    public init(configuration: AWSClientConfiguration, credentials: CredentialsProvider,
                transports: TransportFactory? = nil,
                now: @escaping @Sendable () -> Int64 = { SystemClock.wallMilliseconds() },
                sleep: @escaping @Sendable (Int64) -> Void = { SystemClock.sleep(milliseconds: $0) },
                unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        let open = transports ?? Self.libcurlConnections(trustStore: configuration.trustStore)
        self.pools = Dictionary(uniqueKeysWithValues: AWSService.allCases.map { service in
            (service, ConnectionPool { () throws(HTTPError) in try open(service) })
        })
        self.configuration = configuration
        self.credentials = credentials
        self.now = now
        self.sleep = sleep
        self.unitRandom = unitRandom
    }

    /// Opens kept-alive libcurl connections.
    private static func libcurlConnections(trustStore: TrustStoreLocation?) -> TransportFactory {
        @Sendable func open(_ service: AWSService) throws(HTTPError) -> any HTTPTransport {
            try HTTPConnection(trustStore: trustStore)
        }
        return open
    }

    /// The region requests are signed for.
    public var region: String { configuration.region }

    /// The endpoint of a service, as the configuration resolved it.
    public func endpoint(for service: AWSService) -> ServiceEndpoint {
        configuration.endpoint(for: service)
    }

    /// Added to the local clock when signing, after AWS said our clock is off.
    public var clockOffsetMilliseconds: Int64 { clockOffset.withLock { $0 } }

    /// Connections opened to a service so far (1 when requests to it never overlapped).
    public func connectionsOpened(to service: AWSService) -> Int {
        pools[service]?.openedCount ?? 0
    }

    /// Sends a request until it succeeds, is refused as the request expects, fails for good, or no
    /// time is left.
    /// - Parameters:
    ///   - request: The unsigned request.
    ///   - call: The invocation's deadline, logger and attempt counter.
    /// - Returns: The 2xx response, or the refusal the request declared (a failed condition).
    /// - Throws: ``AWSError`` for an error status that is final or still failing after retries,
    ///   a transport failure after retries, or missing credentials.
    public func send(_ request: AWSRequest, _ call: AWSCall) throws(AWSError) -> AWSResponse {
        var policy = configuration.retryPolicy(for: request.service)
        if let margin = call.deadlineMarginMilliseconds { policy.deadlineMarginMilliseconds = margin }
        let payloadHash = SHA256.hash(request.body).hexEncodedString
        var retry = RetryState()
        while true {
            retry.attempts += 1
            let started = now()
            let outcome = try attempt(request, payloadHash: payloadHash, policy: policy, call)
            let (kind, failure): (FailureKind, AWSError)
            switch outcome {
            case .success(let response):
                logAttempt(request, retry.attempts, response.status, started, call.logger)
                if (200..<300).contains(response.status) {
                    quotas.withLock { $0[request.service, default: RetryQuota()].recordSuccess(paidForRetries: retry.tokensPaid) }
                    return .success(response)
                }
                let error = AWSErrorResponse(response)
                if let refusal = request.refusal, refusal.matches(status: response.status, error: error) {
                    return .refused(error)
                }
                (kind, failure) = classify(response, error, request, &retry, call.logger)
            case .failure(let transportError):
                (kind, failure) = classify(transportError, request, retry.attempts, call.logger)
            }
            let decision = decide(kind, policy: policy, request: request, &retry, call)
            switch decision {
            case .retry(let delay):
                sleep(delay)
            case .giveUp(let reason):
                var final = failure
                final.giveUpReason = reason
                throw final
            }
        }
    }

    /// What one call's retry loop remembers between attempts.
    private struct RetryState {
        var attempts = 0
        var tokensPaid = 0
        var clockCorrected = false
        var credentialsRefreshed = false
    }

    /// AWS codes for a session token that has expired.
    static let expiredTokenCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired"]

    /// An error status: the error to report, and what kind of failure it is for the retry decision.
    /// A skewed clock is corrected once from the `Date` header; an expired token refreshes the keys once.
    private func classify(_ response: HTTPResponse, _ error: AWSErrorResponse, _ request: AWSRequest,
                          _ retry: inout RetryState, _ logger: Logger) -> (FailureKind, AWSError) {
        let failure = AWSError(service: request.service, operation: request.operation,
                               kind: .service(status: response.status, code: error.code, message: error.message),
                               attempts: retry.attempts, requestID: error.requestID, details: error.json)
        var kind = FailureKind.classify(status: response.status, code: error.code, message: error.message, details: error.json)
        if kind == .clockSkew {
            if !retry.clockCorrected, let serverTime = response.header("date").flatMap(HTTPDate.parse) {
                let offset = serverTime - now()
                clockOffset.withLock { $0 = offset }
                retry.clockCorrected = true
                logger.warn("Clock skew corrected from the \(request.service.displayName) Date header",
                            [LogField("aws.clock_offset_ms", .number(JSONNumber(offset)))])
            } else {
                kind = .permanent  // corrected once already, or nothing to correct from
            }
        }
        if Self.expiredTokenCodes.contains(error.code), !retry.credentialsRefreshed {
            // The cached session expired early: fetch new keys once and try again.
            credentials.invalidate()
            retry.credentialsRefreshed = true
            kind = .clockSkew  // a free, immediate retry
        }
        return (kind, failure)
    }

    /// A transport failure: timeouts and broken connections may be retried, anything else is final.
    private func classify(_ transportError: HTTPError, _ request: AWSRequest, _ attempts: Int,
                          _ logger: Logger) -> (FailureKind, AWSError) {
        logger.debug("AWS attempt failed to complete", [
            LogField("aws.service", .string(request.service.rawValue)),
            LogField("aws.operation", .string(request.operation)),
            LogField("aws.attempt", .number(JSONNumber(attempts))),
            LogField("error", .string(transportError.description)),
        ])
        // A certificate that did not verify will not verify on the next attempt either (permanent).
        let failure = AWSError(service: request.service, operation: request.operation,
                               kind: transportError.isCertificateFailure ? .certificateRejected(transportError.description)
                                   : .transport(transportError.description), attempts: attempts)
        let kind: FailureKind = transportError.isTimeout ? .timeout : (transportError.isConnectionFailure ? .transient : .permanent)
        return (kind, failure)
    }

    /// The retry decision, charged to the service's shared quota.
    private func decide(_ kind: FailureKind, policy: RetryPolicy, request: AWSRequest,
                        _ retry: inout RetryState, _ call: AWSCall) -> RetryDecision {
        let (time, unit) = (now(), unitRandom())
        let attempts = retry.attempts
        let (decision, tokens) = quotas.withLock { quotas in
            policy.decide(kind: kind, attemptsMade: attempts, nowMilliseconds: time,
                          deadlineMilliseconds: call.deadlineMilliseconds, unit: unit,
                          quota: &quotas[request.service, default: RetryQuota()])
        }
        retry.tokensPaid += tokens
        return decision
    }

    /// One signed attempt. Transport failures come back as values so the caller can classify them.
    private func attempt(_ request: AWSRequest, payloadHash: String, policy: RetryPolicy,
                         _ call: AWSCall) throws(AWSError) -> Result<HTTPResponse, HTTPError> {
        let keys: AWSCredentials
        do {
            keys = try credentials.credentials()
        } catch {
            throw AWSError(service: request.service, operation: request.operation, kind: .credentials(error.message))
        }
        var headers = [HTTPHeader("Host", request.endpoint.hostHeader)] + request.headers
        let signable = SignableRequest(method: request.method, path: request.path, query: request.query,
                                       headers: headers, payloadSHA256: payloadHash)
        let time = AWSTimestamp(millisecondsSinceEpoch: now() + clockOffsetMilliseconds)
        headers += SigV4.sign(signable, credentials: keys, region: configuration.region,
                              service: request.service.signingName, at: time,
                              options: request.service == .s3 ? .s3 : .standard, keys: signingKeys)
        headers.append(HTTPHeader("User-Agent", Self.userAgent))
        // After signing, so it is not signed: the SDKs leave it out of SigV4 too, and a proxy or
        // X-Ray may rewrite it without breaking the signature.
        if let trace = call.traceHeader { headers.append(HTTPHeader(Self.traceHeaderName, trace)) }

        let timeout = policy.attemptTimeoutMilliseconds(configuredMilliseconds: Int64(configuration.attemptTimeoutMilliseconds),
                                                        nowMilliseconds: now(), deadlineMilliseconds: call.deadlineMilliseconds)
        let httpRequest = HTTPRequest(
            method: request.method, url: request.url, headers: headers, body: request.body,
            timeouts: HTTPTimeouts(connectMilliseconds: min(configuration.connectTimeoutMilliseconds, Int(timeout)),
                                   totalMilliseconds: Int(timeout)))
        call.attempts.increment()
        guard let pool = pools[request.service] else { preconditionFailure("a pool per AWSService case is made in init") }
        do {
            return try pool.withConnection { connection in
                Result { () throws(HTTPError) in try connection.perform(httpRequest) }
            }
        } catch {
            return .failure(error)
        }
    }

    private func logAttempt(_ request: AWSRequest, _ attempt: Int, _ status: Int, _ started: Int64, _ logger: Logger) {
        guard logger.isEnabled(.debug) else { return }
        logger.debug("AWS request", [
            LogField("aws.service", .string(request.service.rawValue)),
            LogField("aws.operation", .string(request.operation)),
            LogField("aws.attempt", .number(JSONNumber(attempt))),
            LogField("http.status", .number(JSONNumber(status))),
            LogField("duration_ms", .number(JSONNumber(now() - started))),
        ])
    }

    static let userAgent = "order-pipeline-bootstrap/1.0 (Swift; libcurl)"
    /// The X-Ray trace header the AWS SDKs add from the invocation's trace ID.
    static let traceHeaderName = "X-Amzn-Trace-Id"
}

/// What a sent request came back with, short of an error.
public enum AWSResponse: Sendable {
    /// A 2xx response.
    case success(HTTPResponse)
    /// The refusal the request declared it expects (a failed condition): an answer, not a failure.
    case refused(AWSErrorResponse)
}
