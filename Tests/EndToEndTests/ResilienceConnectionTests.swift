import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 4: one kept-alive connection per service endpoint across invocations, and a connection
    /// that breaks is replaced without the invocation noticing.
    @Suite("Resilience: connection reuse")
    struct ResilienceConnectionTests {
        @Test("100 first-time orders through one bootstrap use at most 2 connections: one per service")
        func hundredInvocations() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            var failures: [String] = []
            for index in 0..<100 {
                let answer = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID("reuse-\(index)"))))
                if answer.body?["first_time"]?.boolValue != true { failures.append(answer.text) }
            }
            #expect(failures.isEmpty, "\(failures.count) orders failed, first: \(failures.first ?? "")")

            // The bound: the client keeps one libcurl handle, hence one kept-alive connection, per
            // service (DynamoDB and S3 both point at the proxy here), and the proxy keeps client
            // connections open. So 2, whatever the number of invocations; a client that reconnected
            // per request would show 300.
            let accepted = try proxy.connectionsAccepted()
            #expect(accepted >= 1 && accepted <= 2, "connections accepted: \(accepted)")
            let log = try proxy.log()
            #expect(log.count == 300, "a claim, a write and a completion per order: \(log.count) requests")
            let connectionsPerService = Dictionary(grouping: log) { $0["service"]?.stringValue ?? "?" }
                .mapValues { Set($0.compactMap { $0.int("connection") }).count }
            #expect(connectionsPerService == ["dynamodb": 1, "s3": 1], "\(connectionsPerService)")
            #expect(try stack.state().objects.count == 100)
        }

        @Test("a kept-alive connection reset mid-request is re-established transparently, then kept again")
        func keptAliveConnectionReset() throws {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            try stack.startBootstrap()
            let warmUp = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID())))
            #expect(warmUp.body?["first_time"]?.boolValue == true, "\(warmUp.text)")
            #expect(try proxy.connectionsAccepted() == 2, "one kept-alive connection per service")

            // The claim goes out on the kept-alive DynamoDB connection, which the proxy resets.
            try proxy.inject("reset", on: "dynamodb", "PutItem")
            let orderID = Events.uniqueOrderID()
            let answer = try stack.invoke(Events.raw(orderID: .string(orderID)))
            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            #expect(try proxy.connectionsAccepted() == 3, "exactly one new connection replaced the broken one")

            let after = try stack.invoke(Events.raw(orderID: .string(Events.uniqueOrderID())))
            #expect(after.body?["first_time"]?.boolValue == true, "\(after.text)")
            #expect(try proxy.connectionsAccepted() == 3, "and it is kept alive in turn")
            let claims = try proxy.requests("PutItem")
            #expect(claims.map { $0["action"]?.stringValue } == ["forward", "reset", "forward", "forward"])
            #expect(claims[2].int("connection") == claims[3].int("connection"))
            #expect(claims[1].int("connection") != claims[2].int("connection"))
            try stack.state().expectOneVersion(of: orderID)
        }
    }
}
