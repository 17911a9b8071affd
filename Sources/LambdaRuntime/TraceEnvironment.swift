#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps `_X_AMZN_TRACE_ID` in step with the current invocation, as the Runtime API docs ask of
/// custom runtimes (OS-only runtimes do not set it), so X-Ray and recursion detection see it.
enum TraceEnvironment {
    static let variable = "_X_AMZN_TRACE_ID"

    /// Sets the variable for this invocation, or clears the previous invocation's value.
    static func set(_ traceID: String?) {
        if let traceID {
            setenv(variable, traceID, 1)
        } else {
            unsetenv(variable)
        }
    }
}
