import JSON

/// One structured field of a log line, e.g. `order_id`.
public struct LogField: Sendable {
    /// The JSON key.
    public var key: String
    /// The value.
    public var value: JSONValue

    /// Creates a field.
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A small structured logger, passed down from `main` (library code never makes its own).
///
/// `Text` lines are `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`, the shape of Lambda's managed
/// runtimes; `JSON` lines carry `timestamp`, `level`, `message`, `requestId`, `tenantId` (tenant
/// isolation) and the fields. Callers never pass credentials, the Authorization header or whole
/// payloads at INFO.
///
/// A value: every worker and invocation has its own copy, and only the sink is shared, whose
/// writes are whole lines (``LogSink``), so concurrent workers never interleave within a line.
public struct Logger: Sendable {
    /// Lines below this level are dropped before they are formatted.
    public let level: LogLevel
    /// Text or JSON.
    public let format: LogFormat
    /// The request ID of the current invocation, if any.
    public private(set) var requestID: String?
    /// The tenant of the current invocation, for functions with tenant isolation.
    public private(set) var tenantID: String?
    /// Fields added to every line (e.g. `order_id` once known).
    public private(set) var fields: [LogField] = []
    private let sink: LogSink
    private let now: @Sendable () -> Int64

    /// Creates a logger.
    /// - Parameters:
    ///   - level: The lowest level written.
    ///   - format: Text or JSON.
    ///   - sink: Where lines go.
    ///   - now: The wall clock in Unix milliseconds (tests pin it).
    public init(level: LogLevel, format: LogFormat, sink: LogSink = .standardError,
                now: @escaping @Sendable () -> Int64 = { SystemClock.wallMilliseconds() }) {
        self.level = level
        self.format = format
        self.sink = sink
        self.now = now
    }

    /// A copy that stamps every line with this invocation's request ID (and tenant ID, when the
    /// invocation has one) and no other per-invocation fields.
    /// - Parameters:
    ///   - requestID: The invocation's request ID.
    ///   - tenantID: `Lambda-Runtime-Aws-Tenant-Id`, when present.
    public func forInvocation(requestID: String, tenantID: String? = nil) -> Logger {
        var copy = self
        copy.requestID = requestID
        copy.tenantID = tenantID
        copy.fields = []
        return copy
    }

    /// A copy that adds (or replaces) a field on every line.
    public func with(_ key: String, _ value: JSONValue) -> Logger {
        var copy = self
        copy.fields.removeAll { $0.key == key }
        copy.fields.append(LogField(key, value))
        return copy
    }

    /// Whether lines at this level are written.
    public func isEnabled(_ level: LogLevel) -> Bool {
        level >= self.level
    }

    /// Writes a line if its level is enabled; the message is only built then.
    /// - Parameters:
    ///   - level: The line's level.
    ///   - message: The message.
    ///   - fields: Fields for this line only.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ fields: [LogField] = []) {
        guard isEnabled(level) else { return }
        sink.write(line(level, message(), fields, timestamp: now()))
    }

    public func trace(_ message: @autoclosure () -> String, _ fields: [LogField] = []) { log(.trace, message(), fields) }
    public func debug(_ message: @autoclosure () -> String, _ fields: [LogField] = []) { log(.debug, message(), fields) }
    public func info(_ message: @autoclosure () -> String, _ fields: [LogField] = []) { log(.info, message(), fields) }
    public func warn(_ message: @autoclosure () -> String, _ fields: [LogField] = []) { log(.warn, message(), fields) }
    public func error(_ message: @autoclosure () -> String, _ fields: [LogField] = []) { log(.error, message(), fields) }

    /// Writes a line that is already complete JSON (an EMF metrics document) whatever the format:
    /// CloudWatch extracts metrics from any JSON log line that carries `_aws`.
    public func writeRaw(_ line: String) {
        sink.write(line)
    }

    /// Writes a JSON document as one line whatever the format (an EMF metrics document), adding
    /// the invocation's `requestId` and `tenantId` when it does not carry them already.
    /// - Parameter document: The document; a non-object is written as it is.
    public func writeDocument(_ document: JSONValue) {
        guard case .object(var object) = document else { return sink.write(document.serialized()) }
        if let requestID, object["requestId"] == nil { object["requestId"] = .string(requestID) }
        if let tenantID, object["tenantId"] == nil { object["tenantId"] = .string(tenantID) }
        sink.write(JSONValue.object(object).serialized())
    }

    /// The longest message kept, in UTF-8 bytes; a longer one is cut (on a scalar boundary) and says so.
    /// Messages quote event data only in short excerpts, so this is a safety net against a record
    /// that would cost a CloudWatch bill or a terminal's scrollback.
    public static let maximumMessageBytes = 8_192

    /// Formats one line (pure, for tests).
    func line(_ level: LogLevel, _ message: String, _ extra: [LogField], timestamp: Int64) -> String {
        let time = UTCDateTime(millisecondsSinceEpoch: timestamp).iso8601
        let message = Self.bounded(message)
        switch format {
        case .text:
            // One line per record, and nothing a terminal would act on: every control character but
            // tab is written as an escape (`\n`, `\r`, `\u001B`), so a newline cannot split the record
            // in CloudWatch and a carriage return or ESC from an event cannot redraw a terminal line.
            // The message stays first and intact (dashboards match it); this line's own fields follow.
            let tenant = tenantID.map { " tenantId=\($0)" } ?? ""
            let details = extra.map { " \($0.key)=\(Self.bounded($0.value.stringValue ?? $0.value.serialized()))" }.joined() + tenant
            return "\(time)\t\(requestID ?? "-")\t\(level.awsName)\t\(Self.escapingControls(message + details))"
        case .json:
            // JSON escaping writes every C0 control as an escape; nothing raw can end the line.
            var object: JSONObject = ["timestamp": .string(time), "level": .string(level.awsName), "message": .string(message)]
            if let requestID { object["requestId"] = .string(requestID) }
            if let tenantID { object["tenantId"] = .string(tenantID) }
            for field in fields + extra { object[field.key] = field.value }
            return JSONValue.object(object).serialized()
        }
    }

    /// `text` cut to `maximumMessageBytes` on a scalar boundary, with how much was left out.
    static func bounded(_ text: String) -> String {
        let length = text.utf8.count
        guard length > maximumMessageBytes else { return text }
        let kept = JSONString.prefix(text, maxBytes: maximumMessageBytes)
        return kept + "… (\(length - kept.utf8.count) more bytes not shown)"
    }

    /// `text` with every control character except tab escaped: C0, DEL and the C1 controls U+0080–U+009F.
    /// Scalars, not Characters: "\r\n" is one Character and would slip past a Character test.
    static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isEscapedControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isEscapedControl(scalar) else {
                out.append(scalar)
                continue
            }
            let escape: String
            switch scalar {
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            default:
                let digits = String(scalar.value, radix: 16, uppercase: true)
                escape = "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    private static func isEscapedControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }
}
