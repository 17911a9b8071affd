import Essentials
import AWSClient
import JSON
import LambdaRuntime
import OrderPipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The order pipeline's custom runtime. With no arguments it serves the Lambda Runtime API; with
// `invoke FILE` it runs one event through the same handler, in-process, and prints the response.

let usage = """
    usage: bootstrap                      serve the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API
           bootstrap invoke FILE|-        run one event (a file, or - for stdin) against the configured
             [--request-id ID]            AWS endpoints and print the response; exit 0 on success,
             [--timeout-seconds N]        1 on a function error, 2 on bad usage or configuration
    """

let environment = ProcessEnvironment.snapshot()
let arguments = Array(CommandLine.arguments.dropFirst())

/// The object graph, built once: one thread-safe AWS client (credentials, sender, per-service
/// connection pools) shared by everything that sends, and the protocol on top of it.
func makeHandler(_ configuration: PipelineConfiguration) -> OrderHandler {
    let credentials = CredentialsProvider.standardChain(configuration.credentials, now: { SystemClock.wallMilliseconds() })
    let sender = AWSRequestSender(configuration: configuration.aws, credentials: credentials)
    let claims = ClaimStore(dynamoDB: DynamoDBClient(sender: sender), table: configuration.table,
                            auditTrail: configuration.auditTrail)
    let archive = OrderArchive(s3: S3Client(sender: sender), bucket: configuration.bucket, prefix: configuration.rawPrefix)
    let processor = OrderProcessor(claims: claims, archive: archive, ttlSeconds: configuration.idempotencyTTLSeconds,
                                   deadlineMarginMilliseconds: configuration.aws.deadlineMarginMilliseconds, clocks: .system)
    return OrderHandler(processor: processor, metricsNamespace: configuration.metricsNamespace,
                        functionName: configuration.functionName, clocks: .system,
                        batchConcurrency: configuration.batchConcurrency)
}

/// A logger before the configuration is known: the log variables alone, with safe defaults (JSON
/// when several invocations will share the process, as they need a `requestId` on every line).
func startupLogger(_ concurrency: RuntimeConcurrency = .single) -> Logger {
    let requested = environment["AWS_LAMBDA_LOG_FORMAT"].flatMap(LogFormat.init(awsName:)) ?? .text
    return Logger(level: environment["AWS_LAMBDA_LOG_LEVEL"].flatMap(LogLevel.init(awsName:)) ?? .info,
                  format: concurrency.logFormat(requested: requested))
}

/// Reports a configuration error as the init error (Lambda serves it to the first invoke) and exits.
func failInit(_ error: FunctionError, endpoint: String, logger: Logger) -> Never {
    logger.error("Invalid configuration: \(error.errorMessage)", [LogField("errorType", .string(error.errorType))])
    do {
        try RuntimeAPIClient(endpoint: endpoint).sendInitError(error)
    } catch let postError {
        logger.error("Could not report the init error: \(postError)")
    }
    exit(1)
}

func serveRuntimeAPI() -> Never {
    let concurrencySetting = Result { () throws(FunctionError) in try RuntimeConcurrency(environment: environment) }
    let logger = startupLogger((try? concurrencySetting.get()) ?? .single)
    guard let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
        logger.error("AWS_LAMBDA_RUNTIME_API is not set: run bootstrap under Lambda or the local emulator, or use `bootstrap invoke FILE`")
        exit(2)
    }
    do {
        try RuntimeAPIClient.validate(endpoint: endpoint)  // host:port, before anything else
    } catch {
        logger.error("\(error)")
        exit(1)
    }
    let configuration: PipelineConfiguration
    do {
        configuration = try PipelineConfiguration(environment: environment)
    } catch {
        failInit(error.functionError, endpoint: endpoint, logger: logger)
    }
    let concurrency: RuntimeConcurrency
    do {
        concurrency = try concurrencySetting.get()
    } catch {
        failInit(error, endpoint: endpoint, logger: logger)
    }
    let runtimeLogger = Logger(level: configuration.logLevel, format: concurrency.logFormat(requested: configuration.logFormat))
    if let warning = configuration.ttlWarning { runtimeLogger.warn(warning) }
    if concurrency.isConcurrent {
        runtimeLogger.info("Serving up to \(concurrency.workers) invocations at once (AWS_LAMBDA_MAX_CONCURRENCY), each worker with its own Runtime API connection")
    }
    // One handler, and through it one AWS client (credentials, connection pools, retry quota),
    // for every worker; each worker makes its own Runtime API client on its own thread.
    let handler = makeHandler(configuration)
    let stop = RuntimeWorkers.run(concurrency, makeClient: { _ throws(RuntimeAPIError) in try RuntimeAPIClient(endpoint: endpoint) },
                                  handler: handler, logger: runtimeLogger)
    runtimeLogger.error("\(stop); exiting so that Lambda restarts the runtime")
    // _exit, not exit: the other workers are still inside libcurl and OpenSSL, whose atexit
    // clean-up must not run under them. Log lines are already written (unbuffered).
    _exit(1)
}

func invokeLocally(_ options: [String]) -> Never {
    let logger = startupLogger()
    var path: String?
    var requestID: String?
    var timeoutSeconds: Int64 = 30
    var index = 0
    while index < options.count {
        let option = options[index]
        switch option {
        case "--request-id" where index + 1 < options.count:
            requestID = options[index + 1]
            index += 2
        case "--timeout-seconds" where index + 1 < options.count:
            guard let value = Int64(options[index + 1]), value > 0 else {
                logger.error("--timeout-seconds expects a positive whole number, found \"\(options[index + 1])\"")
                exit(2)
            }
            timeoutSeconds = value
            index += 2
        default:
            guard path == nil, option == "-" || !option.hasPrefix("-") else {
                LogSink.standardError.write(usage)
                exit(2)
            }
            path = option
            index += 1
        }
    }
    guard let path else {
        LogSink.standardError.write(usage)
        exit(2)
    }
    let event: [UInt8]
    do {
        event = try LocalFile.read(path)
    } catch {
        logger.error("\(error)")
        exit(2)
    }
    let configuration: PipelineConfiguration
    do {
        let profileRegion = SharedFileCredentials(settings: CredentialSettings(environment: environment)).region()
        configuration = try PipelineConfiguration(environment: environment, fallbackRegion: profileRegion)
    } catch {
        logger.error("Invalid configuration: \(error)")
        exit(2)
    }
    let now = SystemClock.wallMilliseconds()
    let context = LocalInvocation.context(
        requestID: requestID, timeoutMilliseconds: timeoutSeconds * 1_000,
        functionARN: "arn:aws:lambda:\(configuration.aws.region):000000000000:function:\(configuration.functionName)",
        nowMilliseconds: now)
    let invocationLogger = Logger(level: configuration.logLevel, format: configuration.logFormat).forInvocation(requestID: context.requestID)
    switch makeHandler(configuration).handle(Invocation(context: context, event: event), logger: invocationLogger) {
    case .success(let body):
        LogSink.standardOutput.write(String(decoding: body, as: UTF8.self))
        exit(0)
    case .failure(let error):
        LogSink.standardOutput.write(error.reportJSON.serialized())
        exit(1)
    }
}

switch arguments.first {
case nil:
    serveRuntimeAPI()
case "invoke":
    invokeLocally(Array(arguments.dropFirst()))
case "-h", "--help", "help":
    LogSink.standardOutput.write(usage)
    exit(0)
default:
    LogSink.standardError.write("bootstrap: unknown command \"\(arguments[0])\"\n" + usage)
    exit(2)
}
