import HTTP
import Hashing
import JSON
import Essentials

/// Signs, sends and retries AWS requests: one kept-alive connection per service, the SDKs' standard
/// retry mode with its quota, attempts cut to the invocation deadline, and clock-skew correction.
///
/// Not `Sendable`: the runtime handles one invocation at a time on one thread.
public final class AWSRequestSender {
    private let configuration: AWSClientConfiguration
    private let credentials: CredentialsProvider
    private let now: () -> Int64
    private let sleep: (Int64) -> Void
    private let unitRandom: () -> Double
    private var connections: [AWSService: HTTPConnection] = [:]
    private var endpoints: [AWSService: ServiceEndpoint] = [:]
    private var quotas: [AWSService: RetryQuota] = [:]
    /// Added to the local clock when signing, after AWS said our clock is off.
    public private(set) var clockOffsetMilliseconds: Int64 = 0
    /// Attempts sent since the process started, for the per-invocation request count.
    public private(set) var attemptsSent = 0
    /// Each service's SigV4 signing key for the current day and secret: four HMACs saved per request.
    private var signingKeys: [AWSService: (id: SigningKeyID, key: [UInt8])] = [:]

    /// Creates the sender.
    /// - Parameters:
    ///   - configuration: Region, endpoints, timeouts, retry overrides.
    ///   - credentials: The credential chain.
    ///   - now: The wall clock in Unix milliseconds.
    ///   - sleep: Waits between attempts.
    ///   - unitRandom: A random number in [0, 1] for the backoff jitter.
    public init(configuration: AWSClientConfiguration, credentials: CredentialsProvider,
                now: @escaping () -> Int64 = { SystemClock.wallMilliseconds() },
                sleep: @escaping (Int64) -> Void = { SystemClock.sleep(milliseconds: $0) },
                unitRandom: @escaping () -> Double = { Double.random(in: 0...1) }) {
        self.configuration = configuration
        self.credentials = credentials
        self.now = now
        self.sleep = sleep
        self.unitRandom = unitRandom
    }

    /// The configuration in use.
    public var region: String { configuration.region }

    /// The endpoint of a service.
    /// - Throws: ``AWSError`` naming the variable when an override is malformed.
    public func endpoint(for service: AWSService, operation: String) throws(AWSError) -> ServiceEndpoint {
        if let resolved = endpoints[service] { return resolved }
        do {
            let resolved = try configuration.endpoints.endpoint(for: service)
            endpoints[service] = resolved  // parsed once: it is on every request's path
            return resolved
        } catch {
            throw AWSError(service: service, operation: operation,
                           kind: .configuration("\(error.variable) is not http(s)://host[:port]: \"\(error.value)\""))
        }
    }

