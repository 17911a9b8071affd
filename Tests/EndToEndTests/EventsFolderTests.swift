import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    @Suite("Replaying events/")
    struct EventsFolderTests {
        /// What each file in events/ must give on its first and second delivery, in name order.
        static let expectations: [String: (first: String, second: String)] = [
            "01-eventbridge-order-created.json": ("first_time 123", "duplicate 123"),
            "02-raw-order.json": ("first_time A-1001", "duplicate A-1001"),
            "03-json-text-order.json": ("first_time B-2002", "duplicate B-2002"),
            "04-s3-object-created.json": ("first_time big order-3003", "duplicate big order-3003"),
            "05-raw-order-123-same-as-eventbridge.json": ("duplicate 123", "duplicate 123"),
            "06-conflict-order-123-new-price.json": ("OrderConflict", "OrderConflict"),
            "07-invalid-missing-price.json": ("InvalidOrderEvent", "InvalidOrderEvent"),
            "08-invalid-missing-order-id.json": ("InvalidOrderEvent", "InvalidOrderEvent"),
            "09-invalid-unsafe-key.json": ("InvalidOrderEvent", "InvalidOrderEvent"),
            "10-invalid-not-json.txt": ("InvalidOrderEvent", "InvalidOrderEvent"),
            // Batches answer with the messageIds that failed: the same ones both times (the good ones are duplicates then).
            "11-sqs-standard-batch.json": ("failed [c0ffee00-0000-4000-8000-000000001103, c0ffee00-0000-4000-8000-000000001104]",
                                           "failed [c0ffee00-0000-4000-8000-000000001103, c0ffee00-0000-4000-8000-000000001104]"),
            "12-sqs-fifo-batch.json": ("failed [c0ffee00-0000-4000-8000-000000001202, c0ffee00-0000-4000-8000-000000001203]",
                                       "failed [c0ffee00-0000-4000-8000-000000001202, c0ffee00-0000-4000-8000-000000001203]"),
            "13-sqs-sns-and-s3-bodies.json": ("failed []", "failed []"),
            "14-sns-order.json": ("first_time G-1111", "duplicate G-1111"),
            "15-pipes-eventbridge.json": ("first_time H-2222", "duplicate H-2222"),
            "16-pipes-sqs-batch.json": ("failed [c0ffee00-0000-4000-8000-000000001602]", "failed [c0ffee00-0000-4000-8000-000000001602]"),
            "17-s3-test-event.json": ("ignored s3:TestEvent", "ignored s3:TestEvent"),
        ]

        /// Orders the sample files write, each exactly once.
        static let orders = ["123", "A-1001", "B-2002", "big order-3003", "4004", "C-5005", "F-6001", "F-7001", "D-8008", "E-9009",
                             "G-1111", "H-2222", "I-3333"]

        /// Reduces a response to "first_time ID", "duplicate ID" or the error type.
        static func summary(_ invocation: RuntimeEmulator.Invocation) -> String {
            if let errorType = invocation.errorType { return errorType }
            if let failures = invocation.body?["batchItemFailures"]?.arrayValue {
                return "failed [\(failures.map { $0["itemIdentifier"]?.stringValue ?? "?" }.joined(separator: ", "))]"
            }
            if let ignored = invocation.body?["ignored"]?.stringValue { return "ignored \(ignored)" }
            let body = invocation.body?["results"]?[0] ?? invocation.body
            let orderID = body?["order_id"]?.stringValue ?? "?"
            if body?["first_time"]?.boolValue == true { return "first_time \(orderID)" }
            if body?["duplicate"]?.boolValue == true { return "duplicate \(orderID)" }
            return "unexpected: \(invocation.text)"
        }

        @Test("every file in events/ gives its expected answer, first time and again as a duplicate")
        func replayTwice() throws {
            let files = try FileManager.default.contentsOfDirectory(atPath: Layout.eventsDirectory.path).sorted()
            #expect(Set(files) == Set(Self.expectations.keys), "every sample event needs an expectation here")

            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap()
            for pass in ["first", "second"] {
                for file in files {
                    let invocation = try stack.emulator.invoke(try TestStack.eventFile(file))
                    let expected = pass == "first" ? Self.expectations[file]?.first : Self.expectations[file]?.second
                    #expect(Self.summary(invocation) == expected, "\(pass) delivery of \(file): \(invocation.text)")
                }
            }
            #expect(bootstrap.isRunning, "invalid events must not end the runtime loop")

            let state = try stack.state()
            let expectedKeys = Self.orders.map { "raw/events/\($0).json" }
            #expect(state.objectKeys.sorted() == expectedKeys.sorted())
            for key in expectedKeys {
                #expect(state.versions(of: key).count == 1, "\(key) must be written exactly once")
            }
            for orderID in Self.orders {
                state.expectCompleted(orderID, "order \(orderID)")
            }
            #expect(state.items.count == Self.orders.count, "invalid and skipped records must not leave claims behind")

            let document = try #require(try state.document("raw/events/123.json"))
            #expect(document["order_id"]?.stringValue == "123")
            #expect(document["price"]?.numberValue == JSONNumber(42))
            #expect(document["source"]?["type"]?.stringValue == "eventbridge")
            #expect(document["source"]?["source"]?.stringValue == "demo.orders")
            #expect(document["order"]?["order_id"]?.numberValue == JSONNumber(123), "the order is archived as it arrived")
            let fromS3 = try #require(try state.document("raw/events/big order-3003.json"))
            #expect(fromS3["source"]?["key"]?.stringValue == "incoming/big order-3003.json", "S3 keys are form-decoded")
        }
    }
}
