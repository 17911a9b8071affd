import Essentials

/// Handles one invocation. Failures are values, never thrown, so the loop always has an answer to post.
public protocol InvocationHandler {
    /// Processes one event.
    /// - Parameters:
    ///   - invocation: The event and its context.
    ///   - logger: A logger stamped with the request ID.
    /// - Returns: The response payload, or the function error to report.
    func handle(_ invocation: Invocation, logger: Logger) -> Result<[UInt8], FunctionError>
}

/// The runtime's main loop: `/next`, handle, post; for ever.
public enum RuntimeLoop {
    /// Serves invocations until the Runtime API fails.
    ///
    /// A bad event or a failing handler never ends the loop: its error is posted and the next
    /// event is fetched. Only a Runtime API failure ends it; Lambda then restarts the runtime.
    /// - Parameters:
    ///   - client: The Runtime API client.
    ///   - handler: The function.
    ///   - logger: The process logger.
    /// - Returns: The Runtime API failure that ended the loop.
    public static func run(client: RuntimeAPIClient, handler: some InvocationHandler, logger: Logger) -> RuntimeAPIError {
        while true {
            do {
                let invocation = try client.nextInvocation()
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
                        invocationLogger.warn("Runtime API refused the response (HTTP \(status)): \(text.prefix(256))")
                    }
                case .failure(let error):
                    try report(error, requestID, client, invocationLogger)
                }
            } catch {
                return error
            }
        }
    }

    private static func report(_ error: FunctionError, _ requestID: String, _ client: RuntimeAPIClient, _ logger: Logger) throws(RuntimeAPIError) {
        if case .rejected(let status, let text) = try client.sendError(error, for: requestID) {
            logger.warn("Runtime API refused the error report (HTTP \(status)): \(text.prefix(256))")
        }
    }
}
