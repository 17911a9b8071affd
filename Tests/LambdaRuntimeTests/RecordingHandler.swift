#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Essentials
import Synchronization
@testable import LambdaRuntime

/// A handler that answers each event from a closure and records what it saw: the request ID, the
/// logger's request and tenant IDs and `_X_AMZN_TRACE_ID` as the process environment had it during the call.
final class RecordingHandler: InvocationHandler {
    struct Seen: Equatable {
        let requestID: String
        let loggerRequestID: String?
        let loggerTenantID: String?
        let traceEnvironment: String?
    }

    private let answer: (Invocation) -> Result<[UInt8], FunctionError>
    private(set) var seen: [Seen] = []

    init(_ answer: @escaping (Invocation) -> Result<[UInt8], FunctionError> = { .success(Array("ok:\($0.context.requestID)".utf8)) }) {
        self.answer = answer
    }

    func handle(_ invocation: Invocation, logger: Logger) -> Result<[UInt8], FunctionError> {
        let trace = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
        seen.append(Seen(requestID: invocation.context.requestID, loggerRequestID: logger.requestID, loggerTenantID: logger.tenantID,
                         traceEnvironment: trace))
        return answer(invocation)
    }
}

/// Collects the lines a logger writes.
final class LogLines: Sendable {
    private let collected = Mutex<[String]>([])
    private let format: LogFormat

    init(format: LogFormat = .text) {
        self.format = format
    }

    var logger: Logger {
        Logger(level: .trace, format: format, sink: LogSink { [self] line in collected.withLock { $0.append(line) } }, now: { 0 })
    }

    var lines: [String] {
        collected.withLock { $0 }
    }
}
