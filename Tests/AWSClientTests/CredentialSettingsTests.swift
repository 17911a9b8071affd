@testable import AWSClient
import Testing

@Suite("CredentialSettings")
struct CredentialSettingsTests {
    @Test("the profile is AWS_PROFILE, else AWS_DEFAULT_PROFILE, else default", arguments: [
        ([:], "default"), (["AWS_DEFAULT_PROFILE": "old"], "old"), (["AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": "old"], "dev"),
        (["AWS_PROFILE": ""], "default"),
    ])
    func profile(_ environment: [String: String], _ profile: String) {
        #expect(CredentialSettings(environment: environment).profile == profile)
    }

    @Test("the shared files default to ~/.aws and follow their variables")
    func files() {
        let home = CredentialSettings(environment: ["HOME": "/home/me"])
        #expect(home.sharedCredentialsFile == "/home/me/.aws/credentials")
        #expect(home.configFile == "/home/me/.aws/config")
        let custom = CredentialSettings(environment: ["HOME": "/home/me", "AWS_SHARED_CREDENTIALS_FILE": "/tmp/c", "AWS_CONFIG_FILE": "/tmp/f"])
        #expect(custom.sharedCredentialsFile == "/tmp/c")
        #expect(custom.configFile == "/tmp/f")
        let none = CredentialSettings(environment: [:])
        #expect(none.sharedCredentialsFile == nil)
        #expect(none.configFile == nil)
    }

    @Test("empty variables count as unset")
    func emptyIsUnset() {
        let settings = CredentialSettings(environment: [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "",
        ])
        #expect(settings == CredentialSettings(environment: [:]))
        #expect(settings.accessKeyID == nil)
    }

    @Test("the container variables are read as given")
    func container() {
        let settings = CredentialSettings(environment: [
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/token",
        ])
        #expect(settings.containerRelativeURI == "/v2/credentials/abc")
        #expect(settings.containerAuthorizationTokenFile == "/var/run/token")
        #expect(settings.containerFullURI == nil)
    }
}
