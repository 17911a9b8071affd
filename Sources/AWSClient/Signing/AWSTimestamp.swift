import Essentials

/// A point in time in UTC with millisecond precision, and the text forms SigV4 and our logs use.
///
/// The clock is not read here: callers pass the time in, so signing is a pure function and
/// tests can pin it (soto-core's `signHeaders(…, date:)` does the same).
public struct AWSTimestamp: Sendable, Equatable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSinceEpoch: Int64

    /// Creates a timestamp.
    /// - Parameter millisecondsSinceEpoch: Milliseconds since 1970-01-01T00:00:00Z; negative is before.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The ISO 8601 *basic* form SigV4 signs and sends as `X-Amz-Date`: `yyyyMMdd'T'HHmmss'Z'`,
    /// e.g. `20150830T123600Z`. Always UTC; no milliseconds and no offset.
    public var amzDate: String { fields.basicISO8601 }

    /// The credential-scope date `yyyyMMdd`, e.g. `20150830`: the UTC day of ``amzDate``.
    public var dateStamp: String { fields.dateStamp }

    /// The ISO 8601 extended form with milliseconds, e.g. `2026-11-25T19:09:06.123Z`, for logs and
    /// the stored `processed_at`.
    public var iso8601: String { fields.iso8601 }

    /// Orders timestamps by time.
    /// - Parameters:
    ///   - lhs: A timestamp.
    ///   - rhs: Another timestamp.
    /// - Returns: `true` when `lhs` is earlier than `rhs`.
    public static func < (lhs: AWSTimestamp, rhs: AWSTimestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// The UTC calendar fields of this timestamp (one calendar implementation for the whole runtime).
    var fields: UTCDateTime { UTCDateTime(millisecondsSinceEpoch: millisecondsSinceEpoch) }
}
