import Essentials
import Foundation
import JSON
@testable import OrderPipeline
import Synchronization
import Testing

@Suite("InvocationMetrics")
struct InvocationMetricsTests {
    static let countNames = ["OrdersProcessed", "DuplicatesSkipped", "OrdersInProgress", "OrderConflicts", "InvalidEvents",
                             "DependencyFailures", "AWSRequests"]

    /// The EMF line the handler writes for these metrics (request `r-1`, no tenant).
    static func line(_ metrics: InvocationMetrics) -> String {
        metrics.emfLine(layout: EMFLayout(namespace: "OrderPipeline", functionName: "order-pipeline"),
                        timestamp: 1_795_633_746_123, requestID: "r-1", tenantID: nil)
    }

    /// That line, parsed.
    static func document(_ metrics: InvocationMetrics) -> JSONValue {
        (try? JSONValue.parse(line(metrics))) ?? .null
    }

    /// The EMF document built as a tree, the way the line was first written (the handler logged it
    /// with `Logger.writeDocument`): the reference the line is checked against, byte for byte.
    static func referenceDocument(_ metrics: InvocationMetrics, namespace: String, functionName: String, requestID: String) -> JSONValue {
        var counts = [metrics.ordersProcessed, metrics.duplicatesSkipped, metrics.ordersInProgress, metrics.orderConflicts,
                      metrics.invalidEvents, metrics.dependencyFailures, metrics.awsRequests]
        if let records = metrics.batchRecords { counts += [records, metrics.batchItemFailures, metrics.batchRecordsSkipped] }
        let countNames = InvocationMetrics.countNames(batch: metrics.batchRecords != nil)
        var definitions: [JSONValue] = countNames.map { ["Name": .string($0), "Unit": "Count"] }
        var values: [(String, JSONValue)] = zip(countNames, counts).map { ($0, .number(JSONNumber($1))) }
        for (name, samples) in [("ClaimLatency", metrics.claimLatencies), ("S3WriteLatency", metrics.s3WriteLatencies)] where !samples.isEmpty {
            definitions.append(["Name": .string(name), "Unit": "Milliseconds"])
            let numbers = samples.map { JSONValue.number(JSONNumber(($0 * 100).rounded() / 100) ?? JSONNumber(0)) }
            values.append((name, numbers.count == 1 ? numbers[0] : .array(numbers)))
        }
        var document: JSONObject = [:]
        document["_aws"] = [
            "Timestamp": .number(JSONNumber(1_795_633_746_123)),
            "CloudWatchMetrics": [["Namespace": .string(namespace), "Dimensions": [["FunctionName"]], "Metrics": .array(definitions)]],
        ]
        document["FunctionName"] = .string(functionName)
        for (name, value) in values { document[name] = value }
        document["requestId"] = .string(requestID)
        return .object(document)
    }

    /// Metric name → unit, as the `_aws` metadata declares them.
    static func definitions(_ document: JSONValue) throws -> [String: String] {
        let metrics = try #require(document["_aws"]?["CloudWatchMetrics"]?[0]?["Metrics"]?.arrayValue)
        var result: [String: String] = [:]
        for metric in metrics {
            let name = try #require(metric["Name"]?.stringValue)
            result[name] = try #require(metric["Unit"]?.stringValue)
        }
        return result
    }

    @Test("the document carries the EMF metadata: timestamp, namespace and the FunctionName dimension")
    func metadata() throws {
        let document = Self.document(InvocationMetrics())
        #expect(document["_aws"]?["Timestamp"] == .number(1_795_633_746_123))
        let directive = try #require(document["_aws"]?["CloudWatchMetrics"]?.arrayValue)
        #expect(directive.count == 1)
        let first = try #require(directive.first)
        #expect(first["Namespace"] == "OrderPipeline")
        #expect(first["Dimensions"] == [["FunctionName"]])
        #expect(document["FunctionName"] == "order-pipeline", "every dimension needs a value")
        #expect(document["requestId"] == "r-1")
    }

    @Test("every count is defined with unit Count and valued, zero included")
    func counts() throws {
        var metrics = InvocationMetrics()
        metrics.ordersProcessed = 1
        metrics.duplicatesSkipped = 2
        metrics.ordersInProgress = 3
        metrics.orderConflicts = 4
        metrics.invalidEvents = 5
        metrics.dependencyFailures = 6
        metrics.awsRequests = 7
        let document = Self.document(metrics)
        let definitions = try Self.definitions(document)
        #expect(definitions == Dictionary(uniqueKeysWithValues: Self.countNames.map { ($0, "Count") }))
        for (index, name) in Self.countNames.enumerated() {
            #expect(document[name] == .number(JSONNumber(index + 1)), "\(name)")
        }
        let empty = Self.document(InvocationMetrics())
        for name in Self.countNames {
            #expect(empty[name] == 0, "\(name) is emitted as 0 so alarms see data")
        }
    }

