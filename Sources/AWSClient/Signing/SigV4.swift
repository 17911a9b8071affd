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
    ///   the HTTP layer sets `Content-Length` itself (HTTP clients generally set or rewrite these:
    ///   chunked uploads, `Expect: 100-continue` for larger bodies), and `transfer-encoding`/`connection` are hop-by-hop, so proxies may change them
    ///   (RFC 9110 §7.6.1). The body is covered by the payload hash anyway;
    /// - `user-agent` and `x-amzn-trace-id` are rewritten or added by HTTP clients, proxies and the
    ///   Lambda/X-Ray environment after signing (botocore leaves them out for the same reason).
    /// A header that changes between signing and sending turns into `SignatureDoesNotMatch`.
    public static let neverSignedHeaderNames: Set<String> = [
        "authorization", "content-length", "expect", "user-agent", "x-amzn-trace-id", "transfer-encoding", "connection",
    ]

    /// ``neverSignedHeaderNames`` as a list: comparing a few short names costs less than hashing one.
    static let neverSignedHeaderList = Array(neverSignedHeaderNames)

    // MARK: - Stage 2

    /// Builds the string to sign (Stage 2): the algorithm, `X-Amz-Date`, the credential scope and the
    /// lowercase hex SHA-256 of the canonical request, one per line.
    /// - Parameters:
    ///   - canonicalRequest: The output of ``canonicalRequest(_:options:)``.
    ///   - scope: The credential scope; its date must be the day of `amzDate`.
    ///   - amzDate: The request's `X-Amz-Date`, e.g. `20150830T123600Z`.
    /// - Returns: The string to sign.
    public static func stringToSign(canonicalRequest: String, scope: CredentialScope, amzDate: String) -> String {
        var scopeText: [UInt8] = []
        scope.append(to: &scopeText)
        var out: [UInt8] = []
        appendStringToSign(canonicalDigest: SHA256.hash(canonicalRequest.utf8), scope: scopeText, amzDate: amzDate, to: &out)
        return String(decoding: out, as: UTF8.self)
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
    /// so only pass headers that will be sent unchanged (not the ones the HTTP layer adds by itself: `Host` when absent, `Content-Length`).
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
        // Requests carry a handful of headers: linear scans beat hashing them into sets.
        var headers = normalizedHeaders(request.headers, sorted: false)
        guard headers.contains(where: { $0.name == "host" }) else {
            preconditionFailure("SigV4.sign: the request has no Host header; add it (with :port for a non-default port) before signing")
        }
        let hasToken = credentials.sessionToken != nil
        if let clash = headers.first(where: { header in
            header.name == "x-amz-date" || header.name == "authorization"
                || (hasToken && header.name == "x-amz-security-token")
                || (options.addContentSHA256Header && header.name == "x-amz-content-sha256")
        }) {
            preconditionFailure("SigV4.sign: the request already has \(clash.name); sign adds it")
        }
        headers.removeAll { header in neverSignedHeaderList.contains { $0 == header.name } }

        let amzDate = time.amzDate
        var added = [HTTPHeader("X-Amz-Date", amzDate)]
        headers.append(HTTPHeader("x-amz-date", amzDate))
        let unsignedToken = options.omitSessionToken ? credentials.sessionToken : nil
        if let token = credentials.sessionToken, !options.omitSessionToken {
            added.append(HTTPHeader("X-Amz-Security-Token", token))
            headers.append(HTTPHeader("x-amz-security-token", trimmedAndCollapsed(token)))
        }
        if options.addContentSHA256Header {
            added.append(HTTPHeader("X-Amz-Content-Sha256", request.payloadSHA256))
            headers.append(HTTPHeader("x-amz-content-sha256", trimmedAndCollapsed(request.payloadSHA256)))
        }
        sortByName(&headers)

        // The day is the part of X-Amz-Date before the `T`: one calendar computation for both.
        let dateStamp = String(decoding: amzDate.utf8.prefix { $0 != UInt8(ascii: "T") }, as: UTF8.self)
        let scope = CredentialScope(dateStamp: dateStamp, region: region, service: service)
        var scopeText: [UInt8] = []
        scopeText.reserveCapacity(48)
        scope.append(to: &scopeText)

        // Stages 1 and 2 as bytes, in two reused buffers: no intermediate strings.
        var text: [UInt8] = []
        text.reserveCapacity(1024)
        let signedHeadersRange = appendCanonicalRequest(request, normalizedHeaders: headers, options: options, to: &text)
        let signedHeaders = Array(text[signedHeadersRange])
        let canonicalDigest = SHA256.hash(text)
        text.removeAll(keepingCapacity: true)
        appendStringToSign(canonicalDigest: canonicalDigest, scope: scopeText, amzDate: amzDate, to: &text)

        let key = keys?.macKey(secretAccessKey: credentials.secretAccessKey, scope: scope, scopeText: scopeText)
            ?? HMACSHA256Key(signingKey(secretAccessKey: credentials.secretAccessKey, scope: scope))
        let signature = key.authenticationCode(message: text)

        // Stage 4: `AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<list>, Signature=<hex>`.
        text.removeAll(keepingCapacity: true)
        text.append(contentsOf: algorithm.utf8)
        text.append(contentsOf: " Credential=".utf8)
        text.append(contentsOf: credentials.accessKeyID.utf8)
        text.append(UInt8(ascii: "/"))
        text.append(contentsOf: scopeText)
        text.append(contentsOf: ", SignedHeaders=".utf8)
        text.append(contentsOf: signedHeaders)
        text.append(contentsOf: ", Signature=".utf8)
        text.appendLowercaseHex(of: signature)

        if let unsignedToken {
            added.append(HTTPHeader("X-Amz-Security-Token", unsignedToken))   // sent, but added after signing
        }
        added.append(HTTPHeader("Authorization", String(decoding: text, as: UTF8.self)))
        return added
    }

    /// Appends the string to sign (Stage 2) for a canonical request's digest.
    static func appendStringToSign(canonicalDigest: [UInt8], scope: [UInt8], amzDate: String, to out: inout [UInt8]) {
        out.append(contentsOf: algorithm.utf8)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: amzDate.utf8)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: scope)
        out.append(UInt8(ascii: "\n"))
        out.appendLowercaseHex(of: canonicalDigest)
    }
}

