/// An AWS access key pair, with the session token that temporary credentials carry.
///
/// In Lambda these come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
/// (temporary credentials of the execution role). Printing, interpolating, `dump` and the debugger
/// never show the secret key or the token: only the key ID, masked, and whether a token is present.
public struct AWSCredentials: Sendable, Equatable {
    /// The access key ID, e.g. `AKIAIOSFODNN7EXAMPLE` (long-term) or `ASIA…` (temporary). Goes into the credential scope.
    public var accessKeyID: String
    /// The secret access key; only ever used as HMAC key material, never sent.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`; `nil` for long-term keys.
    public var sessionToken: String?
    /// When temporary credentials expire, in milliseconds since the epoch; `nil` means never.
    public var expiration: Int64?

    /// Creates credentials.
    /// - Parameters:
    ///   - accessKeyID: The access key ID.
    ///   - secretAccessKey: The secret access key.
    ///   - sessionToken: The session token of temporary credentials, or `nil`.
    ///   - expiration: Expiry in milliseconds since the epoch, or `nil` for never.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Int64? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// The access key ID with all but its first and last four characters hidden, e.g.
    /// `AKIA…MPLE`; IDs shorter than 16 characters are hidden entirely.
    var maskedAccessKeyID: String {
        guard accessKeyID.count >= 16 else { return "<redacted>" }
        return "\(accessKeyID.prefix(4))…\(accessKeyID.suffix(4))"
    }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A log-safe summary, e.g. `AWSCredentials(accessKeyID: AKIA…MPLE, secret: <redacted>, sessionToken: <present>)`.
    public var description: String {
        var text = "AWSCredentials(accessKeyID: \(maskedAccessKeyID), secret: <redacted>, sessionToken: "
        text += sessionToken == nil ? "<none>" : "<present>"
        if let expiration { text += ", expiration: \(expiration)" }
        return text + ")"
    }

    /// The same log-safe summary as ``description``.
    public var debugDescription: String { description }

    /// A mirror with the secret and the token redacted, so `dump` and debuggers cannot reveal them.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyID": maskedAccessKeyID,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "<none>" : "<present>",
                "expiration": expiration as Any,
            ],
            displayStyle: .struct
        )
    }
}
