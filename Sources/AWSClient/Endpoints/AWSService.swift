/// The AWS services this function calls, with the numbers that differ between them.
public enum AWSService: String, Sendable, CaseIterable {
    case dynamoDB = "dynamodb"
    case s3 = "s3"

    /// The SigV4 signing name and the `AWS_ENDPOINT_URL_<SERVICE>` suffix.
    public var signingName: String { rawValue }

    /// The name used in error messages and logs.
    public var displayName: String {
        switch self {
        case .dynamoDB: "DynamoDB"
        case .s3: "S3"
        }
    }

    /// `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`: the service-specific override variable.
    public var endpointVariable: String {
        "AWS_ENDPOINT_URL_" + rawValue.uppercased()
    }
}
