@testable import AWSClient
import Testing

@Suite("EnvironmentCredentials")
struct EnvironmentCredentialsTests {
    static func fetch(_ environment: [String: String]) throws(CredentialsError) -> AWSCredentials? {
        try EnvironmentCredentials(settings: CredentialSettings(environment: environment)).fetch()
    }

    @Test("Lambda's three variables give temporary credentials")
    func lambdaVariables() throws {
        let credentials = try Self.fetch([
            "AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLE",
        ])
        #expect(credentials == AWSCredentials(accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                              sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE"))
    }

    @Test("a key pair without a token gives long-term credentials", arguments: [[:], ["AWS_SESSION_TOKEN": ""]])
    func withoutToken(_ extra: [String: String]) throws {
        let credentials = try #require(try Self.fetch(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"].merging(extra) { $1 }))
        #expect(credentials.sessionToken == nil)
        #expect(credentials.expiration == nil)
    }

    @Test("with neither key set the source is not configured", arguments: [
        [:], ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""], ["AWS_SESSION_TOKEN": "orphan-token"],
    ])
    func notConfigured(_ environment: [String: String]) throws {
        #expect(try Self.fetch(environment) == nil)
    }

    @Test("half a key pair is a configuration error naming the missing variable", arguments: [
        (["AWS_ACCESS_KEY_ID": "AKID"], "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"),
        (["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": ""], "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"),
        (["AWS_SECRET_ACCESS_KEY": "secret"], "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"),
    ])
    func halfAPair(_ environment: [String: String], _ message: String) {
        #expect(throws: CredentialsError(message)) { try Self.fetch(environment) }
    }

    @Test("the source is named for messages and says what it lacked")
    func naming() {
        let source = EnvironmentCredentials(settings: CredentialSettings(environment: [:]))
        #expect(source.name == "environment")
        #expect(source.notConfiguredReason == "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
    }
}
