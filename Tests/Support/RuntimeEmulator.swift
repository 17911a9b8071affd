import Foundation
import HTTP
import JSON

/// The project's Runtime API emulator (scripts/lib/runtime_emulator.py), one per test.
package final class RuntimeEmulator {
    package let runtimeAPI: String
    private let process: ChildProcess

    /// Starts an emulator.
    /// - Parameters:
    ///   - timeoutMilliseconds: The default deadline of an invocation.
    ///   - invocationIDs: Whether `/next` sends `Lambda-Runtime-Invocation-Id` (2026); `false` acts as an older Runtime API.
    package init(timeoutMilliseconds: Int = 5_000, invocationIDs: Bool = true) throws {
        let (process, ready) = try Python.startTool("runtime_emulator.py", ["--port", "0", "--timeout-ms", String(timeoutMilliseconds)]
                                                    + (invocationIDs ? [] : ["--no-invocation-ids"]))
        guard let api = ready["runtime_api"] as? String else { throw TestSetupError("emulator ready line: \(ready)") }
        self.process = process
        self.runtimeAPI = api
    }

    deinit {
        process.stop()
    }

    /// The answer of a synchronous invoke, as Lambda's Invoke API gives it.
    package struct Invocation {
        package let status: Int
        package let requestID: String?
        /// `Unhandled` for a function error.
        package let functionError: String?
        package let body: JSONValue?
        package let text: String

        /// The contract error type (`errorType` of the error body), for function errors.
        package var errorType: String? { functionError == nil ? nil : body?["errorType"]?.stringValue }
        package var errorMessage: String? { body?["errorMessage"]?.stringValue }
        package var succeeded: Bool { status == 200 && functionError == nil }
    }

    /// Invokes the function synchronously.
    /// - Parameters:
    ///   - event: The event bytes.
    ///   - requestID: Reuse a request ID (as Lambda does for async retries).
    ///   - timeoutMilliseconds: This invocation's deadline.
    ///   - traceID: The trace header the invoker sends (`X-Amzn-Trace-Id`), passed to the runtime verbatim.
    ///   - tenantID: The tenant (`X-Amz-Tenant-Id`), passed to the runtime as `Lambda-Runtime-Aws-Tenant-Id`.
    ///   - deadlineSkewMilliseconds: Tell the runtime a deadline this much later than the real one
    ///     (a sandbox clock behind Lambda's), so it answers after the invoke timed out.
    package func invoke(_ event: [UInt8], requestID: String? = nil, timeoutMilliseconds: Int? = nil,
                        traceID: String? = nil, tenantID: String? = nil, deadlineSkewMilliseconds: Int? = nil) throws -> Invocation {
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let deadlineSkewMilliseconds { headers.append(HTTPHeader("X-Emulator-Deadline-Skew-Ms", String(deadlineSkewMilliseconds))) }
        if let requestID { headers.append(HTTPHeader("X-Emulator-Request-Id", requestID)) }
        if let traceID { headers.append(HTTPHeader("X-Amzn-Trace-Id", traceID)) }
        if let tenantID { headers.append(HTTPHeader("X-Amz-Tenant-Id", tenantID)) }
        if let timeoutMilliseconds { headers.append(HTTPHeader("X-Emulator-Timeout-Ms", String(timeoutMilliseconds))) }
        let reply = try TestHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations",
                                      headers: headers, body: event, timeoutMilliseconds: 120_000)
        return Invocation(status: reply.status, requestID: reply.header("x-amz-request-id"),
                          functionError: reply.header("x-amz-function-error"), body: try? JSONValue.parse(reply.body),
                          text: reply.text)
    }

    package func invoke(_ event: JSONValue, requestID: String? = nil, timeoutMilliseconds: Int? = nil,
                        traceID: String? = nil, tenantID: String? = nil, deadlineSkewMilliseconds: Int? = nil) throws -> Invocation {
        try invoke(event.serializedBytes(), requestID: requestID, timeoutMilliseconds: timeoutMilliseconds,
                   traceID: traceID, tenantID: tenantID, deadlineSkewMilliseconds: deadlineSkewMilliseconds)
    }

    /// Queues an invocation without waiting (`X-Amz-Invocation-Type: Event`).
    package func invokeAsync(_ event: JSONValue, requestID: String? = nil, timeoutMilliseconds: Int? = nil) throws {
        var headers = [HTTPHeader("X-Amz-Invocation-Type", "Event")]
        if let requestID { headers.append(HTTPHeader("X-Emulator-Request-Id", requestID)) }
        if let timeoutMilliseconds { headers.append(HTTPHeader("X-Emulator-Timeout-Ms", String(timeoutMilliseconds))) }
        let reply = try TestHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations",
                                      headers: headers, body: event.serializedBytes())
        guard reply.status == 202 else { throw TestSetupError("async invoke answered \(reply.status): \(reply.text)") }
    }

    /// The emulator's record of invocations, init errors and pollers.
    package func state() throws -> JSONValue {
        try TestHTTP.expectOK("GET", "http://\(runtimeAPI)/emulator/state").json()
    }

    /// Waits until this many runtimes are blocked on `/next`.
    package func waitForPollers(_ count: Int, timeout: Duration = .seconds(20)) throws {
        try waitUntil("\(count) runtime(s) polling /next", timeout: timeout) {
            (try state()["pollers_waiting"]?.numberValue?.int64Value ?? 0) >= count
        }
    }
}
