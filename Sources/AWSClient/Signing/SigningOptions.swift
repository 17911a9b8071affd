/// The per-service differences in how SigV4 is applied.
public struct SigningOptions: Sendable, Equatable {
    /// S3 rules: the canonical URI is the wire path exactly as sent, with no normalisation and
    /// no second encoding (S3 API reference, "Signature Calculations for the Authorization Header").
    public var isS3: Bool
    /// For services other than S3: remove `.`/`..` segments and duplicate slashes from the path
    /// before encoding it for the canonical URI. Ignored when ``isS3`` is set.
    public var normalizePath: Bool
    /// Send and sign `X-Amz-Content-Sha256` equal to the payload hash; S3 requires it.
    public var addContentSHA256Header: Bool
    /// Send `X-Amz-Security-Token` but leave it out of the signature, for the few services that
    /// want the token added after signing (suite case `post-sts-header-after`). Most, S3 and
    /// DynamoDB included, need it signed, so this is `false` by default.
    public var omitSessionToken: Bool

    /// Creates options; the defaults follow from `isS3`.
    /// - Parameters:
    ///   - isS3: Whether the S3 rules apply.
    ///   - normalizePath: Whether to normalise the path; defaults to `!isS3`.
    ///   - addContentSHA256Header: Whether to add `X-Amz-Content-Sha256`; defaults to `isS3`.
    ///   - omitSessionToken: Whether to leave the session token unsigned; defaults to `false`.
    public init(isS3: Bool = false, normalizePath: Bool? = nil, addContentSHA256Header: Bool? = nil, omitSessionToken: Bool = false) {
        self.isS3 = isS3
        self.normalizePath = normalizePath ?? !isS3
        self.addContentSHA256Header = addContentSHA256Header ?? isS3
        self.omitSessionToken = omitSessionToken
    }

    /// The rules for S3: single encoding, no normalisation, `X-Amz-Content-Sha256` added and signed.
    public static let s3 = SigningOptions(isS3: true)

    /// The rules for every other service (DynamoDB, STS, …): normalised, double-encoded path.
    public static let standard = SigningOptions()
}
