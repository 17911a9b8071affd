import Foundation
import JSON
@testable import Essentials
import Testing

@Suite("Logger")
struct LoggerTests {
    /// 2026-11-25T16:29:06.123Z.
    static let pinned: Int64 = 1_795_624_146_123

    static func logger(_ format: LogFormat, level: LogLevel = .info) -> (Logger, CollectingLogSink) {
        let collector = CollectingLogSink()
        return (Logger(level: level, format: format, sink: collector.sink, now: { Self.pinned }), collector)
    }

    static func parse(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    // MARK: - Text

    @Test("a Text line is timestamp, request ID, level and message, separated by tabs")
    func textLine() {
        let (logger, collector) = Self.logger(.text)
        logger.forInvocation(requestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd").info("Processed order 123 at price 42")
        #expect(collector.lines == ["2026-11-25T16:29:06.123Z\t8476a536-e9f4-11e8-9739-2dfe598c3fcd\tINFO\tProcessed order 123 at price 42"])
    }

    @Test("outside an invocation the request ID column is a dash")
    func textWithoutRequestID() {
        let (logger, collector) = Self.logger(.text)
        logger.warn("IDEMPOTENCY_TTL_SECONDS=60 is short")
        #expect(collector.lines == ["2026-11-25T16:29:06.123Z\t-\tWARN\tIDEMPOTENCY_TTL_SECONDS=60 is short"])
    }

    @Test("each level prints its Lambda name", arguments: LogLevel.allCases)
    func levelNames(_ level: LogLevel) {
        let (logger, collector) = Self.logger(.text, level: .trace)
        logger.log(level, "m")
        #expect(collector.lines == ["2026-11-25T16:29:06.123Z\t-\t\(level.awsName)\tm"])
    }

    @Test("newlines inside a message do not split the line", arguments: [
        ("first\nsecond", #"first\nsecond"#), ("a\n\nb\n", #"a\n\nb\n"#), ("\n", #"\n"#), ("crlf\r\nline", #"crlf\r\nline"#),
    ])
    func newlines(_ message: String, _ written: String) throws {
        let (logger, collector) = Self.logger(.text)
        logger.error(message)
        let line = try #require(collector.lines.first)
        #expect(collector.lines.count == 1)
        // Scalars, not Characters: "\r\n" is one Character and a Character test would not see its "\n".
        #expect(!line.unicodeScalars.contains("\n"))
        #expect(line == "2026-11-25T16:29:06.123Z\t-\tERROR\t" + written)
    }

    @Test("every control character but tab is escaped in a Text line: CR, ESC, BEL, VT, FF, DEL and C1 controls", arguments: [
        ("a\rb", #"a\rb"#), ("\u{1B}[2J\u{1B}[1;1H", #"\u001B[2J\u001B[1;1H"#), ("bell\u{07}", #"bell\u0007"#),
        ("v\u{0B}f\u{0C}", #"v\u000Bf\u000C"#), ("del\u{7F}", #"del\u007F"#), ("csi\u{9B}31m nel\u{85}", #"csi\u009B31m nel\u0085"#),
        ("nul\u{0}", #"nul\u0000"#), ("tab\tstays", "tab\tstays"), ("é注文\u{A0}", "é注文\u{A0}"),
    ])
    func controlCharacters(_ message: String, _ written: String) throws {
        let (logger, collector) = Self.logger(.text)
        logger.warn(message, [LogField("source", .string(message))])
        let line = try #require(collector.lines.first)
        #expect(line == "2026-11-25T16:29:06.123Z\t-\tWARN\t\(written) source=\(written)")
        let raw = line.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
        #expect(raw.isEmpty)
    }

    @Test("a message longer than the bound is cut on a scalar boundary and says how much was left out", arguments: [.text, LogFormat.json])
    func boundedMessage(_ format: LogFormat) throws {
        let (logger, collector) = Self.logger(format)
        let message = String(repeating: "é", count: 1_000_000)  // 2 MB
        logger.warn(message)
        let line = try #require(collector.lines.first)
        #expect(line.utf8.count < Logger.maximumMessageBytes + 200)
        #expect(line.contains("é… (\(2_000_000 - Logger.maximumMessageBytes) more bytes not shown)"))
    }

    @Test("Text lines keep the message first and intact, then this line's own fields as key=value")
    func textFields() {
        let (logger, collector) = Self.logger(.text)
        logger.with("order_id", "123").info("Duplicate event ignored: 123",
                                            [LogField("aws.service", "dynamodb"), LogField("aws.attempt", 2), LogField("ok", true)])
        #expect(collector.lines == ["2026-11-25T16:29:06.123Z\t-\tINFO\tDuplicate event ignored: 123 aws.service=dynamodb aws.attempt=2 ok=true"])
    }

    @Test("newlines inside a Text line's field values do not split the line either")
    func newlinesInFields() throws {
        let (logger, collector) = Self.logger(.text)
        logger.warn("Could not release claim", [LogField("error", "first line\nsecond line"), LogField("body", ["k": "a\nb"])])
        #expect(collector.lines.count == 1)
        let line = try #require(collector.lines.first)
        #expect(!line.unicodeScalars.contains("\n"))
        #expect(line.hasPrefix("2026-11-25T16:29:06.123Z\t-\tWARN\tCould not release claim error=first line"))
    }

    // MARK: - JSON

    @Test("a JSON line carries timestamp, level, message, requestId and the fields, and parses back")
    func jsonLine() throws {
        let (logger, collector) = Self.logger(.json)
        logger.forInvocation(requestID: "r-1").with("order_id", "123")
            .info("Processed order 123 at price 42", [LogField("aws.attempt", 2), LogField("ok", true)])
        let line = try #require(collector.lines.first)
        #expect(collector.lines.count == 1)
        #expect(line == #"{"timestamp":"2026-11-25T16:29:06.123Z","level":"INFO","message":"Processed order 123 at price 42","requestId":"r-1","order_id":"123","aws.attempt":2,"ok":true}"#)
        let object = try Self.parse(line)
        #expect(object["timestamp"] as? String == "2026-11-25T16:29:06.123Z")
        #expect(object["level"] as? String == "INFO")
        #expect(object["requestId"] as? String == "r-1")
        #expect(object["order_id"] as? String == "123")
    }

    @Test("JSON lines escape what they must and stay on one line")
    func jsonEscaping() throws {
        let (logger, collector) = Self.logger(.json)
        let message = "quote \" backslash \\ newline \n tab \t € 注文"
        logger.error(message)
        let line = try #require(collector.lines.first)
        #expect(!line.contains("\n"))
        #expect(try Self.parse(line)["message"] as? String == message)
    }

    @Test("a JSON line outside an invocation has no requestId")
    func jsonWithoutRequestID() throws {
        let (logger, collector) = Self.logger(.json)
        logger.info("starting")
        #expect(try Self.parse(try #require(collector.lines.first))["requestId"] == nil)
    }

    // MARK: - Levels

    @Test("lines below the level are dropped, and their message is never built", arguments: [
        (LogLevel.info, [LogLevel.trace, .debug]), (.warn, [.trace, .debug, .info]), (.fatal, [.trace, .debug, .info, .warn, .error]),
    ])
    func filtering(_ threshold: LogLevel, _ dropped: [LogLevel]) {
        let (logger, collector) = Self.logger(.json, level: threshold)
        var built = 0
        func message() -> String {
            built += 1
            return "expensive"
        }
        for level in dropped {
            logger.log(level, message())
            #expect(!logger.isEnabled(level))
        }
        logger.trace(message())
        logger.debug(message())
        #expect(built == 0)
        #expect(collector.lines.isEmpty)
        logger.log(threshold, message())
        #expect(built == 1)
        #expect(collector.lines.count == 1)
    }

    @Test("each convenience method writes at its own level")
    func conveniences() {
        let (logger, collector) = Self.logger(.text, level: .trace)
        logger.trace("t")
        logger.debug("d")
        logger.info("i")
        logger.warn("w")
        logger.error("e")
        let levels = collector.lines.map { $0.split(separator: "\t").dropFirst(2).first.map(String.init) }
        #expect(levels == ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"])
    }

    // MARK: - Context

    @Test("forInvocation replaces the request ID and clears the previous invocation's fields")
    func forInvocation() throws {
        let (logger, collector) = Self.logger(.json)
        let first = logger.forInvocation(requestID: "r-1").with("order_id", "123")
        let second = first.forInvocation(requestID: "r-2")
        #expect(second.requestID == "r-2")
        #expect(second.fields.isEmpty)
        second.info("next")
        let object = try Self.parse(try #require(collector.lines.first))
        #expect(object["requestId"] as? String == "r-2")
        #expect(object["order_id"] == nil)
        #expect(first.requestID == "r-1", "the original is unchanged")
    }

    @Test("with() adds a field, and replaces one of the same name")
    func with() throws {
        let (logger, collector) = Self.logger(.json)
        let tagged = logger.with("order_id", "1").with("source", "raw").with("order_id", "2")
        #expect(tagged.fields.map(\.key) == ["source", "order_id"])
        #expect(logger.fields.isEmpty, "the original is unchanged")
        tagged.info("m")
        let line = try #require(collector.lines.first)
        #expect(line.hasSuffix(#""source":"raw","order_id":"2"}"#))
    }

    @Test("writeRaw writes an EMF document as it is, whatever the format and level", arguments: [LogFormat.text, .json])
    func writeRaw(_ format: LogFormat) {
        let (logger, collector) = Self.logger(format, level: .fatal)
        logger.writeRaw(#"{"_aws":{"Timestamp":1}}"#)
        #expect(collector.lines == [#"{"_aws":{"Timestamp":1}}"#])
    }

    // MARK: - Tenant isolation

    @Test("an invocation with a tenant ID stamps tenantId on every JSON line, after requestId")
    func tenantJSON() throws {
        let (logger, collector) = Self.logger(.json)
        let invocation = logger.forInvocation(requestID: "r-1", tenantID: "tenant-42")
        invocation.info("Processed order 1 at price 2")
        invocation.with("order_id", "1").warn("Invocation failed", [LogField("errorType", "OrderInProgress")])
        #expect(collector.lines == [
            #"{"timestamp":"2026-11-25T16:29:06.123Z","level":"INFO","message":"Processed order 1 at price 2","requestId":"r-1","tenantId":"tenant-42"}"#,
            #"{"timestamp":"2026-11-25T16:29:06.123Z","level":"WARN","message":"Invocation failed","requestId":"r-1","tenantId":"tenant-42","order_id":"1","errorType":"OrderInProgress"}"#,
        ])
    }

    @Test("a Text line of a tenant's invocation ends with tenantId=, after the line's own fields")
    func tenantText() {
        let (logger, collector) = Self.logger(.text)
        logger.forInvocation(requestID: "r-1", tenantID: "tenant-42").info("Duplicate event ignored: 1", [LogField("aws.attempt", 1)])
        #expect(collector.lines == ["2026-11-25T16:29:06.123Z\tr-1\tINFO\tDuplicate event ignored: 1 aws.attempt=1 tenantId=tenant-42"])
    }

    @Test("the next invocation does not inherit the previous one's tenant")
    func tenantNotInherited() throws {
        let (logger, collector) = Self.logger(.json)
        let first = logger.forInvocation(requestID: "r-1", tenantID: "tenant-a")
        first.forInvocation(requestID: "r-2").info("m")
        #expect(try Self.parse(try #require(collector.lines.first))["tenantId"] == nil)
        #expect(first.tenantID == "tenant-a")
    }

    @Test("writeDocument stamps an EMF document with requestId and tenantId, keeping values it already has, whatever the format",
          arguments: [LogFormat.text, .json])
    func writeDocument(_ format: LogFormat) {
        let (logger, collector) = Self.logger(format, level: .fatal)
        let invocation = logger.forInvocation(requestID: "r-1", tenantID: "t-1")
        invocation.writeDocument(["_aws": ["Timestamp": 1], "OrdersProcessed": 1])
        invocation.writeDocument(["_aws": ["Timestamp": 2], "requestId": "mine"])
        logger.writeDocument(["_aws": ["Timestamp": 3]])
        invocation.writeDocument([1, 2])
        #expect(collector.lines == [
            #"{"_aws":{"Timestamp":1},"OrdersProcessed":1,"requestId":"r-1","tenantId":"t-1"}"#,
            #"{"_aws":{"Timestamp":2},"requestId":"mine","tenantId":"t-1"}"#,
            #"{"_aws":{"Timestamp":3}}"#,
            "[1,2]",
        ])
    }

    @Test("a JSON line's members come in order; a field named like an earlier member takes its place and value")
    func jsonMemberOrder() {
        let (logger, collector) = Self.logger(.json)
        let invocation = logger.forInvocation(requestID: "r-1", tenantID: "t-1").with("order_id", "a").with("step", "claim")
        invocation.info("m", [LogField("order_id", "b"), LogField("level", "custom"), LogField("extra", 1)])
        invocation.info("n")
        #expect(collector.lines == [
            #"{"timestamp":"2026-11-25T16:29:06.123Z","level":"custom","message":"m","requestId":"r-1","tenantId":"t-1","order_id":"b","step":"claim","extra":1}"#,
            #"{"timestamp":"2026-11-25T16:29:06.123Z","level":"INFO","message":"n","requestId":"r-1","tenantId":"t-1","order_id":"a","step":"claim"}"#,
        ])
    }
}
