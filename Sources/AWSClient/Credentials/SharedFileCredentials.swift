import Essentials

/// Static keys of a profile in `~/.aws/credentials` or `~/.aws/config` (`AWS_PROFILE`), for
/// `bootstrap invoke` on a laptop. Profiles that assume roles or use SSO are reported as
/// unsupported rather than half-handled.
public struct SharedFileCredentials: CredentialsSource {
    let settings: CredentialSettings

    /// Creates the source.
    public init(settings: CredentialSettings) {
        self.settings = settings
    }

    public var name: String { "shared files" }

    public var notConfiguredReason: String {
        let files = [settings.sharedCredentialsFile, settings.configFile].compactMap { $0 }
        return files.isEmpty
            ? "HOME is not set"
            : "no profile \"\(settings.profile)\" with aws_access_key_id in \(files.joined(separator: " or "))"
    }

    public func fetch() throws(CredentialsError) -> AWSCredentials? {
        var candidates: [(String, [String: String])] = []
        if let path = settings.sharedCredentialsFile, let file = Self.load(path),
           let profile = file.credentialsProfile(settings.profile) {
            candidates.append((path, profile))
        }
        if let path = settings.configFile, let file = Self.load(path), let profile = file.configProfile(settings.profile) {
            candidates.append((path, profile))
        }
        for (path, profile) in candidates {
            if let key = profile["aws_access_key_id"], !key.isEmpty {
                guard let secret = profile["aws_secret_access_key"], !secret.isEmpty else {
                    throw CredentialsError("profile \"\(settings.profile)\" in \(path) has aws_access_key_id but no aws_secret_access_key")
                }
                let token = profile["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
                return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
            }
            if let unsupported = ["role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file"]
                .first(where: { profile[$0] != nil }) {
                throw CredentialsError("profile \"\(settings.profile)\" in \(path) uses \(unsupported), which bootstrap does not support; export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN instead (for example with `aws configure export-credentials --format env`)")
            }
        }
        return nil
    }

    /// The region of the profile (`region` in the config file), for `bootstrap invoke` when `AWS_REGION` is unset.
    public func region() -> String? {
        guard let path = settings.configFile, let file = Self.load(path) else { return nil }
        return file.configProfile(settings.profile)?["region"]
    }

    private static func load(_ path: String) -> SharedConfigFile? {
        guard let bytes = try? LocalFile.read(path) else { return nil }
        return SharedConfigFile(parsing: String(decoding: bytes, as: UTF8.self))
    }
}
