/// Log levels with Lambda's names (`AWS_LAMBDA_LOG_LEVEL`).
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace, debug, info, warn, error, fatal

    /// Reads Lambda's level names, any case; `WARNING` is taken as `WARN`.
    /// - Parameter name: e.g. `INFO`.
    public init?(awsName name: String) {
        switch name.uppercased() {
        case "TRACE": self = .trace
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARN", "WARNING": self = .warn
        case "ERROR": self = .error
        case "FATAL": self = .fatal
        default: return nil
        }
    }

    /// The name Lambda uses, e.g. `INFO`.
    public var awsName: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warn: "WARN"
        case .error: "ERROR"
        case .fatal: "FATAL"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// Log line format (`AWS_LAMBDA_LOG_FORMAT`).
public enum LogFormat: String, Sendable {
    /// Tab-separated plain lines that keep the messages dashboards already match.
    case text = "Text"
    /// One JSON object per line, which Lambda filters by its `level` key.
    case json = "JSON"

    /// Reads `Text` or `JSON`, any case.
    /// - Parameter name: The variable's value.
    public init?(awsName name: String) {
        switch name.lowercased() {
        case "text": self = .text
        case "json": self = .json
        default: return nil
        }
    }
}
