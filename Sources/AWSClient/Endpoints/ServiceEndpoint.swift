/// Where requests for one service go.
public struct ServiceEndpoint: Sendable, Equatable {
    /// `https` on AWS, usually `http` for a local stand-in.
    public var scheme: String
    /// The host name or address, without port.
    public var host: String
    /// The port when it is not the scheme's default.
    public var port: Int?
    /// Whether the endpoint came from an override (`AWS_ENDPOINT_URL…`); S3 then uses path-style URLs.
    public var isOverride: Bool

    /// Creates an endpoint.
    public init(scheme: String, host: String, port: Int?, isOverride: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.isOverride = isOverride
    }

    /// The `Host` header value, which the signature covers: it includes the port when the endpoint
    /// names one. The sender passes it to the HTTP layer, which sends it as given.
    public var hostHeader: String {
        port.map { "\(host):\($0)" } ?? host
    }

    /// `scheme://host[:port]`.
    public var origin: String {
        "\(scheme)://\(hostHeader)"
    }

    /// Parses an endpoint override such as `http://127.0.0.1:5000` or `https://dynamodb.eu-west-1.amazonaws.com`.
    /// - Parameter url: The variable's value.
    /// - Returns: The endpoint, or `nil` when it is not `http(s)://host[:port][/]`.
    public static func parseOverride(_ url: String) -> ServiceEndpoint? {
        let scheme: String
        var rest: Substring
        if url.hasPrefix("http://") {
            scheme = "http"; rest = url.dropFirst(7)
        } else if url.hasPrefix("https://") {
            scheme = "https"; rest = url.dropFirst(8)
        } else {
            return nil
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("@") else { return nil }
        var host = rest
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(number) else { return nil }
            host = rest[..<colon]
            port = (scheme == "http" && number == 80) || (scheme == "https" && number == 443) ? nil : number
        }
        guard !host.isEmpty else { return nil }
        return ServiceEndpoint(scheme: scheme, host: String(host), port: port, isOverride: true)
    }

    /// The public AWS endpoint of a service in a region (`dynamodb.us-east-1.amazonaws.com`,
    /// `s3.us-east-1.amazonaws.com`); China regions use `amazonaws.com.cn`.
    /// - Parameters:
    ///   - service: The service.
    ///   - region: The region, e.g. `eu-west-1`.
    /// - Returns: The HTTPS endpoint.
    public static func aws(_ service: AWSService, region: String) -> ServiceEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return ServiceEndpoint(scheme: "https", host: "\(service.signingName).\(region).\(suffix)", port: nil, isOverride: false)
    }
}
