import HTTP
import Hashing
import Synchronization
import Essentials

/// AWS Signature Version 4 for the `Authorization` header, as a chain of small pure stages.
///
/// Stage 1 ``canonicalRequest(_:options:)``, stage 2 ``stringToSign(canonicalRequest:scope:amzDate:)``,
/// stage 3 ``signingKey(secretAccessKey:scope:)`` and ``signature(stringToSign:signingKey:)``, then
/// ``authorization(accessKeyID:scope:signedHeaders:signature:)``; ``sign(_:credentials:region:service:at:options:)``
/// runs them all. Credentials and the clock are parameters, so every stage is testable byte for byte
/// against AWS's vectors. See the IAM user guide, "Create a signed AWS API request"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html) and, for
/// S3, https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html.
public enum SigV4 {
    /// The algorithm name that opens the string to sign and the `Authorization` value.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The last part of every credential scope.
    public static let scopeTerminator = "aws4_request"
    /// The lowercase hex SHA-256 of an empty body.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash S3 accepts in place of a real one when the body is not signed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// Headers never signed even when the request carries them:
    /// - `authorization` holds the signature itself;
    /// - `content-length`, `transfer-encoding`, `expect` and `connection` belong to the transport:
    ///   libcurl sets or rewrites them on its own (chunked uploads, `Expect: 100-continue` for larger
    ///   bodies), and `transfer-encoding`/`connection` are hop-by-hop, so proxies may change them
    ///   (RFC 9110 §7.6.1). The body is covered by the payload hash anyway;
    /// - `user-agent` and `x-amzn-trace-id` are rewritten or added by libcurl, proxies and the
    ///   Lambda/X-Ray environment after signing (botocore leaves them out for the same reason).
    /// A header that changes between signing and sending turns into `SignatureDoesNotMatch`.
    public static let neverSignedHeaderNames: Set<String> = [
        "authorization", "content-length", "expect", "user-agent", "x-amzn-trace-id", "transfer-encoding", "connection",
    ]

    // MARK: - Stage 2

    /// Builds the string to sign (Stage 2): the algorithm, `X-Amz-Date`, the credential scope and the
    /// lowercase hex SHA-256 of the canonical request, one per line.
    /// - Parameters:
    ///   - canonicalRequest: The output of ``canonicalRequest(_:options:)``.
    ///   - scope: The credential scope; its date must be the day of `amzDate`.
    ///   - amzDate: The request's `X-Amz-Date`, e.g. `20150830T123600Z`.
    /// - Returns: The string to sign.
    public static func stringToSign(canonicalRequest: String, scope: CredentialScope, amzDate: String) -> String {
        algorithm + "\n" + amzDate + "\n" + scope.string + "\n" + SHA256.hash(canonicalRequest.utf8).hexEncodedString
    }

    // MARK: - Stage 3

    /// Derives the signing key (Stage 3): HMAC-SHA256 of the date with `"AWS4" + secret`, then of the
    /// region, the service and `aws4_request`, each keyed with the previous result.
    /// - Parameters:
    ///   - secretAccessKey: The secret access key.
    ///   - scope: The credential scope whose parts are chained in.
    /// - Returns: The 32-byte signing key.
    public static func signingKey(secretAccessKey: String, scope: CredentialScope) -> [UInt8] {
        let date = HMACSHA256.authenticationCode(key: Array(("AWS4" + secretAccessKey).utf8), message: Array(scope.dateStamp.utf8))
        let region = HMACSHA256.authenticationCode(key: date, message: Array(scope.region.utf8))
        let service = HMACSHA256.authenticationCode(key: region, message: Array(scope.service.utf8))
        return HMACSHA256.authenticationCode(key: service, message: Array(scopeTerminator.utf8))
    }

    /// Signs the string to sign with the signing key (Stage 3).
    /// - Parameters:
    ///   - stringToSign: The output of ``stringToSign(canonicalRequest:scope:amzDate:)``.
    ///   - signingKey: The output of ``signingKey(secretAccessKey:scope:)``.
    /// - Returns: The signature as 64 lowercase hex digits.
    public static func signature(stringToSign: String, signingKey: [UInt8]) -> String {
        HMACSHA256.authenticationCode(key: signingKey, message: Array(stringToSign.utf8)).hexEncodedString
    }

