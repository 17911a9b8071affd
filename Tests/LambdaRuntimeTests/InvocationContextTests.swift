import HTTP
@testable import LambdaRuntime
import Testing

@Suite("InvocationContext")
struct InvocationContextTests {
    /// The headers of a real `/next` response, as the HTTP layer delivers them (names lower-cased).
    static let headers = [
        HTTPHeader("content-type", "application/json"),
        HTTPHeader("lambda-runtime-aws-request-id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd"),
        HTTPHeader("lambda-runtime-deadline-ms", "1542409706888"),
        HTTPHeader("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime"),
        HTTPHeader("lambda-runtime-trace-id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"),
    ]

    static func headers(without name: String) -> [HTTPHeader] {
        headers.filter { $0.name != name }
    }

    static func headers(setting name: String, to value: String) -> [HTTPHeader] {
        headers(without: name) + [HTTPHeader(name, value)]
    }

    @Test("the headers of /next become the context")
    func fromHeaders() throws {
        let context = try InvocationContext(headers: Self.headers)
        #expect(context == InvocationContext(
            requestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd", deadlineMilliseconds: 1_542_409_706_888,
            invokedFunctionARN: "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime",
            traceID: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"))
    }

    @Test("optional headers become optionals, and an empty trace ID is none")
    func optionalHeaders() throws {
        let bare = try InvocationContext(headers: [
            HTTPHeader("lambda-runtime-aws-request-id", "r-1"), HTTPHeader("lambda-runtime-deadline-ms", "1542409706888"),
        ])
        #expect(bare.invokedFunctionARN == "")
        #expect(bare.traceID == nil)
        #expect(bare.clientContext == nil)
        #expect(bare.cognitoIdentity == nil)
        #expect(bare.tenantID == nil)
        #expect(try InvocationContext(headers: Self.headers(setting: "lambda-runtime-trace-id", to: "")).traceID == nil)

        let full = try InvocationContext(headers: Self.headers + [
            HTTPHeader("lambda-runtime-client-context", #"{"client":{"app_title":"shop"}}"#),
            HTTPHeader("lambda-runtime-cognito-identity", #"{"cognitoIdentityId":"eu-west-1:abc"}"#),
            HTTPHeader("lambda-runtime-aws-tenant-id", "tenant-42"),
        ])
        #expect(full.clientContext == #"{"client":{"app_title":"shop"}}"#)
        #expect(full.cognitoIdentity == #"{"cognitoIdentityId":"eu-west-1:abc"}"#)
        #expect(full.tenantID == "tenant-42")
    }

    @Test("a missing or empty request ID is rejected, naming the header")
    func missingRequestID() {
        let expected = RuntimeAPIError(.missingHeader("lambda-runtime-aws-request-id"))
        #expect(throws: expected) { try InvocationContext(headers: Self.headers(without: "lambda-runtime-aws-request-id")) }
        #expect(throws: expected) { try InvocationContext(headers: Self.headers(setting: "lambda-runtime-aws-request-id", to: "")) }
    }

    @Test("a missing deadline is rejected, naming the header")
    func missingDeadline() {
        #expect(throws: RuntimeAPIError(.missingHeader("lambda-runtime-deadline-ms"))) {
            try InvocationContext(headers: Self.headers(without: "lambda-runtime-deadline-ms"))
        }
    }

    @Test("a malformed deadline is rejected, naming the header and quoting the value", arguments: [
        "", "soon", "1542409706888.5", "-1542409706888", "0", "1e12", "99999999999999999999", " 1542409706888x",
    ])
    func malformedDeadline(_ value: String) {
        #expect(throws: RuntimeAPIError(.malformedHeader("lambda-runtime-deadline-ms", value))) {
            try InvocationContext(headers: Self.headers(setting: "lambda-runtime-deadline-ms", to: value))
        }
    }

    @Test("remaining time is the deadline minus now, zero and negative included", arguments: [
        (Int64(1_542_409_703_888), Int64(3_000)), (1_542_409_706_887, 1), (1_542_409_706_888, 0), (1_542_409_706_889, -1),
        (1_542_409_716_888, -10_000),
    ])
    func remaining(_ now: Int64, _ expected: Int64) throws {
        let context = try InvocationContext(headers: Self.headers)
        #expect(context.remainingMilliseconds(now: now) == expected)
    }

    @Test("names match in any ASCII case, and the first of a repeated header counts")
    func caseAndRepeats() throws {
        let context = try InvocationContext(headers: [
            HTTPHeader("Lambda-Runtime-Aws-Request-Id", "first"),
            HTTPHeader("LAMBDA-RUNTIME-DEADLINE-MS", "1542409706888"),
            HTTPHeader("lambda-runtime-aws-request-id", "second"),
            HTTPHeader("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-2:123456789012:function:f"),
            HTTPHeader("lambda-runtime-invoked-function-arn", "arn:other"),
            HTTPHeader("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700"),
            HTTPHeader("Lambda-Runtime-Invocation-Id", "inv-1"),
            HTTPHeader("Lambda-Runtime-Aws-Tenant-Id", "tenant-7"),
            HTTPHeader("lambda-runtime-deadline", "not the deadline header"),
            HTTPHeader("lambda-runtime-deadline-ms-x", "nor this"),
        ])
        #expect(context == InvocationContext(
            requestID: "first", deadlineMilliseconds: 1_542_409_706_888,
            invokedFunctionARN: "arn:aws:lambda:us-east-2:123456789012:function:f",
            traceID: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700", tenantID: "tenant-7", invocationID: "inv-1"))
    }
}
