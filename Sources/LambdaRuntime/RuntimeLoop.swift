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

    /// Serves invocations until `/next` fails for good.
    ///
    /// A bad event or a failing handler never ends the loop: its error is posted and the next
    /// event is fetched. Nor does a post the Runtime API refuses or cannot take: a 410 (the invoke
    /// already timed out), a 400 (no such request or invocation ID), a 413, a 403, a 5xx or a
    /// broken connection is logged with the request ID and the loop asks `/next` again; if the
    /// Runtime API is really gone, `/next` says so. A transient `/next` failure (refused, reset,
    /// timed out, 5xx) is tried again after the policy's wait, and the count starts over after a
    /// success. Any other `/next` failure, or too many in a row, ends the loop; the caller then
    /// ends the process and Lambda restarts the runtime.
    /// - Parameters:
    ///   - client: The Runtime API client, used from this thread only.
    ///   - handler: The function.
    ///   - logger: The process (or worker) logger.
    ///   - setsTraceEnvironment: Whether to set `_X_AMZN_TRACE_ID` for each invocation, as the
    ///     Runtime API asks of a runtime with one invocation at a time; never with several workers,
    ///     where the variable would belong to whichever worker wrote it last.
    ///   - nextRetry: Waits between `/next` tries.
    ///   - sleep: Blocks for the given milliseconds (tests record instead of sleeping).
    /// - Returns: The `/next` failure that ended the loop.
    public static func run(
        client: some RuntimeAPIClientProtocol,
        handler: some InvocationHandler,
        logger: Logger,
        setsTraceEnvironment: Bool = true,
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
                if case .invalidInvocation(let address, _) = error.code {
                    // Lambda would wait out the deadline for an answer that never comes: give one.
                    consecutiveFailures = 0
                    let invalid = FunctionError(errorType: invalidInvocationErrorType, errorMessage: error.description)
                    let invocationLogger = logger.forInvocation(requestID: address.requestID)
                    invocationLogger.error("\(error)", [LogField("errorType", .string(invalidInvocationErrorType))])
                    post(.error(invalid), to: address, client, invocationLogger)
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
            serve(invocation, client: client, handler: handler, logger: logger, setsTraceEnvironment: setsTraceEnvironment)
        }
    }

    /// Runs the handler on one event and posts its answer.
    private static func serve(_ invocation: Invocation, client: some RuntimeAPIClientProtocol, handler: some InvocationHandler,
                              logger: Logger, setsTraceEnvironment: Bool) {
        let context = invocation.context
        if setsTraceEnvironment { TraceEnvironment.set(context.traceID) }
        let invocationLogger = logger.forInvocation(requestID: context.requestID, tenantID: context.tenantID)

        switch handler.handle(invocation, logger: invocationLogger) {
        case .success(let body):
            if case .rejected(status: 413, _) = post(.response(body), to: context.address, client, invocationLogger) {
                let tooLarge = FunctionError(
                    errorType: "Function.ResponseSizeTooLarge",
                    errorMessage: "the response of \(body.count) bytes exceeds Lambda's payload limit")
                post(.error(tooLarge), to: context.address, client, invocationLogger)
            }
        case .failure(let error):
            post(.error(error), to: context.address, client, invocationLogger)
        }
    }

    /// What is posted for an invocation.
    private enum Answer {
        case response([UInt8])
        case error(FunctionError)

        var isResponse: Bool {
            if case .response = self { true } else { false }
        }

        var name: String {
            switch self {
            case .response: "response"
            case .error: "error report"
            }
        }
    }

    /// Posts an answer and logs whatever went wrong with it; nothing here ends the loop.
    /// - Returns: The Runtime API's verdict, or `nil` when the post failed.
    @discardableResult
    private static func post(_ answer: Answer, to address: InvocationAddress, _ client: some RuntimeAPIClientProtocol,
                             _ logger: Logger) -> RuntimeAPIClient.PostOutcome? {
        let outcome: RuntimeAPIClient.PostOutcome
        do {
            switch answer {
            case .response(let body): outcome = try client.sendResponse(body, to: address)
            case .error(let error): outcome = try client.sendError(error, to: address)
            }
        } catch {
            logger.error("Runtime API did not take the \(answer.name): \(error); asking /next for the next event")
            return nil
        }
        switch outcome {
        case .accepted:
            break
        case .invocationTimedOut(let body):
            // On Lambda Managed Instances a timed-out invoke is not killed: it ends here, and its
            // worker goes on to the next event.
            logger.warn("Invocation had already timed out; Runtime API dropped its \(answer.name) (HTTP 410): "
                        + JSONString.excerpt(body, limit: 256, quoted: false))
        case .rejected(let status, let body):
            // A response too large for Lambda is reported by the caller as Function.ResponseSizeTooLarge.
            guard !(status == 413 && answer.isResponse) else { break }
            logger.warn("Runtime API refused the \(answer.name) (HTTP \(status)): \(JSONString.excerpt(body, limit: 256, quoted: false))")
        }
        return outcome
    }
}