    // MARK: - Stage 4

    /// The `Authorization` header value (Stage 4), e.g.
    /// `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa0…bf31`.
    /// - Parameters:
    ///   - accessKeyID: The access key ID.
    ///   - scope: The credential scope.
    ///   - signedHeaders: The output of ``signedHeaders(_:)`` for the headers that were signed.
    ///   - signature: The output of ``signature(stringToSign:signingKey:)``.
    /// - Returns: The header value.
    public static func authorization(accessKeyID: String, scope: CredentialScope, signedHeaders: String, signature: String) -> String {
        "\(algorithm) Credential=\(accessKeyID)/\(scope.string), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    // MARK: - All stages

    /// Signs a request and returns the headers to add to it.
    ///
    /// Returns, in this order: `X-Amz-Date`; `X-Amz-Security-Token` when the credentials carry a
    /// session token (added before signing and signed, unless `options.omitSessionToken`);
    /// `X-Amz-Content-Sha256` equal to `request.payloadSHA256` when `options.addContentSHA256Header`
    /// (signed); and `Authorization`. Every request header is signed except ``neverSignedHeaderNames``,
    /// so only pass headers that will be sent unchanged (not the ones libcurl adds by itself).
    /// - Parameters:
    ///   - request: The request as it will be sent; must contain `Host` (with `:port` for a
    ///     non-default port) and none of the headers this function adds.
    ///   - credentials: The credentials to sign with.
    ///   - region: The signing region, e.g. `us-east-1`.
    ///   - service: The signing name, e.g. `dynamodb`, `s3`.
    ///   - time: The signing time; `X-Amz-Date` and the scope date both come from it.
    ///   - options: The per-service rules.
    ///   - keys: The caller's signing-key cache (the key changes only with the day, region, service
    ///     and secret); derived here when `nil`.
    /// - Returns: The headers to add to the request.
    ///
    /// A request without `Host`, or one that already has a header this function adds, is a
    /// programmer error and traps.
    public static func sign(
        _ request: SignableRequest,
        credentials: AWSCredentials,
        region: String,
        service: String,
        at time: AWSTimestamp,
        options: SigningOptions,
        keys: SigningKeyCache? = nil
    ) -> [HTTPHeader] {
        // Each header name is normalized once, here; the canonical request and the signed list reuse it.
        let requestHeaders = normalizedHeaders(request.headers)
        let present = Set(requestHeaders.map(\.name))
        guard present.contains("host") else {
            preconditionFailure("SigV4.sign: the request has no Host header; add it (with :port for a non-default port) before signing")
        }

        var addedNames = ["x-amz-date", "authorization"]
        if credentials.sessionToken != nil { addedNames.append("x-amz-security-token") }
        if options.addContentSHA256Header { addedNames.append("x-amz-content-sha256") }
        if let clash = addedNames.first(where: present.contains) {
            preconditionFailure("SigV4.sign: the request already has \(clash); sign adds it")
        }

        var added = [HTTPHeader("X-Amz-Date", time.amzDate)]
        let unsignedToken = options.omitSessionToken ? credentials.sessionToken : nil
        if let token = credentials.sessionToken, !options.omitSessionToken {
            added.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        if options.addContentSHA256Header {
            added.append(HTTPHeader("X-Amz-Content-Sha256", request.payloadSHA256))
        }

        let headers = (requestHeaders + added.map { HTTPHeader(asciiLowercased($0.name), trimmedAndCollapsed($0.value)) })
            .filter { !neverSignedHeaderNames.contains($0.name) }
            .sorted { precedesByteWise($0.name, $1.name) }
        let scope = CredentialScope(time: time, region: region, service: service)
        let canonical = canonicalRequest(request, normalizedHeaders: headers, options: options)
        let toSign = stringToSign(canonicalRequest: canonical, scope: scope, amzDate: time.amzDate)
        let key = keys?.key(secretAccessKey: credentials.secretAccessKey, scope: scope)
            ?? signingKey(secretAccessKey: credentials.secretAccessKey, scope: scope)
        let value = authorization(
            accessKeyID: credentials.accessKeyID,
            scope: scope,
            signedHeaders: format(signedHeaders: headers),
            signature: signature(stringToSign: toSign, signingKey: key)
        )

        if let unsignedToken {
            added.append(HTTPHeader("X-Amz-Security-Token", unsignedToken))   // sent, but added after signing
        }
        added.append(HTTPHeader("Authorization", value))
        return added
    }
}

/// Each service's signing key for the current day and secret, shared by every thread that signs:
/// four HMACs saved per request. The key changes at midnight UTC and when the secret rotates.
public final class SigningKeyCache: Sendable {
    private struct Entry {
        let secretAccessKey: String
        let scope: String
        let key: [UInt8]
    }
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates an empty cache.
    public init() {}

    /// The signing key of a scope, derived on first use and when the secret or day changes.
    public func key(secretAccessKey: String, scope: CredentialScope) -> [UInt8] {
        let scopeText = scope.string
        if let cached = entries.withLock({ $0[scope.service] }), cached.secretAccessKey == secretAccessKey, cached.scope == scopeText {
            return cached.key
        }
        // Derived outside the lock: two threads may both derive on a day change, and both get the same key.
        let key = SigV4.signingKey(secretAccessKey: secretAccessKey, scope: scope)
        entries.withLock { $0[scope.service] = Entry(secretAccessKey: secretAccessKey, scope: scopeText, key: key) }
        return key
    }
}

/// What SigV4 needs to know about an HTTP request, exactly as it will go on the wire.
public struct SignableRequest: Sendable {
    /// The HTTP method, e.g. `GET`, `PUT`, `POST`.
    public var method: String
    /// The exact wire path, already percent-encoded as it will be sent, e.g. `/bucket/raw/events/a%20b.json`.
    /// An empty path is signed as `/`.
    public var path: String
    /// The raw wire query without the `?`, e.g. `list-type=2&prefix=a`; empty when there is none.
    public var query: String
    /// The headers that will be sent, in order, names in any case. Must include `Host` (with
    /// `:port` when the endpoint's port is not the scheme's default), since it is always signed.
    public var headers: [HTTPHeader]
    /// The lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadSHA256: String

    /// Creates a request description.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: The percent-encoded wire path.
    ///   - query: The raw wire query without `?`, or empty.
    ///   - headers: The headers that will be sent, including `Host`.
    ///   - payloadSHA256: The lowercase hex SHA-256 of the body (``SigV4/emptyPayloadSHA256`` for none),
    ///     or ``SigV4/unsignedPayload``.
    public init(method: String, path: String, query: String = "", headers: [HTTPHeader], payloadSHA256: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadSHA256 = payloadSHA256
    }
}

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

/// A point in time in UTC with millisecond precision, and the text forms SigV4 and our logs use.
///
/// The clock is not read here: callers pass the time in, so signing is a pure function and
/// tests can pin it (soto-core's `signHeaders(…, date:)` does the same).
public struct AWSTimestamp: Sendable, Equatable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSinceEpoch: Int64

    /// Creates a timestamp.
    /// - Parameter millisecondsSinceEpoch: Milliseconds since 1970-01-01T00:00:00Z; negative is before.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The ISO 8601 *basic* form SigV4 signs and sends as `X-Amz-Date`: `yyyyMMdd'T'HHmmss'Z'`,
    /// e.g. `20150830T123600Z`. Always UTC; no milliseconds and no offset.
    public var amzDate: String { fields.basicISO8601 }

    /// The credential-scope date `yyyyMMdd`, e.g. `20150830`: the UTC day of ``amzDate``.
    public var dateStamp: String { fields.dateStamp }

    /// The ISO 8601 extended form with milliseconds, e.g. `2026-11-25T19:09:06.123Z`, for logs and
    /// the stored `processed_at`.
    public var iso8601: String { fields.iso8601 }

    /// Orders timestamps by time.
    /// - Parameters:
    ///   - lhs: A timestamp.
    ///   - rhs: Another timestamp.
    /// - Returns: `true` when `lhs` is earlier than `rhs`.
    public static func < (lhs: AWSTimestamp, rhs: AWSTimestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// The UTC calendar fields of this timestamp (one calendar implementation for the whole runtime).
    var fields: UTCDateTime { UTCDateTime(millisecondsSinceEpoch: millisecondsSinceEpoch) }
}
