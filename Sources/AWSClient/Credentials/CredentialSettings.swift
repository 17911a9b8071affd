/// The environment variables the credential chain reads, captured once by `main`.
public struct CredentialSettings: Sendable, Equatable {
    public var accessKeyID: String?
    public var secretAccessKey: String?
    public var sessionToken: String?
    /// `AWS_PROFILE` (default `default`).
    public var profile: String
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    public var sharedCredentialsFile: String?
    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    public var configFile: String?
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    public var containerFullURI: String?
    /// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (appended to `http://169.254.170.2`).
    public var containerRelativeURI: String?
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    public var containerAuthorizationToken: String?
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, re-read on every refresh (the token rotates).
    public var containerAuthorizationTokenFile: String?

    /// Reads the settings from an environment snapshot.
    /// - Parameter environment: Variable names to values.
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        accessKeyID = value("AWS_ACCESS_KEY_ID")
        secretAccessKey = value("AWS_SECRET_ACCESS_KEY")
        sessionToken = value("AWS_SESSION_TOKEN")
        profile = value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE") ?? "default"
        let home = value("HOME")
        sharedCredentialsFile = value("AWS_SHARED_CREDENTIALS_FILE") ?? home.map { $0 + "/.aws/credentials" }
        configFile = value("AWS_CONFIG_FILE") ?? home.map { $0 + "/.aws/config" }
        containerFullURI = value("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        containerRelativeURI = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        containerAuthorizationToken = value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        containerAuthorizationTokenFile = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    }
}
