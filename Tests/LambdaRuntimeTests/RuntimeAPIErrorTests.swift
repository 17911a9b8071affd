import HTTP
import JSON
@testable import LambdaRuntime
import Testing

@Suite("RuntimeAPIError")
struct RuntimeAPIErrorTests {
    @Test("each failure has a one-line description naming what failed", arguments: [
        (RuntimeAPIError.Code.invalidEndpoint("localhost"), #"AWS_LAMBDA_RUNTIME_API must be host:port, found "localhost""#),
        (.transport(endpoint: "/runtime/invocation/next", HTTPError(.transport(curlCode: 7, message: "Couldn't connect to server"))),
         "Runtime API request /runtime/invocation/next failed: Couldn't connect to server (curl error 7)"),
        (.unexpectedStatus(endpoint: "/runtime/invocation/next", status: 500, body: #"{"errorType":"ServiceException"}"#),
         #"Runtime API request /runtime/invocation/next answered HTTP 500: {\"errorType\":\"ServiceException\"}"#),
        (.missingHeader("lambda-runtime-aws-request-id"), "Runtime API /next response has no lambda-runtime-aws-request-id header"),
        (.malformedHeader("lambda-runtime-deadline-ms", "soon"),
         #"Runtime API /next response has a malformed lambda-runtime-deadline-ms header (expected Unix time in milliseconds): "soon""#),
        (.malformedHeader("lambda-runtime-other", "x"), #"Runtime API /next response has a malformed lambda-runtime-other header: "x""#),
        (.invalidInvocation(InvocationAddress(requestID: "r-1", invocationID: "i-1"), problem: "Runtime API /next response has no lambda-runtime-deadline-ms header"),
         "Runtime API /next response has no lambda-runtime-deadline-ms header"),
    ])
    func descriptions(_ code: RuntimeAPIError.Code, _ description: String) {
        #expect(RuntimeAPIError(code).description == description)
    }

    @Test("long bodies and header values are cut, and control characters escaped", arguments: [
        (RuntimeAPIError.Code.unexpectedStatus(endpoint: "/e", status: 403, body: String(repeating: "b", count: 2_000)),
         "Runtime API request /e answered HTTP 403: " + String(repeating: "b", count: 512) + "…"),
        (.malformedHeader("h", String(repeating: "v", count: 1_000)),
         "Runtime API /next response has a malformed h header: \"" + String(repeating: "v", count: 64) + "…\""),
        (.malformedHeader("h", "a\u{7}\u{1B}]0;x\u{7}\r\nb\"\\"), #"Runtime API /next response has a malformed h header: "a\u0007\u001b]0;x\u0007\r\nb\"\\""#),
        (.invalidEndpoint(String(repeating: "é", count: 100)),
         "AWS_LAMBDA_RUNTIME_API must be host:port, found \"" + String(repeating: "é", count: 32) + "…\""),
    ])
    func truncated(_ code: RuntimeAPIError.Code, _ description: String) {
        #expect(RuntimeAPIError(code).description == description)
    }

    @Test("an excerpt's escaped text never passes its limit and is cut on a scalar boundary", arguments: [
        ("\u{1}\u{1}\u{1}", 12, #""\u0001\u0001…""#), ("ab", 2, #""ab""#), ("abc", 2, #""ab…""#), ("€€", 5, #""€…""#),
        ("\u{2028}x", 6, #""\u2028…""#), ("", 0, #""""#),
    ])
    func excerpt(_ text: String, _ limit: Int, _ expected: String) {
        #expect(JSONString.excerpt(text, limit: limit) == expected)
    }

    @Test("errors compare by their code")
    func equality() {
        #expect(RuntimeAPIError(.missingHeader("a")) == RuntimeAPIError(.missingHeader("a")))
        #expect(RuntimeAPIError(.missingHeader("a")) != RuntimeAPIError(.missingHeader("b")))
    }

    @Test("only refused, reset and timed-out connections and 5xx answers are transient", arguments: [
        (RuntimeAPIError.Code.invalidEndpoint("x"), false), (.missingHeader("h"), false), (.malformedHeader("h", "v"), false),
        (.invalidInvocation(InvocationAddress(requestID: "r"), problem: "p"), false),
        (.unexpectedStatus(endpoint: "/e", status: 599, body: ""), true), (.unexpectedStatus(endpoint: "/e", status: 600, body: ""), false),
        (.unexpectedStatus(endpoint: "/e", status: 499, body: ""), false),
        (.transport(endpoint: "/e", HTTPError(.transport(curlCode: 28, message: ""))), true),
        (.transport(endpoint: "/e", HTTPError(.transport(curlCode: 7, message: ""))), true),
        (.transport(endpoint: "/e", HTTPError(.optionRejected(option: "URL", curlCode: 43, message: ""))), false),
    ])
    func transient(_ code: RuntimeAPIError.Code, _ expected: Bool) {
        #expect(RuntimeAPIError(code).isTransient == expected)
    }
}
