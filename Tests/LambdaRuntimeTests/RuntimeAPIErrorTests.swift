@testable import LambdaRuntime
import Testing

@Suite("RuntimeAPIError")
struct RuntimeAPIErrorTests {
    @Test("each failure has a one-line description naming what failed", arguments: [
        (RuntimeAPIError.Code.invalidEndpoint("localhost"), #"AWS_LAMBDA_RUNTIME_API must be host:port, found "localhost""#),
        (.transport(endpoint: "/runtime/invocation/next", detail: "Couldn't connect to server (curl error 7)"),
         "Runtime API request /runtime/invocation/next failed: Couldn't connect to server (curl error 7)"),
        (.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 500, body: #"{"errorType":"ServiceException"}"#),
         #"Runtime API request /runtime/invocation/next answered HTTP 500: {"errorType":"ServiceException"}"#),
        (.missingHeader("lambda-runtime-aws-request-id"), "Runtime API /next response has no lambda-runtime-aws-request-id header"),
        (.malformedHeader("lambda-runtime-deadline-ms", "soon"), #"Runtime API /next response has a malformed lambda-runtime-deadline-ms header: "soon""#),
    ])
    func descriptions(_ code: RuntimeAPIError.Code, _ description: String) {
        #expect(RuntimeAPIError(code).description == description)
    }

    @Test("long bodies and header values are cut", arguments: [
        (RuntimeAPIError.Code.unexpectedStatus(endpoint: "/e", status: 403, body: String(repeating: "b", count: 2_000)),
         "Runtime API request /e answered HTTP 403: " + String(repeating: "b", count: 512)),
        (.malformedHeader("h", String(repeating: "v", count: 1_000)),
         "Runtime API /next response has a malformed h header: \"" + String(repeating: "v", count: 128) + "\""),
    ])
    func truncated(_ code: RuntimeAPIError.Code, _ description: String) {
        #expect(RuntimeAPIError(code).description == description)
    }

    @Test("errors compare by their code")
    func equality() {
        #expect(RuntimeAPIError(.missingHeader("a")) == RuntimeAPIError(.missingHeader("a")))
        #expect(RuntimeAPIError(.missingHeader("a")) != RuntimeAPIError(.missingHeader("b")))
    }
}
