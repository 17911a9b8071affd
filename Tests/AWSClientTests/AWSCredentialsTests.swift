@testable import AWSClient
import Testing

@Suite("AWSCredentials")
struct AWSCredentialsTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN/with+chars=="
    static let temporary = AWSCredentials(accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: secret, sessionToken: token, expiration: 1_795_633_746_000)

    @Test("the description never shows the secret or the token")
    func descriptionIsRedacted() {
        let description = Self.temporary.description
        #expect(description == "AWSCredentials(accessKeyID: ASIA…MPLE, secret: <redacted>, sessionToken: <present>, expiration: 1795633746000)")
        #expect(!description.contains(Self.secret))
        #expect(!description.contains(Self.token))
    }

    @Test("interpolation, debug printing and dump never show the secret or the token")
    func everyRenderingIsRedacted() {
        var dumped = ""
        dump(Self.temporary, to: &dumped)
        let renderings = ["\(Self.temporary)", String(describing: Self.temporary), String(reflecting: Self.temporary), dumped,
                          "\(Optional(Self.temporary) as Any)", "\([Self.temporary])"]
        for rendering in renderings {
            #expect(!rendering.contains(Self.secret))
            #expect(!rendering.contains("wJalr"))
            #expect(!rendering.contains(Self.token))
            #expect(!rendering.contains("ASIAIOSFODNN7EXAMPLE"))
        }
        #expect(dumped.contains("<redacted>"))
    }

    @Test("long-term credentials show that there is no token")
    func longTermCredentials() {
        let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: Self.secret)
        #expect(credentials.description == "AWSCredentials(accessKeyID: AKIA…MPLE, secret: <redacted>, sessionToken: <none>)")
        #expect(credentials.sessionToken == nil)
        #expect(credentials.expiration == nil)
    }

    @Test("a short access key ID is hidden entirely")
    func shortKeyID() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s")
        #expect(credentials.description.hasPrefix("AWSCredentials(accessKeyID: <redacted>,"))
    }

    @Test("credentials compare by every field")
    func equality() {
        var other = Self.temporary
        #expect(other == Self.temporary)
        other.sessionToken = "different"
        #expect(other != Self.temporary)
    }
}
