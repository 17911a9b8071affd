import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 10: the function over HTTPS, as it talks to AWS: an AWS-like chain (leaf + intermediate,
    /// RSA 2048) from the TLS front, the machine's whole CA bundle plus the test root as trust store.
    @Suite("TLS to the AWS endpoints")
    struct TLSTests {
        /// A stack whose AWS endpoints are the TLS front (through the fault proxy, which counts requests).
        static func stack() throws -> (TestStack, TLSFront, FaultProxy) {
            let stack = try TestStack(withProxy: true)
            let proxy = try #require(stack.proxy)
            return (stack, try TLSFront(upstream: proxy.endpoint), proxy)
        }

        @Test("every file in events/ over TLS, with the DynamoDB and S3 connections kept across invocations")
        func everyEnvelope() throws {
            let (stack, front, proxy) = try Self.stack()
            // One record at a time, so a batch file needs no second connection: the count below is exact.
            let bootstrap = try stack.startBootstrap(["AWS_ENDPOINT_URL": try front.endpoint(.good), "SSL_CERT_FILE": front.bundle,
                                                      "BATCH_CONCURRENCY": "1"])
            let files = try FileManager.default.contentsOfDirectory(atPath: Layout.eventsDirectory.path).sorted()
            for pass in ["first", "second"] {
                for file in files {
                    let invocation = try stack.emulator.invoke(try TestStack.eventFile(file))
                    let expectations = EventsFolderTests.expectations[file]
                    #expect(EventsFolderTests.summary(invocation) == (pass == "first" ? expectations?.first : expectations?.second),
                            "\(pass) delivery of \(file): \(invocation.text)")
                }
            }
            #expect(bootstrap.isRunning)
            let state = try stack.state()
            #expect(state.objectKeys.sorted() == EventsFolderTests.orders.map { "raw/events/\($0).json" }.sorted())
            #expect(state.items.count == EventsFolderTests.orders.count)
            let requests = try proxy.log().count
            // 13 first-time orders × 3 requests, 19 duplicate or conflicting deliveries × 1 (batch records included),
            // the invalid, skipped and ignored ones none.
            #expect(requests == 58, "every request went through the front: \(requests)")
            let stats = try front.stats(.good)
            #expect(stats["connections"]?.numberValue == 2, "one kept-alive connection to DynamoDB, one to S3: \(stats)")
            #expect(stats["handshakes"]?.numberValue == 2, "\(stats)")
        }

        @Test("connections closed by the server: the next invocation reconnects and resumes the TLS sessions")
        func reconnectResumes() throws {
            let (stack, front, _) = try Self.stack()
            try stack.startBootstrap(["AWS_ENDPOINT_URL": try front.endpoint(.good), "SSL_CERT_FILE": front.bundle])
            #expect(try stack.invoke(Events.eventBridge(orderID: .string(Events.uniqueOrderID()))).succeeded)
            try front.dropConnections()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(Events.uniqueOrderID())))

            #expect(answer.succeeded, "\(answer.text)")
            let stats = try front.stats(.good)
            #expect(stats["connections"]?.numberValue == 4, "DynamoDB and S3, twice: \(stats)")
            #expect(stats["resumed"]?.numberValue == 2, "both reconnections resumed their session: \(stats)")
        }

        @Test("a certificate that does not verify: DependencyFailure naming the problem, not retried, nothing written",
              arguments: [
                  (TLSFront.Variant.expired, "certificate has expired"),
                  (.wrongHost, "host name mismatch"),
                  (.untrusted, "unable to get local issuer certificate"),
              ])
        func certificateRejected(variant: TLSFront.Variant, problem: String) throws {
            let (stack, front, proxy) = try Self.stack()
            try stack.startBootstrap(["AWS_ENDPOINT_URL": try front.endpoint(variant), "SSL_CERT_FILE": front.bundle])
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            for part in ["DynamoDB PutItem", problem, "trusting bundle \(front.bundle)", "1 attempt", "nothing was claimed"] {
                #expect(message.contains(part), "\(part) in: \(message)")
            }
            let stats = try front.stats(variant)
            #expect(stats["connections"]?.numberValue == 1, "a certificate failure is not retried: \(stats)")
            #expect(try proxy.log().isEmpty, "no request got past the handshake")
            let state = try stack.state()
            #expect(state.item(orderID) == nil)
            #expect(state.objectKeys.isEmpty)
        }

        @Test("S3's certificate fails after the claim: DependencyFailure naming it, the claim released, nothing written")
        func s3CertificateRejectedAfterClaim() throws {
            let (stack, front, proxy) = try Self.stack()
            try stack.startBootstrap(["AWS_ENDPOINT_URL": try front.endpoint(.good), "AWS_ENDPOINT_URL_S3": try front.endpoint(.expired),
                                      "SSL_CERT_FILE": front.bundle])
            let orderID = Events.uniqueOrderID()

            let answer = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))

            #expect(answer.errorType == "DependencyFailure", "\(answer.text)")
            let message = answer.errorMessage ?? ""
            for part in ["S3 PutObject", "certificate has expired", "claim released"] {
                #expect(message.contains(part), "\(part) in: \(message)")
            }
            #expect(try front.connections(.expired) == 1, "not retried")
            #expect(try proxy.requests("PutItem").count == 1, "the claim")
            #expect(try proxy.requests("PutObject").isEmpty)
            let state = try stack.state()
            #expect(state.item(orderID) == nil, "the claim is released")
            #expect(state.objectKeys.isEmpty)
        }

        @Test("SSL_CERT_FILE and SSL_CERT_DIR choose the trust store")
        func trustStoreVariables() throws {
            let (stack, front, _) = try Self.stack()
            let good = try front.endpoint(.good)
            let systemBundle = try #require(["/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt"]
                .first { FileManager.default.fileExists(atPath: $0) })
            let emptyDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: emptyDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: emptyDirectory) }
            let cases: [(environment: [String: String?], trusted: Bool)] = [
                (["SSL_CERT_DIR": front.certificateDirectory, "SSL_CERT_FILE": nil], true),
                (["SSL_CERT_DIR": emptyDirectory.path, "SSL_CERT_FILE": nil], false),
                (["SSL_CERT_FILE": systemBundle, "SSL_CERT_DIR": nil], false),  // the machine's roots, not the test root
                (["SSL_CERT_FILE": front.bundle, "SSL_CERT_DIR": nil], true),
            ]
            for (environment, trusted) in cases {
                var changes = environment
                changes["AWS_ENDPOINT_URL"] = good
                let bootstrap = try stack.startBootstrap(changes)
                let answer = try stack.invoke(Events.eventBridge(orderID: .string(Events.uniqueOrderID())))
                if trusted {
                    #expect(answer.succeeded, "\(environment): \(answer.text)")
                } else {
                    #expect(answer.errorType == "DependencyFailure", "\(environment): \(answer.text)")
                    #expect(answer.errorMessage?.contains("unable to get local issuer certificate") == true, "\(answer.text)")
                }
                bootstrap.stop()
            }
        }
    }
}
