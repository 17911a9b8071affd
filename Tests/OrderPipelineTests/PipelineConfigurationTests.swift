import Essentials
import AWSClient
import LambdaRuntime
@testable import OrderPipeline
import Testing

@Suite("PipelineConfiguration")
struct PipelineConfigurationTests {
    /// The least a working environment holds (Lambda sets AWS_REGION; the template sets BUCKET).
    static let minimal = ["BUCKET": "orders-bucket", "AWS_REGION": "eu-west-1"]

    static func environment(_ overrides: [String: String], removing removed: [String] = []) -> [String: String] {
        var environment = minimal.merging(overrides) { $1 }
        for name in removed { environment[name] = nil }
        return environment
    }

    static func configuration(_ overrides: [String: String] = [:], removing removed: [String] = [],
                              fallbackRegion: String? = nil) throws -> PipelineConfiguration {
        try PipelineConfiguration(environment: environment(overrides, removing: removed), fallbackRegion: fallbackRegion)
    }

    /// The error a configuration is rejected with, or `nil` when it is accepted.
    static func error(_ overrides: [String: String], removing removed: [String] = [], fallbackRegion: String? = nil) -> ConfigurationError? {
        do {
            _ = try PipelineConfiguration(environment: environment(overrides, removing: removed), fallbackRegion: fallbackRegion)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Defaults

    @Test("a minimal environment gets the documented defaults")
    func defaults() throws {
        let configuration = try Self.configuration()
        #expect(configuration.bucket == "orders-bucket")
        #expect(configuration.rawPrefix == "raw/events/")
        #expect(configuration.table == "processed-orders")
        #expect(configuration.idempotencyTTLSeconds == 172_800)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
        #expect(configuration.aws.region == "eu-west-1")
        #expect(configuration.aws.connectTimeoutMilliseconds == 1_000)
        #expect(configuration.aws.attemptTimeoutMilliseconds == 3_000)
        #expect(configuration.aws.maxAttemptsOverride == nil)
        #expect(configuration.aws.deadlineMarginMilliseconds == 500)
        #expect(configuration.ttlWarning == nil)
        #expect(configuration.aws.endpoint(for: .dynamoDB) == .aws(.dynamoDB, region: "eu-west-1"))
        #expect(configuration.aws.endpoint(for: .s3) == .aws(.s3, region: "eu-west-1"))
    }

    @Test("every setting is read from its variable")
    func overrides() throws {
        let configuration = try Self.configuration([
            "RAW_PREFIX": "archive/orders", "TABLE": "orders-claims", "IDEMPOTENCY_TTL_SECONDS": "259200",
            "AWS_LAMBDA_LOG_LEVEL": "debug", "AWS_LAMBDA_LOG_FORMAT": "JSON", "METRICS_NAMESPACE": "Shop",
            "AWS_LAMBDA_FUNCTION_NAME": "order-fn", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
        ])
        #expect(configuration.rawPrefix == "archive/orders/")
        #expect(configuration.table == "orders-claims")
        #expect(configuration.idempotencyTTLSeconds == 259_200)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
        #expect(configuration.metricsNamespace == "Shop")
        #expect(configuration.functionName == "order-fn")
        #expect(configuration.credentials.accessKeyID == "AKIDEXAMPLE")
        #expect(configuration.credentials.secretAccessKey == "secret")
    }

    // MARK: - BUCKET

    @Test("BUCKET is required, and the message names it", arguments: [nil, "", "   "] as [String?])
    func bucketRequired(_ value: String?) throws {
        let error = try #require(Self.error(value.map { ["BUCKET": $0] } ?? [:], removing: value == nil ? ["BUCKET"] : []))
        #expect(error.variable == "BUCKET")
        #expect(error.description.hasPrefix("BUCKET: is required"))
    }

    // MARK: - RAW_PREFIX

    @Test("RAW_PREFIX loses its leading slashes and ends in exactly one slash", arguments: [
        ("raw/events/", "raw/events/"), ("raw/events", "raw/events/"), ("/raw/events/", "raw/events/"), ("//raw/events//", "raw/events/"),
        ("orders", "orders/"), ("a/b/c", "a/b/c/"), (" raw/ ", "raw/"), ("orders-bucket-archive/raw", "orders-bucket-archive/raw/"),
        ("orders-bucketraw", "orders-bucketraw/"),
    ])
    func prefixNormalised(_ raw: String, _ normalised: String) throws {
        #expect(try Self.configuration(["RAW_PREFIX": raw]).rawPrefix == normalised)
    }

    @Test("a RAW_PREFIX that is empty once its slashes are gone is rejected", arguments: ["/", "//", "///"])
    func emptyPrefix(_ raw: String) throws {
        let error = try #require(Self.error(["RAW_PREFIX": raw]))
        #expect(error == ConfigurationError("RAW_PREFIX", "expected a folder such as raw/events/, found \"\(raw)\""))
    }

    @Test("an empty RAW_PREFIX variable counts as unset, like every other variable")
    func unsetPrefix() throws {
        #expect(try Self.configuration(["RAW_PREFIX": ""]).rawPrefix == "raw/events/")
    }

    @Test("a RAW_PREFIX that begins with the bucket name is rejected with the doubled-folder explanation", arguments: [
        "orders-bucket/raw/events/", "/orders-bucket/raw/events", "orders-bucket", "orders-bucket/",
    ])
    func prefixWithBucket(_ raw: String) throws {
        let error = try #require(Self.error(["RAW_PREFIX": raw]))
        #expect(error.variable == "RAW_PREFIX")
        #expect(error.message.contains("begins with the bucket name orders-bucket"))
        #expect(error.message.contains("keys are relative to the bucket"))
        #expect(error.message.contains("s3://orders-bucket/orders-bucket"))
        #expect(error.message.contains(#"drop the "orders-bucket/" part"#))
    }

    // MARK: - TABLE and IDEMPOTENCY_TTL_SECONDS

    @Test("IDEMPOTENCY_TTL_SECONDS accepts whole numbers, 0 included", arguments: [("0", Int64(0)), ("1", 1), ("108000", 108_000), ("315360000", 315_360_000)])
    func ttlAccepted(_ raw: String, _ seconds: Int64) throws {
        #expect(try Self.configuration(["IDEMPOTENCY_TTL_SECONDS": raw]).idempotencyTTLSeconds == seconds)
    }

    @Test("a negative, fractional, non-numeric or absurd IDEMPOTENCY_TTL_SECONDS is rejected naming the variable", arguments: [
        "-1", "1.5", "two days", "48h", "0x10", "315360001", "99999999999999999999",
    ])
    func ttlRejected(_ raw: String) throws {
        let error = try #require(Self.error(["IDEMPOTENCY_TTL_SECONDS": raw]))
        #expect(error == ConfigurationError("IDEMPOTENCY_TTL_SECONDS", "expected a whole number from 0 to 315360000, found \"\(raw)\""))
        #expect(error.description.hasPrefix("IDEMPOTENCY_TTL_SECONDS: "))
    }

    @Test("BATCH_CONCURRENCY: 8 by default, 1 to 64 accepted, anything else rejected naming the variable")
    func batchConcurrency() throws {
        #expect(try Self.configuration().batchConcurrency == 8)
        #expect(try Self.configuration(["BATCH_CONCURRENCY": "1"]).batchConcurrency == 1)
        #expect(try Self.configuration(["BATCH_CONCURRENCY": " 64 "]).batchConcurrency == 64)
        for raw in ["0", "65", "-2", "eight", "2.5"] {
            #expect(Self.error(["BATCH_CONCURRENCY": raw]) == ConfigurationError("BATCH_CONCURRENCY", "expected a whole number from 1 to 64, found \"\(raw)\""))
        }
    }

    @Test("a TTL shorter than the 30 h retry horizon gets a warning; 0 (for ever) and longer ones do not", arguments: [
        ("1", true), ("3600", true), ("107999", true), ("108000", false), ("172800", false), ("0", false),
    ])
    func ttlWarning(_ raw: String, _ warns: Bool) throws {
        let warning = try Self.configuration(["IDEMPOTENCY_TTL_SECONDS": raw]).ttlWarning
        #expect((warning != nil) == warns)
        if let warning {
            #expect(warning.hasPrefix("IDEMPOTENCY_TTL_SECONDS=\(raw) is shorter than the retry horizon"))
            #expect(warning.contains("108000 s"))
        }
    }

    // MARK: - Logging

    @Test("log levels are read in any case", arguments: [
        ("TRACE", LogLevel.trace), ("debug", .debug), ("Info", .info), ("WARN", .warn), ("warning", .warn), ("ERROR", .error), ("FATAL", .fatal),
    ])
    func logLevels(_ raw: String, _ level: LogLevel) throws {
        #expect(try Self.configuration(["AWS_LAMBDA_LOG_LEVEL": raw]).logLevel == level)
    }

    @Test("an unknown log level is rejected naming the variable and the levels", arguments: ["verbose", "3", "INFO,DEBUG"])
    func badLogLevel(_ raw: String) throws {
        let error = try #require(Self.error(["AWS_LAMBDA_LOG_LEVEL": raw]))
        #expect(error == ConfigurationError("AWS_LAMBDA_LOG_LEVEL", "expected TRACE, DEBUG, INFO, WARN, ERROR or FATAL, found \"\(raw)\""))
    }

    @Test("log formats are read in any case", arguments: [("Text", LogFormat.text), ("text", .text), ("JSON", .json), ("json", .json)])
    func logFormats(_ raw: String, _ format: LogFormat) throws {
        #expect(try Self.configuration(["AWS_LAMBDA_LOG_FORMAT": raw]).logFormat == format)
    }

    @Test("an unknown log format is rejected naming the variable", arguments: ["xml", "plain"])
    func badLogFormat(_ raw: String) throws {
        let error = try #require(Self.error(["AWS_LAMBDA_LOG_FORMAT": raw]))
        #expect(error == ConfigurationError("AWS_LAMBDA_LOG_FORMAT", "expected Text or JSON, found \"\(raw)\""))
    }

    // MARK: - Region

    @Test("AWS_REGION is required unless a fallback region is given")
    func regionRequired() throws {
        let error = try #require(Self.error([:], removing: ["AWS_REGION"]))
        #expect(error.variable == "AWS_REGION")
        #expect(error.message.hasPrefix("is required"))
        #expect(try Self.configuration([:], removing: ["AWS_REGION"], fallbackRegion: "eu-central-1").aws.region == "eu-central-1")
    }

    @Test("AWS_REGION wins over AWS_DEFAULT_REGION, which wins over the fallback")
    func regionOrder() throws {
        #expect(try Self.configuration(["AWS_DEFAULT_REGION": "us-west-2"], fallbackRegion: "ap-south-1").aws.region == "eu-west-1")
        #expect(try Self.configuration(["AWS_DEFAULT_REGION": "us-west-2"], removing: ["AWS_REGION"], fallbackRegion: "ap-south-1").aws.region
            == "us-west-2")
    }

    // MARK: - Endpoints

    @Test("AWS_ENDPOINT_URL points both services at a local stand-in, keeping its port")
    func globalEndpoint() throws {
        let configuration = try Self.configuration(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"])
        for service in AWSService.allCases {
            let endpoint = configuration.aws.endpoint(for: service)
            #expect(endpoint == ServiceEndpoint(scheme: "http", host: "127.0.0.1", port: 5000, isOverride: true))
        }
    }

    @Test("an invalid endpoint override is rejected naming its variable", arguments: [
        ("AWS_ENDPOINT_URL", "localhost:5000"), ("AWS_ENDPOINT_URL_DYNAMODB", "ftp://127.0.0.1"), ("AWS_ENDPOINT_URL_S3", "http://host:99999"),
        ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:5000/bucket"),
    ])
    func badEndpoint(_ variable: String, _ value: String) throws {
        let error = try #require(Self.error([variable: value]))
        #expect(error == ConfigurationError(variable, "expected http(s)://host[:port], found \"\(value)\""))
    }

    // MARK: - Timeouts and attempts

    @Test("timeouts, the deadline margin and AWS_MAX_ATTEMPTS are read within their bounds")
    func timeouts() throws {
        let configuration = try Self.configuration([
            "AWS_CONNECT_TIMEOUT_MS": "250", "AWS_ATTEMPT_TIMEOUT_MS": "1500", "AWS_MAX_ATTEMPTS": "6", "DEADLINE_MARGIN_MS": "800",
        ])
        #expect(configuration.aws.connectTimeoutMilliseconds == 250)
        #expect(configuration.aws.attemptTimeoutMilliseconds == 1_500)
        #expect(configuration.aws.maxAttemptsOverride == 6)
        #expect(configuration.aws.deadlineMarginMilliseconds == 800)
        for service in AWSService.allCases {
            #expect(configuration.aws.retryPolicy(for: service).maxAttempts == 6)
            #expect(configuration.aws.retryPolicy(for: service).deadlineMarginMilliseconds == 800)
        }
    }

    @Test("bounds are inclusive", arguments: [
        ("AWS_CONNECT_TIMEOUT_MS", "10"), ("AWS_CONNECT_TIMEOUT_MS", "60000"), ("AWS_ATTEMPT_TIMEOUT_MS", "50"),
        ("AWS_ATTEMPT_TIMEOUT_MS", "900000"), ("AWS_MAX_ATTEMPTS", "1"), ("AWS_MAX_ATTEMPTS", "10"), ("DEADLINE_MARGIN_MS", "0"),
        ("DEADLINE_MARGIN_MS", "60000"),
    ])
    func boundsInclusive(_ variable: String, _ value: String) {
        #expect(Self.error([variable: value]) == nil)
    }

    @Test("a timeout or attempt count out of bounds or not a number is rejected naming the variable and the range", arguments: [
        ("AWS_CONNECT_TIMEOUT_MS", "9", "10 to 60000"), ("AWS_CONNECT_TIMEOUT_MS", "60001", "10 to 60000"),
        ("AWS_CONNECT_TIMEOUT_MS", "1s", "10 to 60000"), ("AWS_ATTEMPT_TIMEOUT_MS", "49", "50 to 900000"),
        ("AWS_ATTEMPT_TIMEOUT_MS", "900001", "50 to 900000"), ("AWS_MAX_ATTEMPTS", "0", "1 to 10"), ("AWS_MAX_ATTEMPTS", "11", "1 to 10"),
        ("AWS_MAX_ATTEMPTS", "three", "1 to 10"), ("DEADLINE_MARGIN_MS", "-1", "0 to 60000"),
    ])
    func outOfBounds(_ variable: String, _ value: String, _ range: String) throws {
        let error = try #require(Self.error([variable: value]))
        #expect(error == ConfigurationError(variable, "expected a whole number from \(range), found \"\(value)\""))
    }

    @Test("without AWS_MAX_ATTEMPTS each service keeps its own standard attempts")
    func standardAttempts() throws {
        let configuration = try Self.configuration()
        #expect(configuration.aws.retryPolicy(for: .dynamoDB).maxAttempts == 4)
        #expect(configuration.aws.retryPolicy(for: .s3).maxAttempts == 3)
    }
}
