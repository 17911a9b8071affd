/// The credential scope of a SigV4 signature: `yyyyMMdd/region/service/aws4_request`.
///
/// It appears in the string to sign and in the `Credential=` part of `Authorization`, and its
/// parts, in order, derive the signing key (IAM user guide, "Create a signed AWS API request").
public struct CredentialScope: Sendable, Equatable {
    /// The UTC date `yyyyMMdd`; must be the day of the request's `X-Amz-Date`.
    public var dateStamp: String
    /// The region, e.g. `us-east-1`.
    public var region: String
    /// The signing name of the service, e.g. `dynamodb`, `s3`.
    public var service: String

    /// Creates a scope from its parts.
    /// - Parameters:
    ///   - dateStamp: The UTC date `yyyyMMdd`.
    ///   - region: The region.
    ///   - service: The service signing name.
    public init(dateStamp: String, region: String, service: String) {
        self.dateStamp = dateStamp
        self.region = region
        self.service = service
    }

    /// Creates the scope for a request signed at `time`, so the date always matches `X-Amz-Date`.
    /// - Parameters:
    ///   - time: The signing time.
    ///   - region: The region.
    ///   - service: The service signing name.
    public init(time: AWSTimestamp, region: String, service: String) {
        self.init(dateStamp: time.dateStamp, region: region, service: service)
    }

    /// The scope as signed, e.g. `20150830/us-east-1/service/aws4_request`.
    public var string: String {
        "\(dateStamp)/\(region)/\(service)/\(SigV4.scopeTerminator)"
    }
}
