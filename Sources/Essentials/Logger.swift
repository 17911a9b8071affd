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

    /// Formats one line (pure, for tests).
    func line(_ level: LogLevel, _ message: String, _ extra: [LogField], timestamp: Int64) -> String {
        let time = UTCDateTime(millisecondsSinceEpoch: timestamp).iso8601
        switch format {
        case .text:
            // One line per record: a newline inside a message would split it in CloudWatch.
            // Scalars, not Characters: "\r\n" is one Character and would slip past a Character test.
            // The message stays first and intact (dashboards match it); this line's own fields follow.
            let tenant = tenantID.map { " tenantId=\($0)" } ?? ""
            let details = extra.map { " \($0.key)=\($0.value.stringValue ?? $0.value.serialized())" }.joined() + tenant
            var flat = message + details
            if flat.unicodeScalars.contains("\n") {
                flat = String(String.UnicodeScalarView(flat.unicodeScalars.map { $0 == "\n" ? "\r" : $0 }))
            }
            return "\(time)\t\(requestID ?? "-")\t\(level.awsName)\t\(flat)"
        case .json:
            var object: JSONObject = ["timestamp": .string(time), "level": .string(level.awsName), "message": .string(message)]
            if let requestID { object["requestId"] = .string(requestID) }
            if let tenantID { object["tenantId"] = .string(tenantID) }
            for field in fields + extra { object[field.key] = field.value }
            return JSONValue.object(object).serialized()
        }
    }
}
