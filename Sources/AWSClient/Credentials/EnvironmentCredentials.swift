/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`: what Lambda gives a function.
public struct EnvironmentCredentials: CredentialsSource {
    let settings: CredentialSettings

    /// Creates the source.
    public init(settings: CredentialSettings) {
        self.settings = settings
    }

    public var name: String { "environment" }

    public var notConfiguredReason: String { "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set" }

    public func fetch() throws(CredentialsError) -> AWSCredentials? {
        switch (settings.accessKeyID, settings.secretAccessKey) {
        case (nil, nil):
            return nil
        case (.some(let key), .some(let secret)):
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: settings.sessionToken)
        case (.some, nil):
            throw CredentialsError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, .some):
            throw CredentialsError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        }
    }
}