    @Test("every defined metric has a value in the document, and every value is a number or a list of numbers")
    func definedAndValued() throws {
        var metrics = InvocationMetrics()
        metrics.claimLatencies = [12.3]
        metrics.s3WriteLatencies = [1, 2]
        let document = Self.document(metrics)
        for name in try Self.definitions(document).keys {
            let value = try #require(document[name], "\(name) is defined but has no value")
            switch value {
            case .number: break
            case .array(let samples): #expect(samples.allSatisfy { $0.numberValue != nil }, "\(name)")
            default: Issue.record("\(name) is \(value.kindDescription)")
            }
        }
    }

    @Test("latencies are defined only when measured")
    func latencyOnlyWhenMeasured() throws {
        let none = try Self.definitions(Self.document(InvocationMetrics()))
        #expect(none["ClaimLatency"] == nil)
        #expect(none["S3WriteLatency"] == nil)
        #expect(Self.document(InvocationMetrics())["ClaimLatency"] == nil)

        var metrics = InvocationMetrics()
        metrics.claimLatencies = [17]
        let document = Self.document(metrics)
        let definitions = try Self.definitions(document)
        #expect(definitions["ClaimLatency"] == "Milliseconds")
        #expect(definitions["S3WriteLatency"] == nil)
        #expect(document["ClaimLatency"] == 17)
        #expect(document["S3WriteLatency"] == nil)
    }

    @Test("one sample is a number, several are a list, rounded to hundredths")
    func samples() {
        var metrics = InvocationMetrics()
        metrics.claimLatencies = [12.3456]
        metrics.s3WriteLatencies = [1, 2.5, 30.004]
        let document = Self.document(metrics)
        #expect(document["ClaimLatency"] == .number(JSONNumber(literal: "12.35") ?? 0))
        #expect(document["S3WriteLatency"] == [1, 2.5, 30])
    }

    @Test("the document is one line of valid JSON that CloudWatch can read")
    func serialises() throws {
        var metrics = InvocationMetrics()
        metrics.claimLatencies = [3]
        let line = Self.line(metrics)
        #expect(!line.contains("\n"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let aws = try #require(parsed["_aws"] as? [String: Any])
        #expect((aws["Timestamp"] as? NSNumber)?.int64Value == 1_795_633_746_123)
    }

    @Test("each error type is counted under its own metric", arguments: [
        (OrderPipelineError.invalidOrderEvent("x"), "InvalidEvents"),
        (.orderConflict("x"), "OrderConflicts"),
        (.orderInProgress("x"), "OrdersInProgress"),
        (.dependencyFailure("x"), "DependencyFailures"),
    ])
    func countsErrors(_ error: OrderPipelineError, _ metric: String) {
        var metrics = InvocationMetrics()
        metrics.count(error)
        metrics.count(error)
        let document = Self.document(metrics)
        for name in Self.countNames {
            #expect(document[name] == .number(JSONNumber(name == metric ? 2 : 0)), "\(name)")
        }
    }

    @Test("each outcome is counted under its own metric", arguments: [
        (OrderOutcome.firstTime(orderID: "1", s3Key: "k", processedAt: "t"), "OrdersProcessed"),
        (.duplicate(orderID: "1", s3Key: nil, processedAt: nil), "DuplicatesSkipped"),
    ])
    func countsOutcomes(_ outcome: OrderOutcome, _ metric: String) {
        var metrics = InvocationMetrics()
        metrics.count(outcome)
        let document = Self.document(metrics)
        for name in Self.countNames {
            #expect(document[name] == .number(JSONNumber(name == metric ? 1 : 0)), "\(name)")
        }
    }

    /// What `Logger.writeDocument` writes for the reference EMF document, for an invocation with
    /// this request and tenant.
    static func writtenDocument(_ metrics: InvocationMetrics, namespace: String, functionName: String, requestID: String,
                                tenantID: String?) -> String {
        let lines = Mutex<[String]>([])
        let logger = Logger(level: .info, format: .json, sink: LogSink { line in lines.withLock { $0.append(line) } })
            .forInvocation(requestID: requestID, tenantID: tenantID)
        logger.writeDocument(referenceDocument(metrics, namespace: namespace, functionName: functionName, requestID: requestID))
        return lines.withLock { $0.joined(separator: "\n") }
    }

