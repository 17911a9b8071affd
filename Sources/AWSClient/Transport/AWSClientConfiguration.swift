import HTTP

/// Settings of the AWS client, built once by `main` from the environment.
public struct AWSClientConfiguration: Sendable, Equatable {
    /// The region requests are signed for and sent to (`AWS_REGION`).
    public var region: String
    /// Each service's endpoint, resolved once from the overrides (`AWS_ENDPOINT_URL`,
    /// `AWS_ENDPOINT_URL_<SERVICE>`) by whoever reads the configuration; a service missing here
    /// goes to its public AWS endpoint in `region`.
    public var endpoints: [AWSService: ServiceEndpoint]
    /// Time allowed to open a connection (`AWS_CONNECT_TIMEOUT_MS`, default 1000).
    public var connectTimeoutMilliseconds: Int
    /// Time allowed for one attempt, request and response (`AWS_ATTEMPT_TIMEOUT_MS`, default 3000);
    /// cut shorter when the invocation deadline is nearer.
    public var attemptTimeoutMilliseconds: Int
    /// `AWS_MAX_ATTEMPTS`, overriding the per-service default (DynamoDB 4, S3 3).
    public var maxAttemptsOverride: Int?
    /// Time kept free before the invocation deadline (`DEADLINE_MARGIN_MS`, default 500): no attempt
    /// starts that could run into it, so the claim can still be released and the error reported.
    public var deadlineMarginMilliseconds: Int64
    /// Where TLS finds the certificate authorities (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the system store).
    public var trustStore: TrustStoreLocation?

    /// Creates a configuration.
    public init(region: String, endpoints: [AWSService: ServiceEndpoint] = [:], connectTimeoutMilliseconds: Int = 1_000,
                attemptTimeoutMilliseconds: Int = 3_000, maxAttemptsOverride: Int? = nil,
                deadlineMarginMilliseconds: Int64 = 500, trustStore: TrustStoreLocation? = nil) {
        self.region = region
        self.endpoints = endpoints
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.attemptTimeoutMilliseconds = attemptTimeoutMilliseconds
        self.maxAttemptsOverride = maxAttemptsOverride
        self.deadlineMarginMilliseconds = deadlineMarginMilliseconds
        self.trustStore = trustStore
    }

    /// The endpoint of a service.
    public func endpoint(for service: AWSService) -> ServiceEndpoint {
        endpoints[service] ?? .aws(service, region: region)
    }

    /// The retry policy for a service: the SDK standard mode with this configuration's overrides.
    public func retryPolicy(for service: AWSService) -> RetryPolicy {
        var policy = RetryPolicy.standard(for: service)
        if let maxAttemptsOverride { policy.maxAttempts = maxAttemptsOverride }
        policy.deadlineMarginMilliseconds = deadlineMarginMilliseconds
        return policy
    }
}
