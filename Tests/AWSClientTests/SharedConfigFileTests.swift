@testable import AWSClient
import Testing

@Suite("SharedConfigFile")
struct SharedConfigFileTests {
    /// A `~/.aws/config` with the shapes the AWS CLI writes and people edit by hand.
    static let config = """
        # written by aws configure
        ; and edited by hand
        [default]
        region = eu-west-1
        output=json

        [profile dev]
        Region   =   us-east-1
        s3 =
          max_concurrent_requests = 20
          addressing_style = path
        aws_access_key_id = AKIDEXAMPLE
          # an indented comment
        aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
        [ profile spaced ]
        region = ap-south-1
        """

    /// A `~/.aws/credentials` file: sections are bare profile names.
    static let credentials = """
        [default]
        aws_access_key_id = AKIAIOSFODNN7EXAMPLE
        aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

        [dev]
        aws_access_key_id=ASIAIOSFODNN7EXAMPLE
        aws_secret_access_key=secret
        aws_session_token = IQoJb3JpZ2luX2VjEXAMPLE+token==
        """

    @Test("config profiles are [default] and [profile name]")
    func configProfiles() throws {
        let file = SharedConfigFile(parsing: Self.config)
        #expect(file.configProfile("default") == ["region": "eu-west-1", "output": "json"])
        let dev = try #require(file.configProfile("dev"))
        #expect(dev["region"] == "us-east-1")
        #expect(dev["aws_access_key_id"] == "AKIDEXAMPLE")
        #expect(file.configProfile("spaced")?["region"] == "ap-south-1", "spaces inside the brackets are trimmed")
        #expect(file.configProfile("missing") == nil)
    }

    @Test("credentials profiles are bare [name] sections, and the two spellings are not mixed up")
    func credentialsProfiles() {
        let file = SharedConfigFile(parsing: Self.credentials)
        #expect(file.credentialsProfile("dev")?["aws_session_token"] == "IQoJb3JpZ2luX2VjEXAMPLE+token==")
        #expect(file.credentialsProfile("default")?["aws_access_key_id"] == "AKIAIOSFODNN7EXAMPLE")
        #expect(file.configProfile("dev") == nil, "a config file names it [profile dev]")
        #expect(SharedConfigFile(parsing: Self.config).credentialsProfile("dev") == nil)
    }

    @Test("a config file may also spell the default profile [profile default]")
    func profileDefault() {
        let file = SharedConfigFile(parsing: "[profile default]\nregion = us-west-2\n")
        #expect(file.configProfile("default") == ["region": "us-west-2"])
    }

    @Test("whitespace around '=' is trimmed, and a value keeps its own '=' signs")
    func whitespaceAndEquals() {
        let file = SharedConfigFile(parsing: "[a]\n  key1=v1\nkey2 =v2\nkey3=  v3  \n\tkey4\t=\tv4\t\ntoken = abc==\n")
        #expect(file.credentialsProfile("a") == ["key1": "v1", "key2": "v2", "key3": "v3", "key4": "v4", "token": "abc=="])
    }

    @Test("comment lines are skipped, and keys are lower-cased")
    func commentsAndCase() {
        let file = SharedConfigFile(parsing: "# top = 1\n[a]\n# inside = 2\n; region = us-west-2\n   # indented = 3\nAWS_Access_Key_ID = K\n")
        #expect(file.credentialsProfile("a") == ["aws_access_key_id": "K"])
    }

    @Test("nested indented blocks are skipped, and the settings after them are read")
    func nestedBlocks() throws {
        let dev = try #require(SharedConfigFile(parsing: Self.config).configProfile("dev"))
        #expect(dev["max_concurrent_requests"] == nil)
        #expect(dev["addressing_style"] == nil)
        #expect(dev["s3"] == nil)
        #expect(dev["aws_secret_access_key"] == "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    }

    @Test("an indented line that is not in a nested block is an ordinary setting")
    func indentedOrdinary() {
        let file = SharedConfigFile(parsing: "[a]\nregion = eu-west-1\n  output = json\n")
        #expect(file.credentialsProfile("a") == ["region": "eu-west-1", "output": "json"])
    }

    @Test("CRLF line endings read the same as LF")
    func crlf() {
        let crlf = Self.config.replacing("\n", with: "\r\n")
        #expect(SharedConfigFile(parsing: crlf) == SharedConfigFile(parsing: Self.config))
        #expect(SharedConfigFile(parsing: crlf).configProfile("default")?["output"] == "json")
    }

    @Test("settings before any section, lines without '=' and unclosed sections are ignored")
    func junk() {
        let file = SharedConfigFile(parsing: "orphan = 1\n[a]\nno equals sign\nk = v\n[broken\nlost = 1\n[b]\nm = w\n")
        #expect(file.sections == ["a": ["k": "v"], "b": ["m": "w"]])
    }

    @Test("a section given twice collects the settings of both, the later value winning")
    func repeatedSection() {
        let file = SharedConfigFile(parsing: "[a]\nk = 1\nx = 1\n[b]\n[a]\nk = 2\n")
        #expect(file.credentialsProfile("a") == ["k": "2", "x": "1"])
        #expect(file.credentialsProfile("b") == [:])
    }

    @Test("an empty file has no sections")
    func empty() {
        #expect(SharedConfigFile(parsing: "").sections.isEmpty)
    }
}
