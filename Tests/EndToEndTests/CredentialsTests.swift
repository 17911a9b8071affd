import JSON
import Testing
import TestSupport

extension EndToEnd {
    @Suite("Credentials and signing")
    struct CredentialsTests {
        @Test("a wrong secret key gives a DependencyFailure that names the 403, and the runtime keeps serving")
        func wrongSecret() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["AWS_SECRET_ACCESS_KEY": "wrong-secret-key-000000000000000000000000"])
            let answer = try stack.invoke(Events.eventBridge(orderID: .string(Events.uniqueOrderID())))
            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            #expect(message.contains("DynamoDB PutItem"), "\(message)")
            #expect(message.contains("403"), "\(message)")
            #expect(message.contains("SignatureDoesNotMatch"), "\(message)")
            try stack.emulator.waitForPollers(1)
            #expect(bootstrap.isRunning)
            #expect(!bootstrap.logs.contains("wrong-secret-key"), "the secret never reaches the logs")
            #expect(try stack.state().objects.isEmpty)
        }

        @Test("temporary credentials: the session token is sent and signed")
        func sessionToken() throws {
            let stack = try TestStack(withProxy: true)
            let session = try stack.localStack.session()
            try stack.startBootstrap([
                "AWS_ACCESS_KEY_ID": session.accessKeyID,
                "AWS_SECRET_ACCESS_KEY": session.secretAccessKey,
                "AWS_SESSION_TOKEN": session.sessionToken,
            ])
            let orderID = Events.uniqueOrderID()
            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            #expect(answer.body?["first_time"]?.boolValue == true, "moto accepts the ASIA key only with its token: \(answer.text)")

            let requests = try #require(stack.proxy).log()
            #expect(requests.count == 3)
            for request in requests {
                let headers = request["headers"]?.objectValue
                let token = headers?.first { $0.key.lowercased() == "x-amz-security-token" }?.value.stringValue
                let authorization = headers?.first { $0.key.lowercased() == "authorization" }?.value.stringValue ?? ""
                #expect(token == session.sessionToken, "\(request["operation"]?.stringValue ?? "?") sends the token")
                #expect(authorization.contains("x-amz-security-token"), "and signs it: \(authorization)")
            }
            try stack.state().expectOneVersion(of: orderID)
        }

        @Test("without the session token the temporary key is refused")
        func missingToken() throws {
            let stack = try TestStack()
            let session = try stack.localStack.session()
            try stack.startBootstrap(["AWS_ACCESS_KEY_ID": session.accessKeyID, "AWS_SECRET_ACCESS_KEY": session.secretAccessKey])
            let answer = try stack.invoke(Events.eventBridge(orderID: .string(Events.uniqueOrderID())))
            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
        }
    }
}
