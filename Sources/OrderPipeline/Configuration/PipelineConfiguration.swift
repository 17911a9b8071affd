import Essentials
import AWSClient
import HTTP
import LambdaRuntime

/// Everything the function reads from its environment, read once at start-up (DESIGN.md "Configuration").
public struct PipelineConfiguration: Sendable, Equatable {
    /// `BUCKET`: where order objects go.
    public var bucket: String
    /// `RAW_PREFIX`, normalised to no leading `/` and exactly one trailing `/`.
    public var rawPrefix: String
    /// `TABLE`: the idempotency table.
    public var table: String
    /// `IDEMPOTENCY_TTL_SECONDS`: how long a claim is kept; 0 keeps it for ever.
    public var idempotencyTTLSeconds: Int64
    /// `AUDIT_TABLE` and `TOTALS_TABLE` (both optional): when either is set, orders complete with one
    /// `TransactWriteItems` that also writes the audit item and counts the order in the day's totals.
    public var auditTrail: AuditTrailTables?
    /// `AWS_LAMBDA_LOG_LEVEL`.
    public var logLevel: LogLevel
    /// `AWS_LAMBDA_LOG_FORMAT`.
    public var logFormat: LogFormat
    /// `METRICS_NAMESPACE`: the CloudWatch namespace of the EMF metrics.
    public var metricsNamespace: String
    /// `AWS_LAMBDA_FUNCTION_NAME`: the metrics dimension.
    public var functionName: String
    /// The AWS client's settings.
    public var aws: AWSClientConfiguration
    /// What the credential chain reads.
    public var credentials: CredentialSettings
    /// `BATCH_CONCURRENCY`: records of one SQS, SNS or Pipes batch processed at once.
    public var batchConcurrency: Int = Self.defaultBatchConcurrency

    /// Records of one batch in flight at once when `BATCH_CONCURRENCY` is not set.
    public static let defaultBatchConcurrency = 8

    /// The retry horizon the TTL should outlive: EventBridge retries for 24 h, Lambda's async queue for 6 h.
    public static let retryHorizonSeconds: Int64 = 30 * 3_600

