import Foundation
import HTTP
import JSON

/// The project's Runtime API emulator (scripts/lib/runtime_emulator.py), one per test.
final class RuntimeEmulator {
    let runtimeAPI: String
    private let process: ChildProcess

    init(timeoutMilliseconds: Int = 5_000) throws {
        let (process, ready) = try Python.startTool("runtime_emulator.py", ["--port", "0", "--timeout-ms", String(timeoutMilliseconds)])
        guard let api = ready["runtime_api"] as? String else { throw TestSetupError("emulator ready line: \(ready)") }
        self.process = process
        self.runtimeAPI = api
    }

    deinit {
        process.stop()
    }

    /// The answer of a synchronous invoke, as Lambda's Invoke API gives it.
    struct Invocation {
        let status: Int
        let requestID: String?
        /// `Unhandled` for a function error.
        let functionError: String?
        let body: JSONValue?
        let text: String

        /// The contract error type (`errorType` of the error body), for function errors.
        var errorType: String? { functionError == nil ? nil : body?["errorType"]?.stringValue }
        var errorMessage: String? { body?["errorMessage"]?.stringValue }
        var succeeded: Bool { status == 200 && functionError == nil }
    }

    /// Invokes the function synchronously.
    /// - Parameters:
    ///   - event: The event bytes.
    ///   - requestID: Reuse a request ID (as Lambda does for async retries).
    ///   - timeoutMilliseconds: This invocation's deadline.
    func invoke(_ event: [UInt8], requestID: String? = nil, timeoutMilliseconds: Int? = nil) throws -> Invocation {
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let requestID { headers.append(HTTPHeader("X-Emulator-Request-Id", requestID)) }
        if let timeoutMilliseconds { headers.append(HTTPHeader("X-Emulator-Timeout-Ms", String(timeoutMilliseconds))) }
        let reply = try TestHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations",
                                      headers: headers, body: event, timeoutMilliseconds: 120_000)
        return Invocation(status: reply.status, requestID: reply.header("x-amz-request-id"),
                          functionError: reply.header("x-amz-function-error"), body: try? JSONValue.parse(reply.body),
                          text: reply.text)
    }

    func invoke(_ event: JSONValue, requestID: String? = nil, timeoutMilliseconds: Int? = nil) throws -> Invocation {
        try invoke(event.serializedBytes(), requestID: requestID, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Queues an invocation without waiting (`X-Amz-Invocation-Type: Event`).
    func invokeAsync(_ event: JSONValue, requestID: String? = nil, timeoutMilliseconds: Int? = nil) throws {
        var headers = [HTTPHeader("X-Amz-Invocation-Type", "Event")]
        if let requestID { headers.append(HTTPHeader("X-Emulator-Request-Id", requestID)) }
        if let timeoutMilliseconds { headers.append(HTTPHeader("X-Emulator-Timeout-Ms", String(timeoutMilliseconds))) }
        let reply = try TestHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations",
                                      headers: headers, body: event.serializedBytes())
        guard reply.status == 202 else { throw TestSetupError("async invoke answered \(reply.status): \(reply.text)") }
    }

    /// The emulator's record of invocations, init errors and pollers.
    func state() throws -> JSONValue {
        try TestHTTP.expectOK("GET", "http://\(runtimeAPI)/emulator/state").json()
    }

    /// Waits until this many runtimes are blocked on `/next`.
    func waitForPollers(_ count: Int, timeout: Duration = .seconds(20)) throws {
        try waitUntil("\(count) runtime(s) polling /next", timeout: timeout) {
            (try state()["pollers_waiting"]?.numberValue?.int64Value ?? 0) >= count
        }
    }
}