    /// Sends a request until it succeeds, fails for good, or no time is left.
    /// - Parameters:
    ///   - request: The unsigned request.
    ///   - deadlineMilliseconds: The invocation deadline (Unix ms), or `nil` for none.
    ///   - logger: For one debug line per attempt.
    /// - Returns: The 2xx response.
    /// - Throws: ``AWSError`` for an error status that is final or still failing after retries,
    ///   a transport failure after retries, or missing credentials.
    public func send(_ request: AWSRequest, deadlineMilliseconds: Int64?, logger: Logger) throws(AWSError) -> HTTPResponse {
        let policy = configuration.retryPolicy(for: request.service)
        let payloadHash = SHA256.hash(request.body).hexEncodedString
        var attempts = 0
        var tokensPaid = 0
        var clockCorrected = false
        var credentialsRefreshed = false

        while true {
            attempts += 1
            let started = now()
            let outcome = try attempt(request, payloadHash: payloadHash, policy: policy, deadlineMilliseconds: deadlineMilliseconds)
            let kind: FailureKind
            var failure: AWSError

            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                logAttempt(request, attempts, response.status, started, logger)
                quotas[request.service, default: RetryQuota()].recordSuccess(paidForRetries: tokensPaid)
                return response

            case .success(let response):
                logAttempt(request, attempts, response.status, started, logger)
                let error = AWSErrorResponse(response)
                failure = AWSError(service: request.service, operation: request.operation,
                                   kind: .service(status: response.status, code: error.code, message: error.message),
                                   attempts: attempts, requestID: error.requestID, details: error.json)
                var classified = FailureKind.classify(status: response.status, code: error.code, message: error.message)
                if classified == .clockSkew {
                    if !clockCorrected, let serverTime = response.header("date").flatMap(HTTPDate.parse) {
                        clockOffsetMilliseconds = serverTime - now()
                        clockCorrected = true
                        logger.warn("Clock skew corrected from the \(request.service.displayName) Date header",
                                    [LogField("aws.clock_offset_ms", .number(JSONNumber(clockOffsetMilliseconds)))])
                    } else {
                        classified = .permanent  // corrected once already, or nothing to correct from
                    }
                }
                if Self.expiredTokenCodes.contains(error.code), !credentialsRefreshed {
                    // The cached session expired early: fetch new keys once and try again.
                    credentials.invalidate()
                    credentialsRefreshed = true
                    classified = .clockSkew  // a free, immediate retry
                }
                kind = classified

            case .failure(let transportError):
                logger.debug("AWS attempt failed to complete", [
                    LogField("aws.service", .string(request.service.rawValue)),
                    LogField("aws.operation", .string(request.operation)),
                    LogField("aws.attempt", .number(JSONNumber(attempts))),
                    LogField("error", .string(transportError.description)),
                ])
                failure = AWSError(service: request.service, operation: request.operation,
                                   kind: transportError.isCertificateFailure ? .certificateRejected(transportError.description)
                                       : .transport(transportError.description), attempts: attempts)
                // A certificate that did not verify will not verify on the next attempt either.
                kind = transportError.isTimeout ? .timeout : (transportError.isConnectionFailure ? .transient : .permanent)
            }

            var quota = quotas[request.service, default: RetryQuota()]
            let (decision, tokens) = policy.decide(kind: kind, attemptsMade: attempts, nowMilliseconds: now(),
                                                   deadlineMilliseconds: deadlineMilliseconds, unit: unitRandom(), quota: &quota)
            quotas[request.service] = quota
            switch decision {
            case .retry(let delay):
                tokensPaid += tokens
                sleep(delay)
            case .giveUp(let reason):
                failure.giveUpReason = reason
                throw failure
            }
        }
    }

    /// AWS codes for a session token that has expired.
    static let expiredTokenCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired"]

    /// One signed attempt. Transport failures come back as values so the caller can classify them.
    private func attempt(_ request: AWSRequest, payloadHash: String, policy: RetryPolicy,
                         deadlineMilliseconds: Int64?) throws(AWSError) -> Result<HTTPResponse, HTTPError> {
        let keys: AWSCredentials
        do {
            keys = try credentials.credentials()
        } catch {
            throw AWSError(service: request.service, operation: request.operation, kind: .credentials(error.message))
        }
        var headers = [HTTPHeader("Host", request.endpoint.hostHeader)] + request.headers
        let signable = SignableRequest(method: request.method, path: request.path, query: request.query,
                                       headers: headers.map { (name: $0.name, value: $0.value) }, payloadSHA256: payloadHash)
        let options = request.service == .s3 ? SigningOptions.s3 : SigningOptions.standard
        let time = AWSTimestamp(millisecondsSinceEpoch: now() + clockOffsetMilliseconds)
        let scope = CredentialScope(time: time, region: configuration.region, service: request.service.signingName)
        let keyID = SigningKeyID(secretAccessKey: keys.secretAccessKey, scope: scope.string)
        let signingKey: [UInt8]
        if let cached = signingKeys[request.service], cached.id == keyID {
            signingKey = cached.key
        } else {
            signingKey = SigV4.signingKey(secretAccessKey: keys.secretAccessKey, scope: scope)
            signingKeys[request.service] = (keyID, signingKey)
        }
        let signature = SigV4.sign(signable, credentials: keys, region: configuration.region,
                                   service: request.service.signingName, at: time, options: options,
                                   cachedSigningKey: signingKey)
        headers += signature.map { HTTPHeader($0.name, $0.value) }
        headers.append(HTTPHeader("User-Agent", Self.userAgent))

        let timeout = policy.attemptTimeoutMilliseconds(configuredMilliseconds: Int64(configuration.attemptTimeoutMilliseconds),
                                                        nowMilliseconds: now(), deadlineMilliseconds: deadlineMilliseconds)
        let httpRequest = HTTPRequest(
            method: request.method, url: request.url, headers: headers, body: request.body,
            timeouts: HTTPTimeouts(connectMilliseconds: min(configuration.connectTimeoutMilliseconds, Int(timeout)),
                                   totalMilliseconds: Int(timeout)))
        attemptsSent += 1
        do {
            return .success(try connection(for: request.service).perform(httpRequest))
        } catch {
            return .failure(error)
        }
    }

    private func connection(for service: AWSService) throws(HTTPError) -> HTTPConnection {
        if let existing = connections[service] { return existing }
        let created = try HTTPConnection(trustStore: configuration.trustStore)
        connections[service] = created
        return created
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
}

/// What a SigV4 signing key is derived from (besides the fixed "AWS4" prefix and terminator).
private struct SigningKeyID: Hashable {
    let secretAccessKey: String
    let scope: String
}

@available(*, unavailable)
extension AWSRequestSender: Sendable {}
