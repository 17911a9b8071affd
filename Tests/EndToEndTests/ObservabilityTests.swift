import JSON
import Testing
import TestSupport

extension EndToEnd {
    @Suite("Logs and metrics")
    struct ObservabilityTests {
        /// The function's stderr, line by line, without the EMF documents.
        static func logLines(_ logs: String) -> [String] {
            logs.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{\"_aws\"") }
        }

        static func metricDocuments(_ logs: String) throws -> [JSONValue] {
            try logs.split(separator: "\n").filter { $0.hasPrefix("{\"_aws\"") }.map { try JSONValue.parse(String($0)) }
        }

        @Test("JSON logs: every line is a JSON object with timestamp, level, message, requestId and order_id")
        func jsonLogs() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["AWS_LAMBDA_LOG_FORMAT": "JSON"])
            let orderID = Events.uniqueOrderID()
            let first = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            let again = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            let invalid = try stack.invoke(Events.raw(orderID: .string(orderID), price: "cheap"))
            try waitUntil("three EMF documents") { try Self.metricDocuments(bootstrap.logs).count == 3 }

            let lines = try Self.logLines(bootstrap.logs).map { try JSONValue.parse($0) }
            #expect(lines.count == 3, "\(bootstrap.logs)")
            for line in lines {
                #expect(line["timestamp"]?.stringValue?.hasSuffix("Z") == true)
                #expect(line["level"]?.stringValue != nil)
                #expect(line["message"]?.stringValue != nil)
            }
            // Once the order is known, every line says which one.
            #expect(lines[safe: 0]?["order_id"]?.stringValue == orderID)
            #expect(lines[safe: 1]?["order_id"]?.stringValue == orderID)
            #expect(lines[safe: 0]?["requestId"]?.stringValue == first.requestID)
            #expect(lines[safe: 0]?["message"]?.stringValue?.hasPrefix("Processed order \(orderID) at price 42 (wrote s3://\(stack.bucket)/raw/events/\(orderID).json)") == true)
            #expect(lines[safe: 1]?["requestId"]?.stringValue == again.requestID)
            #expect(lines[safe: 1]?["message"]?.stringValue == "Duplicate event ignored: \(orderID)")
            #expect(lines[safe: 2]?["level"]?.stringValue == "WARN")
            #expect(lines[safe: 2]?["errorType"]?.stringValue == "InvalidOrderEvent")
            #expect(lines[safe: 2]?["requestId"]?.stringValue == invalid.requestID)
        }

        @Test("Text logs keep the messages dashboards already match")
        func textLogs() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap()
            let orderID = Events.uniqueOrderID()
            let first = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            _ = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            try waitUntil("two log lines") { Self.logLines(bootstrap.logs).count >= 2 }
            let lines = Self.logLines(bootstrap.logs)
            let processed = try #require(lines.first)
            let fields = processed.split(separator: "\t").map(String.init)
            #expect(fields.count == 4, "timestamp, requestId, level, message: \(processed)")
            #expect(fields[safe: 1] == first.requestID)
            #expect(fields[safe: 2] == "INFO")
            #expect(fields[safe: 3] == "Processed order \(orderID) at price 42 (wrote s3://\(stack.bucket)/raw/events/\(orderID).json)")
            #expect(lines[safe: 1]?.hasSuffix("\tINFO\tDuplicate event ignored: \(orderID)") == true)
        }

        @Test("AWS_LAMBDA_LOG_LEVEL=WARN keeps INFO lines out and failures in")
        func logLevel() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["AWS_LAMBDA_LOG_LEVEL": "WARN"])
            _ = try stack.invoke(Events.eventBridge(orderID: .string(Events.uniqueOrderID())))
            _ = try stack.invoke(["order_id": "x"])  // no price: a warning
            try waitUntil("two EMF documents") { try Self.metricDocuments(bootstrap.logs).count == 2 }
            let lines = Self.logLines(bootstrap.logs)
            #expect(lines.count == 1, "\(lines)")
            #expect(lines.first?.contains("\tWARN\tInvocation failed: InvalidOrderEvent") == true)
        }

        @Test("one EMF document per invocation with the counts, latencies and AWS request counts")
        func metrics() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap(["METRICS_NAMESPACE": "OrdersTest"])
            let orderID = Events.uniqueOrderID()
            _ = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            _ = try stack.invoke(Events.eventBridge(orderID: .string(orderID)))
            _ = try stack.invoke(Events.eventBridge(orderID: .string(orderID), price: 99))
            _ = try stack.invoke(["not": "an order"])
            try waitUntil("four EMF documents") { try Self.metricDocuments(bootstrap.logs).count == 4 }
            let documents = try Self.metricDocuments(bootstrap.logs)

            for document in documents {
                let directive = document["_aws"]?["CloudWatchMetrics"]?[0]
                #expect(directive?["Namespace"]?.stringValue == "OrdersTest")
                #expect(directive?["Dimensions"] == [["FunctionName"]])
                #expect(document["FunctionName"]?.stringValue == "order-pipeline-test")
                #expect(document["_aws"]?["Timestamp"]?.numberValue?.int64Value != nil)
                // Every metric the directive names has a value in the document.
                for metric in directive?["Metrics"]?.arrayValue ?? [] {
                    let name = metric["Name"]?.stringValue ?? ""
                    #expect(document[name] != nil, "\(name) is declared and valued")
                }
            }
            func count(_ index: Int, _ name: String) -> Int64? { documents[safe: index]?[name]?.numberValue?.int64Value }
            #expect(count(0, "OrdersProcessed") == 1)
            #expect(count(0, "AWSRequests") == 3, "a first-time order costs exactly PutItem, PutObject, UpdateItem")
            #expect(documents[safe: 0]?["ClaimLatency"]?.numberValue != nil)
            #expect(documents[safe: 0]?["S3WriteLatency"]?.numberValue != nil)
            #expect(count(1, "DuplicatesSkipped") == 1)
            #expect(count(1, "AWSRequests") == 1, "a duplicate costs exactly one conditional PutItem")
            #expect(documents[safe: 1]?["S3WriteLatency"] == nil, "no S3 write, no S3 latency")
            #expect(count(2, "OrderConflicts") == 1)
            #expect(count(3, "InvalidEvents") == 1)
            #expect(count(3, "AWSRequests") == 0)
        }

        @Test("payloads and credentials never reach the logs at INFO")
        func nothingSensitive() throws {
            let stack = try TestStack()
            let bootstrap = try stack.startBootstrap()
            let marker = "card-4111111111111111"
            _ = try stack.invoke(["order_id": .string(Events.uniqueOrderID()), "price": 5, "payment": .string(marker)])
            _ = try stack.invoke(["order_id": "bad/key", "price": 5, "payment": .string(marker)])
            try waitUntil("two EMF documents") { try Self.metricDocuments(bootstrap.logs).count == 2 }
            #expect(!bootstrap.logs.contains(marker))
            #expect(!bootstrap.logs.contains(stack.localStack.secretAccessKey))
            #expect(!bootstrap.logs.contains("Signature="))
        }
    }
}
