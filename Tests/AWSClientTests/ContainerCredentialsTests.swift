@testable import AWSClient
import Testing

@Suite("ContainerCredentials")
struct ContainerCredentialsTests {
    static let url = "http://169.254.170.2/v2/credentials/2f0b4f3e"

    static func parse(_ body: String) throws(CredentialsError) -> AWSCredentials {
        try ContainerCredentials.parse(Array(body.utf8), from: url)
    }

    @Test("the endpoint's answer gives the keys, the token and the expiry")
    func full() throws {
        let credentials = try Self.parse("""
            {"RoleArn":"arn:aws:iam::123456789012:role/order-pipeline","AccessKeyId":"ASIAIOSFODNN7EXAMPLE",\
            "SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","Token":"IQoJb3JpZ2luX2VjEXAMPLE",\
            "Expiration":"2026-11-25T20:09:06Z"}
            """)
        #expect(credentials == AWSCredentials(accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                              sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE", expiration: 1_795_637_346_000))
    }

    @Test("the expiry is read from RFC 3339 with fractions and offsets", arguments: [
        ("2026-11-25T20:09:06Z", Int64(1_795_637_346_000)), ("2026-11-25T20:09:06.5Z", 1_795_637_346_500),
        ("2026-11-25T21:09:06+01:00", 1_795_637_346_000),
    ])
    func expiration(_ text: String, _ milliseconds: Int64) throws {
        let credentials = try Self.parse(#"{"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"\#(text)"}"#)
        #expect(credentials.expiration == milliseconds)
    }

    @Test("a token and an expiry are optional")
    func minimal() throws {
        let credentials = try Self.parse(#"{"AccessKeyId":"A","SecretAccessKey":"S"}"#)
        #expect(credentials.sessionToken == nil)
        #expect(credentials.expiration == nil)
    }

    @Test("an answer without both keys, or not JSON at all, is rejected naming the endpoint and the keys", arguments: [
        #"{"SecretAccessKey":"S","Token":"T"}"#, #"{"AccessKeyId":"A"}"#, #"{"AccessKeyId":7,"SecretAccessKey":"S"}"#, "{}",
        "<html>Bad Gateway</html>", "", #"["AccessKeyId","SecretAccessKey"]"#,
    ])
    func missingKeys(_ body: String) {
        #expect(throws: CredentialsError("container endpoint \(Self.url) answered without AccessKeyId and SecretAccessKey (expected a JSON object with both as strings)")) {
            try Self.parse(body)
        }
    }

    @Test("an unreadable expiry is rejected naming the source and the field, never its content (it may hold a secret)",
          arguments: ["tomorrow", "2026-11-25 20:09", "1795637346", "2026-13-01T00:00:00Z", "SECRETsecret/abc+def=="])
    func badExpiration(_ text: String) {
        let expected = CredentialsError(
            "container endpoint \(Self.url) answered an unreadable Expiration (expected an ISO 8601 date-time such as 2026-01-01T00:00:00Z)")
        #expect(throws: expected) {
            try Self.parse(#"{"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"\#(text)"}"#)
        }
        do {
            _ = try Self.parse(#"{"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"\#(text)"}"#)
        } catch {
            #expect(!error.message.contains(text))
        }
    }

    @Test("the source is named for messages, and says which variables it needs")
    func naming() {
        let source = ContainerCredentials(settings: CredentialSettings(environment: [:]))
        #expect(source.name == "container endpoint")
        #expect(source.notConfiguredReason.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        #expect(source.notConfiguredReason.contains("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
    }
}
