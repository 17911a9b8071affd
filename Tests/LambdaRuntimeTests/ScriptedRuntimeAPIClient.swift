import HTTP
@testable import LambdaRuntime

/// A Runtime API for ``RuntimeLoop`` tests: `/next` answers come from a script, posts are recorded
/// and answered from their own scripts (accepted when none is left). When the `/next` script runs
/// out, `/next` fails with a 403, which is not transient, so the loop ends and the test can look.
final class ScriptedRuntimeAPIClient: RuntimeAPIClientProtocol {
    /// One post the loop made.
    enum Post: Equatable {
        case response(InvocationAddress, body: [UInt8])
        case error(InvocationAddress, FunctionError)

        /// A post to an invocation without an invocation ID (an older Runtime API).
        static func response(requestID: String, body: [UInt8]) -> Post { .response(InvocationAddress(requestID: requestID), body: body) }
        static func error(requestID: String, _ error: FunctionError) -> Post { .error(InvocationAddress(requestID: requestID), error) }
    }

    /// The failure that ends every scripted run.
    static let endOfScript = RuntimeAPIError(.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 403, body: "end of script"))

    private var nexts: [Result<Invocation, RuntimeAPIError>]
    private var responseOutcomes: [Result<RuntimeAPIClient.PostOutcome, RuntimeAPIError>]
    private var errorOutcomes: [Result<RuntimeAPIClient.PostOutcome, RuntimeAPIError>]
    private(set) var posts: [Post] = []
    private(set) var nextCalls = 0

    init(nexts: [Result<Invocation, RuntimeAPIError>],
         responseOutcomes: [Result<RuntimeAPIClient.PostOutcome, RuntimeAPIError>] = [],
         errorOutcomes: [Result<RuntimeAPIClient.PostOutcome, RuntimeAPIError>] = []) {
        self.nexts = nexts
        self.responseOutcomes = responseOutcomes
        self.errorOutcomes = errorOutcomes
    }

    func nextInvocation() throws(RuntimeAPIError) -> Invocation {
        nextCalls += 1
        guard !nexts.isEmpty else { throw Self.endOfScript }
        return try nexts.removeFirst().get()
    }

    func sendResponse(_ body: [UInt8], to address: InvocationAddress) throws(RuntimeAPIError) -> RuntimeAPIClient.PostOutcome {
        posts.append(.response(address, body: body))
        return try responseOutcomes.isEmpty ? .accepted : responseOutcomes.removeFirst().get()
    }

    func sendError(_ error: FunctionError, to address: InvocationAddress) throws(RuntimeAPIError) -> RuntimeAPIClient.PostOutcome {
        posts.append(.error(address, error))
        return try errorOutcomes.isEmpty ? .accepted : errorOutcomes.removeFirst().get()
    }

    /// An invocation as `/next` would give it.
    static func invocation(_ requestID: String, event: String = #"{"order_id":"1","price":1}"#, traceID: String? = nil,
                           tenantID: String? = nil, invocationID: String? = nil) -> Invocation {
        Invocation(context: InvocationContext(requestID: requestID, deadlineMilliseconds: 1_795_633_776_123,
                                              invokedFunctionARN: "arn:aws:lambda:eu-west-1:123456789012:function:f",
                                              traceID: traceID, tenantID: tenantID, invocationID: invocationID),
                   event: Array(event.utf8))
    }
}