/// Each service's signing key for the current day and secret, shared by every thread that signs:
/// four HMACs saved per request, and the key's two padded blocks hashed once
/// (``HMACSHA256Key``). The key changes at midnight UTC and when the secret rotates.
public final class SigningKeyCache: Sendable {
    private struct Entry {
        let secretAccessKey: String
        let scope: [UInt8]
        let key: [UInt8]
        let macKey: HMACSHA256Key
    }
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates an empty cache.
    public init() {}

    /// The signing key of a scope, derived on first use and when the secret or day changes.
    public func key(secretAccessKey: String, scope: CredentialScope) -> [UInt8] {
        entry(secretAccessKey: secretAccessKey, scope: scope, scopeText: Array(scope.string.utf8)).key
    }

    /// The signing key ready to sign with, the scope already written out as ``CredentialScope/string``
    /// (the signer has it).
    func macKey(secretAccessKey: String, scope: CredentialScope, scopeText: [UInt8]) -> HMACSHA256Key {
        entry(secretAccessKey: secretAccessKey, scope: scope, scopeText: scopeText).macKey
    }

    private func entry(secretAccessKey: String, scope: CredentialScope, scopeText: [UInt8]) -> Entry {
        if let cached = entries.withLock({ $0[scope.service] }), cached.secretAccessKey == secretAccessKey, cached.scope == scopeText {
            return cached
        }
        // Derived outside the lock: two threads may both derive on a day change, and both get the same key.
        let key = SigV4.signingKey(secretAccessKey: secretAccessKey, scope: scope)
        let entry = Entry(secretAccessKey: secretAccessKey, scope: scopeText, key: key, macKey: HMACSHA256Key(key))
        entries.withLock { $0[scope.service] = entry }
        return entry
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

    /// Appends ``string``'s bytes.
    func append(to out: inout [UInt8]) {
        out.append(contentsOf: dateStamp.utf8)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: region.utf8)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: service.utf8)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: SigV4.scopeTerminator.utf8)
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
    public var amzDate: String {
        let fields = self.fields
        // Written digit by digit: it is formatted for every signature. Other years keep the general form.
        guard (0...9999).contains(fields.year) else { return fields.basicISO8601 }
        return String(unsafeUninitializedCapacity: 16) { out in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(fields.year, 4, at: 0)
            put(fields.month, 2, at: 4)
            put(fields.day, 2, at: 6)
            out[8] = UInt8(ascii: "T")
            put(fields.hour, 2, at: 9)
            put(fields.minute, 2, at: 11)
            put(fields.second, 2, at: 13)
            out[15] = UInt8(ascii: "Z")
            return 16
        }
    }

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
