import JSON
import Testing
import TestSupport

extension EndToEnd {
    @Suite("Configuration at start-up")
    struct ConfigurationTests {
        @Test("a missing BUCKET is posted to /runtime/init/error and the process exits non-zero")
        func missingBucket() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["BUCKET": nil], waitUntilPolling: false)
            let status = try bootstrap.waitForExit()
            #expect(status != 0)
            let initErrors = try stack.emulator.state()["init_errors"]?.arrayValue ?? []
            #expect(initErrors.count == 1)
            #expect(initErrors.first?["error_type"]?.stringValue == "InvalidConfiguration")
            let message = initErrors.first?["body"]?["errorMessage"]?.stringValue ?? ""
            #expect(message.contains("BUCKET"), "the message names the variable: \(message)")

            // Lambda serves the init error to the first invoke.
            let invoke = try stack.invoke(Events.eventBridge(orderID: "1"))
            #expect(invoke.errorType == "InvalidConfiguration")
        }

        @Test("a RAW_PREFIX that begins with the bucket name is refused at start-up")
        func doubledFolder() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["RAW_PREFIX": "\(stack.bucket)/raw/"], waitUntilPolling: false)
            #expect(try bootstrap.waitForExit() != 0)
            let message = try stack.emulator.state()["init_errors"]?[0]?["body"]?["errorMessage"]?.stringValue ?? ""
            #expect(message.contains("RAW_PREFIX"), "\(message)")
        }

        @Test("RAW_PREFIX is normalised: no leading slash, one trailing slash")
        func prefixNormalised() throws {
            let stack = try TestStack()
            try stack.startBootstrap(["RAW_PREFIX": "/archive/orders"])
            let orderID = Events.uniqueOrderID()
            let answer = try stack.invoke(Events.raw(orderID: .string(orderID)))
            #expect(answer.body?["s3_key"]?.stringValue == "archive/orders/\(orderID).json", "\(answer.text)")
            try stack.state().expectOneVersion(of: orderID, prefix: "archive/orders/")
        }
    }
}