    static var emfCases: [InvocationMetrics] {
        var first = InvocationMetrics()
        first.ordersProcessed = 1
        first.awsRequests = 3
        first.claimLatencies = [5.6849]
        first.s3WriteLatencies = [12.005]
        var duplicate = InvocationMetrics()
        duplicate.duplicatesSkipped = 1
        duplicate.awsRequests = 1
        duplicate.claimLatencies = [0.1]
        var batch = InvocationMetrics()
        batch.batchRecords = 3
        batch.batchItemFailures = 1
        batch.batchRecordsSkipped = 1
        batch.ordersProcessed = 1
        batch.invalidEvents = 1
        batch.dependencyFailures = 1
        batch.awsRequests = 7
        batch.claimLatencies = [1.234, 99.999, 0]
        batch.s3WriteLatencies = [3, 4.5]
        var invalid = InvocationMetrics()
        invalid.invalidEvents = 1
        // Every shape of line: a batch or not, with a claim latency or not, with an S3 write latency or not.
        let shapes = (0..<8).map { shape in
            var metrics = InvocationMetrics()
            metrics.awsRequests = shape
            if shape & 1 != 0 { metrics.batchRecords = 2 }
            if shape & 2 != 0 { metrics.claimLatencies = [Double(shape) + 0.25] }
            if shape & 4 != 0 { metrics.s3WriteLatencies = [1, 2.5] }
            return metrics
        }
        return [InvocationMetrics(), first, duplicate, batch, invalid] + shapes
    }

    @Test("the EMF line is byte for byte what writeDocument writes for the EMF document", arguments: emfCases)
    func emfLineMatchesDocument(_ metrics: InvocationMetrics) {
        for tenantID in [nil, "tenant-42", "t\"quoted\u{2028}"] as [String?] {
            for (namespace, functionName, requestID) in [("OrderPipeline", "order-pipeline", "8476a536-e9f4-11e8-9739-2dfe598c3fcd"),
                                                         ("Name\\space", "fn\u{1}", "r\"1")] {
                let line = metrics.emfLine(layout: EMFLayout(namespace: namespace, functionName: functionName),
                                           timestamp: 1_795_633_746_123, requestID: requestID, tenantID: tenantID)
                #expect(line == Self.writtenDocument(metrics, namespace: namespace, functionName: functionName,
                                                     requestID: requestID, tenantID: tenantID))
            }
        }
    }

    @Test("one layout serves lines of every shape, each as writeDocument writes it")
    func emfLayoutReused() {
        let layout = EMFLayout(namespace: "OrderPipeline", functionName: "order-pipeline")
        for metrics in Self.emfCases + Self.emfCases.reversed() {
            #expect(metrics.emfLine(layout: layout, timestamp: 1_795_633_746_123, requestID: "r-1", tenantID: nil)
                == Self.writtenDocument(metrics, namespace: "OrderPipeline", functionName: "order-pipeline", requestID: "r-1",
                                        tenantID: nil))
        }
    }

    @Test("the EMF line of a first-time order, as CloudWatch receives it")
    func emfLineOfFirstTimeOrder() {
        let metrics = Self.emfCases[1]
        #expect(metrics.emfLine(layout: EMFLayout(namespace: "OrderPipeline", functionName: "order-pipeline"),
                                timestamp: 1_795_633_746_123, requestID: "r-1", tenantID: nil)
            == #"{"_aws":{"Timestamp":1795633746123,"CloudWatchMetrics":[{"Namespace":"OrderPipeline","Dimensions":[["FunctionName"]],"#
            + #""Metrics":[{"Name":"OrdersProcessed","Unit":"Count"},{"Name":"DuplicatesSkipped","Unit":"Count"},"#
            + #"{"Name":"OrdersInProgress","Unit":"Count"},{"Name":"OrderConflicts","Unit":"Count"},{"Name":"InvalidEvents","Unit":"Count"},"#
            + #"{"Name":"DependencyFailures","Unit":"Count"},{"Name":"AWSRequests","Unit":"Count"},"#
            + #"{"Name":"ClaimLatency","Unit":"Milliseconds"},{"Name":"S3WriteLatency","Unit":"Milliseconds"}]}]},"#
            + #""FunctionName":"order-pipeline","OrdersProcessed":1,"DuplicatesSkipped":0,"OrdersInProgress":0,"OrderConflicts":0,"#
            + #""InvalidEvents":0,"DependencyFailures":0,"AWSRequests":3,"ClaimLatency":5.68,"S3WriteLatency":12.01,"requestId":"r-1"}"#)
    }
}
