@testable import LambdaRuntime
import Testing

@Suite("LocalInvocation")
struct LocalInvocationTests {
    /// Whether `text` is a lower-case version 4 UUID with the RFC 4122 variant: 8-4-4-4-12 hex digits,
    /// a `4` opening the third group and one of `8 9 a b` opening the fourth.
    static func isVersion4UUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        guard groups.allSatisfy({ $0.allSatisfy { "0123456789abcdef".contains($0) } }) else { return false }
        return groups[2].first == "4" && "89ab".contains(groups[3].first ?? "x")
    }

    @Test("the check rejects what is not a lower-case v4 UUID", arguments: [
        "8476a536-e9f4-11e8-9739-2dfe598c3fcd", "8476A536-E9F4-41E8-9739-2DFE598C3FCD", "8476a536-e9f4-41e8-c739-2dfe598c3fcd",
        "8476a536e9f441e897392dfe598c3fcd", "8476a536-e9f4-41e8-9739-2dfe598c3fc", "8476a536-e9f4-41e8-9739-2dfe598c3fcg",
    ])
    func checkRejects(_ text: String) {
        #expect(!Self.isVersion4UUID(text))
    }

    @Test("random request IDs are version 4 UUIDs with the RFC 4122 variant")
    func shape() {
        for _ in 0..<500 {
            let id = LocalInvocation.randomRequestID()
            #expect(Self.isVersion4UUID(id), "\(id)")
        }
    }

    @Test("random request IDs differ, and every variant digit occurs")
    func randomness() {
        let ids = (0..<500).map { _ in LocalInvocation.randomRequestID() }
        #expect(Set(ids).count == ids.count)
        let variants = Set(ids.compactMap { $0.split(separator: "-").dropFirst(3).first?.first })
        #expect(variants == ["8", "9", "a", "b"])
    }

    @Test("the deadline is now plus the timeout, and a given request ID is kept")
    func context() {
        let context = LocalInvocation.context(requestID: "local-1", timeoutMilliseconds: 30_000,
                                              functionARN: "arn:aws:lambda:eu-west-1:123456789012:function:order-pipeline",
                                              nowMilliseconds: 1_795_633_746_123)
        #expect(context == InvocationContext(requestID: "local-1", deadlineMilliseconds: 1_795_633_776_123,
                                             invokedFunctionARN: "arn:aws:lambda:eu-west-1:123456789012:function:order-pipeline"))
        #expect(context.remainingMilliseconds(now: 1_795_633_746_123) == 30_000)
    }

    @Test("without a request ID a fresh UUID is made")
    func freshRequestID() {
        let first = LocalInvocation.context(requestID: nil, timeoutMilliseconds: 1, functionARN: "", nowMilliseconds: 0)
        let second = LocalInvocation.context(requestID: nil, timeoutMilliseconds: 1, functionARN: "", nowMilliseconds: 0)
        #expect(Self.isVersion4UUID(first.requestID))
        #expect(first.requestID != second.requestID)
        #expect(first.deadlineMilliseconds == 1)
    }
}
