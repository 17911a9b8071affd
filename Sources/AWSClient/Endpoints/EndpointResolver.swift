/// Picks each service's endpoint the way the AWS SDKs read the environment:
/// `AWS_ENDPOINT_URL_<SERVICE>` wins over `AWS_ENDPOINT_URL`, which wins over the public endpoint.
public struct EndpointResolver: Sendable, Equatable {
    /// The region, from `AWS_REGION`.
    public var region: String
    /// `AWS_ENDPOINT_URL`, if set.
    public var globalOverride: String?
    /// `AWS_ENDPOINT_URL_<SERVICE>` values by service.
    public var serviceOverrides: [AWSService: String]

    /// Creates a resolver.
    public init(region: String, globalOverride: String?, serviceOverrides: [AWSService: String]) {
        self.region = region
        self.globalOverride = globalOverride
        self.serviceOverrides = serviceOverrides
    }

    /// An endpoint override that is set but cannot be used.
    public struct InvalidOverride: Error, Sendable, Equatable {
        /// The variable that holds it.
        public var variable: String
        /// Its value.
        public var value: String
    }

    /// The endpoint for a service.
    /// - Parameter service: The service.
    /// - Returns: The endpoint.
    /// - Throws: ``InvalidOverride`` naming the variable when an override is not `http(s)://host[:port]`.
    public func endpoint(for service: AWSService) throws(InvalidOverride) -> ServiceEndpoint {
        if let value = serviceOverrides[service], !value.isEmpty {
            guard let endpoint = ServiceEndpoint.parseOverride(value) else {
                throw InvalidOverride(variable: service.endpointVariable, value: value)
            }
            return endpoint
        }
        if let value = globalOverride, !value.isEmpty {
            guard let endpoint = ServiceEndpoint.parseOverride(value) else {
                throw InvalidOverride(variable: "AWS_ENDPOINT_URL", value: value)
            }
            return endpoint
        }
        return .aws(service, region: region)
    }
}