    /// Reads and checks the configuration.
    /// - Parameters:
    ///   - environment: The process environment.
    ///   - fallbackRegion: A region from elsewhere (the shared config file, for `bootstrap invoke`).
    /// - Throws: ``ConfigurationError`` naming the first variable that is missing or invalid.
    public init(environment: [String: String], fallbackRegion: String? = nil) throws(ConfigurationError) {
        func value(_ name: String) -> String? {
            guard let text = environment[name].map({ String($0.trimmingASCIIWhitespace()) }), !text.isEmpty else { return nil }
            return text
        }
        func integer(_ name: String, default fallback: Int64, range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64 {
            guard let text = value(name) else { return fallback }
            guard let number = Int64(text), range.contains(number) else {
                throw ConfigurationError(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
            }
            return number
        }

        guard let bucket = value("BUCKET") else {
            throw ConfigurationError("BUCKET", "is required: the name of the S3 bucket that receives order objects")
        }
        self.bucket = bucket
        rawPrefix = try Self.normalizedPrefix(value("RAW_PREFIX") ?? "raw/events/", bucket: bucket)
        table = value("TABLE") ?? "processed-orders"
        idempotencyTTLSeconds = try integer("IDEMPOTENCY_TTL_SECONDS", default: 172_800, range: 0...(10 * 365 * 86_400))
        auditTrail = try Self.auditTrail(audit: value("AUDIT_TABLE"), totals: value("TOTALS_TABLE"), claims: table)

        if let text = value("AWS_LAMBDA_LOG_LEVEL") {
            guard let level = LogLevel(awsName: text) else {
                throw ConfigurationError("AWS_LAMBDA_LOG_LEVEL", "expected TRACE, DEBUG, INFO, WARN, ERROR or FATAL, found \"\(text)\"")
            }
            logLevel = level
        } else {
            logLevel = .info
        }
        if let text = value("AWS_LAMBDA_LOG_FORMAT") {
            guard let format = LogFormat(awsName: text) else {
                throw ConfigurationError("AWS_LAMBDA_LOG_FORMAT", "expected Text or JSON, found \"\(text)\"")
            }
            logFormat = format
        } else {
            logFormat = .text
        }
        metricsNamespace = value("METRICS_NAMESPACE") ?? "OrderPipeline"
        functionName = value("AWS_LAMBDA_FUNCTION_NAME") ?? "order-pipeline-local"

        guard let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? fallbackRegion else {
            throw ConfigurationError("AWS_REGION", "is required (Lambda sets it; locally export it or set region in ~/.aws/config)")
        }
        let endpoints = EndpointResolver(
            region: region, globalOverride: value("AWS_ENDPOINT_URL"),
            serviceOverrides: Dictionary(uniqueKeysWithValues: AWSService.allCases.compactMap { service in
                value(service.endpointVariable).map { (service, $0) }
            }))
        var resolved: [AWSService: ServiceEndpoint] = [:]
        for service in AWSService.allCases {
            do {
                resolved[service] = try endpoints.endpoint(for: service)  // once: the sender uses these as they are
            } catch {
                throw ConfigurationError(error.variable, "expected http(s)://host[:port], found \"\(error.value)\"")
            }
        }
        let maxAttempts = value("AWS_MAX_ATTEMPTS") == nil ? nil : Int(try integer("AWS_MAX_ATTEMPTS", default: 3, range: 1...10))
        aws = AWSClientConfiguration(
            region: region, endpoints: resolved,
            connectTimeoutMilliseconds: Int(try integer("AWS_CONNECT_TIMEOUT_MS", default: 1_000, range: 10...60_000)),
            attemptTimeoutMilliseconds: Int(try integer("AWS_ATTEMPT_TIMEOUT_MS", default: 3_000, range: 50...900_000)),
            maxAttemptsOverride: maxAttempts,
            deadlineMarginMilliseconds: try integer("DEADLINE_MARGIN_MS", default: 500, range: 0...60_000),
            trustStore: TrustStoreLocation.resolve(sslCertFile: value("SSL_CERT_FILE"), sslCertDir: value("SSL_CERT_DIR")))
        credentials = CredentialSettings(environment: environment)
        batchConcurrency = Int(try integer("BATCH_CONCURRENCY", default: Int64(Self.defaultBatchConcurrency), range: 1...64))
    }

    /// `RAW_PREFIX` without a leading `/` and with exactly one trailing `/`.
    /// - Throws: ``ConfigurationError`` for an empty prefix, or one that begins with the bucket name
    ///   (keys are relative to the bucket: `bucket/raw/` would land in `s3://bucket/bucket/raw/`).
    static func normalizedPrefix(_ raw: String, bucket: String) throws(ConfigurationError) -> String {
        var prefix = Substring(raw)
        while prefix.hasPrefix("/") { prefix = prefix.dropFirst() }
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        guard !prefix.isEmpty else {
            throw ConfigurationError("RAW_PREFIX", "expected a folder such as raw/events/, found \"\(raw)\"")
        }
        if prefix == bucket || prefix.hasPrefix(bucket + "/") {
            throw ConfigurationError("RAW_PREFIX", "\"\(raw)\" begins with the bucket name \(bucket); keys are relative to the bucket, so objects would land in s3://\(bucket)/\(prefix)/… — drop the \"\(bucket)/\" part")
        }
        return String(prefix) + "/"
    }

    /// `AUDIT_TABLE` and `TOTALS_TABLE`, checked: table names (or table ARNs), each a table of its own,
    /// since one transaction cannot act twice on one item and each table has its own key.
    static func auditTrail(audit: String?, totals: String?, claims: String) throws(ConfigurationError) -> AuditTrailTables? {
        for (variable, name) in [("AUDIT_TABLE", audit), ("TOTALS_TABLE", totals)] {
            guard let name else { continue }
            guard isTableName(name) else {
                throw ConfigurationError(variable, "expected a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ - .) or a table ARN, found \"\(name)\"")
            }
            if name == claims {
                throw ConfigurationError(variable, "\"\(name)\" is the claim table (TABLE); the audit trail needs a table of its own")
            }
        }
        if let audit, audit == totals {
            throw ConfigurationError("TOTALS_TABLE", "\"\(audit)\" is also AUDIT_TABLE; the totals (key day) need a table of their own")
        }
        return AuditTrailTables(audit: audit, totals: totals)
    }

    /// A DynamoDB table name, or the ARN of one (`arn:aws:dynamodb:region:account:table/name`).
    static func isTableName(_ text: String) -> Bool {
        var name = Substring(text)
        if text.hasPrefix("arn:") {
            guard text.split(separator: ":", omittingEmptySubsequences: false).count == 6,
                  let slash = text.firstRange(of: ":table/") else { return false }
            name = text[slash.upperBound...]
        }
        return (3...255).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    /// Why the TTL may be too short, if it is (logged as a warning at start-up).
    public var ttlWarning: String? {
        guard idempotencyTTLSeconds > 0, idempotencyTTLSeconds < Self.retryHorizonSeconds else { return nil }
        return "IDEMPOTENCY_TTL_SECONDS=\(idempotencyTTLSeconds) is shorter than the retry horizon (EventBridge 24 h + async 6 h = \(Self.retryHorizonSeconds) s): a late redelivery after that is claimed again (S3's If-None-Match still prevents a second write)"
    }
}
