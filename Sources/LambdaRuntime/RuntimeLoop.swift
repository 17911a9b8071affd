import Essentials
import JSON

/// Handles one invocation. Failures are values, never thrown, so the loop always has an answer to post.
public protocol InvocationHandler {
    /// Processes one event.
    /// - Parameters:
    ///   - invocation: The event and its context.
    ///   - logger: A logger stamped with the request ID.
    /// - Returns: The response payload, or the function error to report.
    func handle(_ invocation: Invocation, logger: Logger) -> Result<[UInt8], FunctionError>
}

/// How long the loop waits before asking `/next` again after a transient failure.
///
/// aws-lambda-cpp gives up after 3 failed `/next` in a row; we wait 100, 300 and 600 ms between four
/// tries, about a second in all, so a Runtime API hiccup does not cost a cold start, and a Runtime
/// API that is really gone still ends the process promptly (Lambda then restarts it).
public struct NextRetryPolicy: Sendable, Equatable {
    /// The waits after the first, second, … consecutive failure; one more failure ends the loop.
    public var delaysMilliseconds: [Int64]

    /// Creates a policy.
    /// - Parameter delaysMilliseconds: One wait per retry.
    public init(delaysMilliseconds: [Int64]) {
        self.delaysMilliseconds = delaysMilliseconds
    }

    /// 100, 300, 600 ms: four tries in about a second.
    public static let standard = NextRetryPolicy(delaysMilliseconds: [100, 300, 600])

    /// The wait before the next try, or `nil` to give up.
    /// - Parameter consecutiveFailures: Failed `/next` in a row so far, this one included (1 or more).
    /// - Returns: Milliseconds to wait.
    public func delay(afterConsecutiveFailures consecutiveFailures: Int) -> Int64? {
        guard consecutiveFailures >= 1, consecutiveFailures <= delaysMilliseconds.count else { return nil }
        return delaysMilliseconds[consecutiveFailures - 1]
    }
}

/// The runtime's main loop: `/next`, handle, post; for ever.
public enum RuntimeLoop {
    /// The error type posted for an event whose `/next` headers cannot be read.
    public static let invalidInvocationErrorType = "Runtime.InvalidInvocation"

    /// Serves invocations until the Runtime API fails.
    ///
    /// A bad event or a failing handler never ends the loop: its error is posted and the next
    /// event is fetched. A transient `/next` failure (refused, reset, timed out, 5xx) is tried again
    /// after the policy's wait, and the count starts over after a success. Anything else from the
    /// Runtime API, or too many failures in a row, ends the loop; Lambda then restarts the runtime.
    /// - Parameters:
    ///   - client: The Runtime API client.
    ///   - handler: The function.
    ///   - logger: The process logger.
    ///   - nextRetry: Waits between `/next` tries.
    ///   - sleep: Blocks for the given milliseconds (tests record instead of sleeping).
    /// - Returns: The Runtime API failure that ended the loop.
    public static func run(
        client: some RuntimeAPIClientProtocol,
        handler: some InvocationHandler,
        logger: Logger,
        nextRetry: NextRetryPolicy = .standard,
        sleep: (Int64) -> Void = { SystemClock.sleep(milliseconds: $0) }
    ) -> RuntimeAPIError {
        var consecutiveFailures = 0
        while true {
            let invocation: Invocation
            do {
                invocation = try client.nextInvocation()
                consecutiveFailures = 0
            } catch {
                if case .invalidInvocation(let requestID, _) = error.code {
                    // Lambda would wait out the deadline for an answer that never comes: give one.
                    consecutiveFailures = 0
                    let invalid = FunctionError(errorType: invalidInvocationErrorType, errorMessage: error.description)
                    let invocationLogger = logger.forInvocation(requestID: requestID)
                    invocationLogger.error("\(error)", [LogField("errorType", .string(invalidInvocationErrorType))])
                    do {
                        try report(invalid, requestID, client, invocationLogger)
                    } catch {
                        return error
                    }
                    continue
                }
                consecutiveFailures += 1
                guard error.isTransient, let delay = nextRetry.delay(afterConsecutiveFailures: consecutiveFailures) else {
                    return error
                }
                logger.warn("\(error); trying /next again in \(delay) ms (failure \(consecutiveFailures) in a row)")
                sleep(delay)
                continue
            }
            do {
                try serve(invocation, client: client, handler: handler, logger: logger)
            } catch {
                return error
            }
        }
    }

    /// Runs the handler on one event and posts its answer.
    private static func serve(_ invocation: Invocation, client: some RuntimeAPIClientProtocol, handler: some InvocationHandler,
                              logger: Logger) throws(RuntimeAPIError) {
        let requestID = invocation.context.requestID
        TraceEnvironment.set(invocation.context.traceID)
        let invocationLogger = logger.forInvocation(requestID: requestID)

        switch handler.handle(invocation, logger: invocationLogger) {
        case .success(let body):
            switch try client.sendResponse(body, for: requestID) {
            case .accepted:
                break
            case .rejected(status: 413, _):
                let tooLarge = FunctionError(
                    errorType: "Function.ResponseSizeTooLarge",
                    errorMessage: "the response of \(body.count) bytes exceeds Lambda's payload limit")
                try report(tooLarge, requestID, client, invocationLogger)
            case .rejected(let status, let text):
                invocationLogger.warn("Runtime API refused the response (HTTP \(status)): \(RuntimeAPIError.excerpt(text, limit: 256, quoted: false))")
            }
        case .failure(let error):
            try report(error, requestID, client, invocationLogger)
        }
    }

    private static func report(_ error: FunctionError, _ requestID: String, _ client: some RuntimeAPIClientProtocol,
                               _ logger: Logger) throws(RuntimeAPIError) {
        if case .rejected(let status, let text) = try client.sendError(error, for: requestID) {
            logger.warn("Runtime API refused the error report (HTTP \(status)): \(RuntimeAPIError.excerpt(text, limit: 256, quoted: false))")
        }
    }
}
