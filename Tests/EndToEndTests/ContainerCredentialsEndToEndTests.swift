import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 4: credentials from the container endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), with
    /// the authorization token checked, fetched once, and refreshed before they expire.
    @Suite("Container credentials")
    struct ContainerCredentialsEndToEndTests {
        static let token = "container-token-\(UUID().uuidString.lowercased())"

        /// A stack and an endpoint serving the stack's temporary keys.
        static func setUp(expiresInSeconds: Int = 3_600) throws -> (TestStack, CredentialsEndpoint) {
            let stack = try TestStack()
            let endpoint = try CredentialsEndpoint(credentials: try stack.localStack.session(), expectedToken: token,
                                                   expiresInSeconds: expiresInSeconds)
            return (stack, endpoint)
        }

        /// The function's environment with no keys of its own: only the container endpoint can give them.
        static func containerEnvironment(_ endpoint: CredentialsEndpoint, _ extra: [String: String?]) -> [String: String?] {
            var changes: [String: String?] = [
                "AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_SESSION_TOKEN": nil,
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials", "AWS_CONFIG_FILE": "/nonexistent/config",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url,
            ]
            for (name, value) in extra { changes[name] = value }
            return changes
        }

        @Test("keys from the endpoint with AWS_CONTAINER_AUTHORIZATION_TOKEN: orders succeed, fetched once and reused")
        func tokenFromEnvironment() throws {
            let (stack, endpoint) = try Self.setUp()
            try stack.startBootstrap(Self.containerEnvironment(endpoint, ["AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.token]))

            for _ in 0..<3 {
                let orderID = Events.uniqueOrderID()
                let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
                #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
                try stack.state().expectOneVersion(of: orderID)
            }
            let stats = try endpoint.stats()
            #expect(stats.requests == 1, "fetched once for 3 invocations (9 signed requests): \(stats.requests) fetches")
            #expect(stats.authorizations == [Self.token], "the token went in the Authorization header")
        }

        @Test("keys from the endpoint with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: the order succeeds")
        func tokenFromFile() throws {
            let (stack, endpoint) = try Self.setUp()
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("container-token-\(UUID().uuidString)")
            try Data((Self.token + "\n").utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            try stack.startBootstrap(Self.containerEnvironment(endpoint, ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": file.path]))

            let orderID = Events.uniqueOrderID()
            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
            #expect(try endpoint.stats().authorizations == [Self.token], "the file's token, without its newline")
            try stack.state().expectOneVersion(of: orderID)
        }

        @Test("a wrong token: DependencyFailure saying which endpoint was asked and what it answered; nothing is written")
        func wrongToken() throws {
            let (stack, endpoint) = try Self.setUp()
            let bootstrap = try stack.startBootstrap(Self.containerEnvironment(endpoint, ["AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong-token"]))
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            for part in ["DynamoDB PutItem", "no credentials", endpoint.url, "HTTP 403", "AccessDenied", "AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
                #expect(message.contains(part), "\(part) in: \(message)")
            }
            #expect(!message.contains("wrong-token") && !bootstrap.logs.contains("wrong-token"), "the token itself is never shown")
            #expect(try endpoint.stats().served == 0)
            let state = try stack.state()
            #expect(state.item(orderID) == nil && state.objects.isEmpty)
            try stack.emulator.waitForPollers(1)
            #expect(bootstrap.isRunning, "the runtime keeps serving")
        }

        @Test("keys that expire within 5 minutes are fetched again before each use")
        func refreshedNearExpiry() throws {
            // Expiration 4 minutes ahead is inside the 5-minute refresh window from the moment it is served.
            let (stack, endpoint) = try Self.setUp(expiresInSeconds: 4 * 60)
            try stack.startBootstrap(Self.containerEnvironment(endpoint, ["AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.token]))

            var fetches: [Int] = []
            for _ in 0..<3 {
                let answer = try stack.invoke(Events.eventBridge(orderID: .string(Events.uniqueOrderID())))
                #expect(answer.body?["first_time"]?.boolValue == true, "\(answer.text)")
                fetches.append(try endpoint.stats().served)
            }
            #expect(fetches[0] >= 1 && fetches[1] > fetches[0] && fetches[2] > fetches[1],
                    "every invocation fetched again: served counts after each \(fetches)")
        }
    }
}
