import JSON
import LambdaRuntime
import Testing
@testable import OrderPipeline

/// The handler: one order, an S3 batch, bad events, and the bounded batch summary.
@Suite("OrderHandler")
struct OrderHandlerTests {
    typealias Fixture = PipelineFixture

    static func s3Event(keys: [String?]) -> String {
        let records = keys.map { key -> String in
            guard let key else { return "null" }
            return #"{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"in"},"object":{"key":"\#(key)","size":1}}}"#
        }
        return #"{"Records":[\#(records.joined(separator: ","))]}"#
    }

    @Test("an invalid event: InvalidOrderEvent, no AWS request, an EMF line counting it")
    func invalidEvent() throws {
        let fixture = Fixture([])
        let error = try #require(fixture.invoke(#"{"price":1}"#).failure)
        #expect(error.errorType == "InvalidOrderEvent")
        #expect(fixture.script.requests.isEmpty)
        #expect(fixture.metricRequests == 0)
        #expect(fixture.log.contains("Invocation failed: InvalidOrderEvent"))
    }

    @Test("an S3 batch: one claim per record, the results in order")
    func batch() throws {
        let fixture = Fixture(Array(repeating: .ok(), count: 6))
        let response = try fixture.invoke(Self.s3Event(keys: ["incoming/1.json", "incoming/2.json"])).get()
        let results = try JSONValue.parse(Array(response.utf8))["results"]?.arrayValue
        #expect(results?.map { $0["order_id"]?.stringValue } == ["1", "2"])
        #expect(fixture.metricRequests == 6)
    }

    @Test("a batch with a bad record: the good ones are processed, the error names the bad one and says so")
    func batchWithFailure() throws {
        let fixture = Fixture(Array(repeating: .ok(), count: 3))
        let error = try #require(fixture.invoke(Self.s3Event(keys: [nil, "incoming/2.json"])).failure)
        #expect(error.errorType == "InvalidOrderEvent")
        #expect(error.errorMessage.hasPrefix("1 of 2 S3 records failed: Records[0]: InvalidOrderEvent: "))
        #expect(error.errorMessage.hasSuffix("; the other 1 were processed and come back as duplicates on retry"))
        #expect(fixture.operations == ["PutItem", "PutObject", "UpdateItem"])
    }

    // Up to 100 records: more are refused as a whole (S3NotificationEnvelope.maximumRecords).
    @Test("many bad records: the message lists the first five and counts the rest, whatever their number", arguments: [7, 100])
    func boundedSummary(badRecords: Int) throws {
        let fixture = Fixture([])
        // S3 records whose file name is "..": each one is invalid on its own.
        let error = try #require(fixture.invoke(Self.s3Event(keys: Array(repeating: "incoming/...json", count: badRecords))).failure)
        #expect(error.errorMessage.hasPrefix("\(badRecords) of \(badRecords) S3 records failed: Records[0]: "))
        #expect(error.errorMessage.contains("Records[4]: "))
        #expect(!error.errorMessage.contains("Records[5]"))
        #expect(error.errorMessage.hasSuffix("; and \(badRecords - 5) more failed records"))
        #expect(error.errorMessage.utf8.count < 4_096)
    }

    @Test("a long failure text is cut to a short excerpt, control characters escaped")
    func excerpt() {
        #expect(JSONString.excerpt("short", limit: 10, quoted: false) == "short")
        #expect(JSONString.excerpt("a\u{1B}[31m\rb", limit: 100, quoted: false) == #"a\u001b[31m\rb"#)
        let cut = JSONString.excerpt(String(repeating: "é", count: 1_000), limit: 301, quoted: false)
        #expect(cut == String(repeating: "é", count: 150) + "…")
    }

    @Test("a long order ID in the summary is cut too")
    func longOrderID() {
        let failures: [(label: String, orderID: String?, error: OrderPipelineError)] =
            [("Records[0]", String(repeating: "x", count: 10_000), .dependencyFailure(String(repeating: "y", count: 10_000)))]
        let summary = OrderHandler.batchSummary(failures: failures, records: 1, processed: 0)
        #expect(summary.utf8.count < 500)
        #expect(summary.hasPrefix("1 of 1 S3 records failed: Records[0] (order "))
    }
}
