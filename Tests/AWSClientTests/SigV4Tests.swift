@testable import AWSClient
import HTTP
import Hashing
import Testing

@Suite("SigV4")
struct SigV4Tests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 2015-08-30T12:36:00Z, the suite's time.
    static let time = AWSTimestamp(millisecondsSinceEpoch: 1_440_938_160_000)

    static func request(
        method: String = "GET", path: String = "/", query: String = "",
        headers: [HTTPHeader] = [HTTPHeader("Host", "example.amazonaws.com")],
        payloadSHA256: String = SigV4.emptyPayloadSHA256
    ) -> SignableRequest {
        SignableRequest(method: method, path: path, query: query, headers: headers, payloadSHA256: payloadSHA256)
    }

    static func value(of name: String, in headers: [HTTPHeader]) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    // MARK: - Canonical URI

    @Test("S3 signs the wire path as sent while other services encode it again", arguments: [
        ("/test%24file.text", "/test%2524file.text"),
        ("/a%2Bb", "/a%252Bb"),
        ("/bkt/raw/events/a%20b.json", "/bkt/raw/events/a%2520b.json"),
        ("/bkt/%E2%82%AC~x", "/bkt/%25E2%2582%25AC~x"),
    ])
    func s3SingleEncodingOthersDouble(_ wirePath: String, _ doubleEncoded: String) {
        #expect(SigV4.canonicalURI(path: wirePath, isS3: true, normalize: false) == wirePath)
        #expect(SigV4.canonicalURI(path: wirePath, isS3: true, normalize: true) == wirePath)
        #expect(SigV4.canonicalURI(path: wirePath, isS3: false, normalize: true) == doubleEncoded)
        #expect(SigV4.canonicalURI(path: wirePath, isS3: false, normalize: false) == doubleEncoded)
    }

    @Test("S3 never normalises dot segments or duplicate slashes", arguments: ["//example//", "/bkt/dot/./seg.txt", "/bkt/a/../b", "/bkt/double//slash.txt"])
    func s3KeepsDotSegments(_ path: String) {
        #expect(SigV4.canonicalURI(path: path, isS3: true, normalize: true) == path)
    }

    @Test("other services remove dot segments and duplicate slashes when normalising", arguments: [
        ("/example/..", "/"), ("/example1/example2/../..", "/"), ("/./", "/"), ("//", "/"),
        ("/./example", "/example"), ("//example//", "/example/"), ("/a/b/../c/./d", "/a/c/d"),
        ("/a/b/..", "/a"), ("/..", "/"), ("", "/"), ("/", "/"),
    ])
    func normalisation(_ path: String, _ expected: String) {
        #expect(SigV4.canonicalURI(path: path, isS3: false, normalize: true) == expected)
    }

    @Test("an empty path is signed as a slash for S3 too")
    func emptyPath() {
        #expect(SigV4.canonicalURI(path: "", isS3: true, normalize: false) == "/")
        #expect(SigV4.canonicalURI(path: "", isS3: false, normalize: false) == "/")
    }

    // MARK: - Canonical query

    @Test("the canonical query is decoded, strictly re-encoded and sorted after encoding", arguments: [
        // a parameter without '=' gets an empty value
        ("acl", "acl="),
        ("versioning", "versioning="),
        ("lifecycle&x=1", "lifecycle=&x=1"),
        // sorting compares names first, so 'select=' precedes 'select-type=2' (not the joined strings)
        ("select-type=2&select=", "select=&select-type=2"),
        // byte order: upper case before lower case, names then values
        ("b=1&B=2&a=3", "B=2&a=3&b=1"),
        ("k=b&k=a&k=B", "k=B&k=a&k=b"),
        ("Param2=value2&Param1=value1", "Param1=value1&Param2=value2"),
        // decoded first, then encoded strictly: '/', '+', space, and lower-case hex are normalised
        ("prefix=a/b+c%20d", "prefix=a%2Fb%2Bc%20d"),
        ("prefix=dir%2fsub", "prefix=dir%2Fsub"),
        ("v=%7E%41", "v=~A"),
        ("%E1%88%B4=Value1&Param=Value2", "%E1%88%B4=Value1&Param=Value2"),
        ("continuation-token=1%2Fabc%3D%3D&list-type=2", "continuation-token=1%2Fabc%3D%3D&list-type=2"),
        // only the first '=' splits
        ("a=b=c", "a=b%3Dc"),
        // a malformed escape is taken literally; empty parameters are dropped
        ("v=%zz", "v=%25zz"),
        ("a=1&&b=2&", "a=1&b=2"),
        ("", ""),
    ])
    func canonicalQuery(_ raw: String, _ expected: String) {
        #expect(SigV4.canonicalQuery(raw) == expected)
    }

    // MARK: - Canonical headers

    @Test("header values are trimmed and inner whitespace runs collapse to one space, quotes included")
    func headerValueTrimming() {
        let headers: [HTTPHeader] = [
            HTTPHeader("My-Header1", "   a    b   c  "),
            HTTPHeader("My-Header2", "\"a   b   c\""),
            HTTPHeader("My-Header3", "\tx\t\ty "),
            HTTPHeader("  My-Header4 ", "folded\n   onto\r\n\tthree lines"),
        ]
        #expect(SigV4.canonicalHeaders(headers) == "my-header1:a b c\nmy-header2:\"a b c\"\nmy-header3:x y\nmy-header4:folded onto three lines\n")
    }

    @Test("repeated headers are joined with commas in arrival order, under one lower-case name")
    func repeatedHeaders() {
        let headers: [HTTPHeader] = [
            HTTPHeader("Host", "example.amazonaws.com"), HTTPHeader("My-Header1", "value4"), HTTPHeader("my-header1", " value1 "),
            HTTPHeader("X-Amz-Date", "20150830T123600Z"), HTTPHeader("MY-HEADER1", "value3"), HTTPHeader("My-Header1", "value2"),
        ]
        #expect(SigV4.canonicalHeaders(headers) == "host:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\nx-amz-date:20150830T123600Z\n")
        #expect(SigV4.signedHeaders(headers) == "host;my-header1;x-amz-date")
    }

    @Test("headers are sorted by lower-case name byte-wise")
    func headerSortOrder() {
        let headers: [HTTPHeader] = [HTTPHeader("X-Amz-Target", "t"), HTTPHeader("content-type", "c"), HTTPHeader("Host", "h"), HTTPHeader("x-amz-date", "d"), HTTPHeader("X-A", "a")]
        #expect(SigV4.signedHeaders(headers) == "content-type;host;x-a;x-amz-date;x-amz-target")
    }

    // MARK: - sign

    @Test("a session token is added before signing and is signed")
    func sessionTokenSigned() throws {
        var credentials = Self.credentials
        credentials.sessionToken = "token/with+slash=="
        let added = SigV4.sign(Self.request(), credentials: credentials, region: "us-east-1", service: "dynamodb", at: Self.time, options: .standard)
        #expect(Self.value(of: "X-Amz-Security-Token", in: added) == "token/with+slash==")
        let authorization = try #require(Self.value(of: "Authorization", in: added))
        #expect(authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        #expect(added.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
    }

    @Test("with omitSessionToken the token is still sent but not signed")
    func sessionTokenOmitted() throws {
        var credentials = Self.credentials
        credentials.sessionToken = "token"
        let options = SigningOptions(omitSessionToken: true)
        let added = SigV4.sign(Self.request(), credentials: credentials, region: "us-east-1", service: "sts", at: Self.time, options: options)
        #expect(Self.value(of: "X-Amz-Security-Token", in: added) == "token")
        let authorization = try #require(Self.value(of: "Authorization", in: added))
        #expect(authorization.contains("SignedHeaders=host;x-amz-date,"))
    }

    @Test("without a session token no token header is added")
    func noSessionToken() {
        let added = SigV4.sign(Self.request(), credentials: Self.credentials, region: "us-east-1", service: "dynamodb", at: Self.time, options: .standard)
        #expect(added.map(\.name) == ["X-Amz-Date", "Authorization"])
    }

    @Test("x-amz-content-sha256 for an empty body is the empty-string hash, sent and signed")
    func emptyBodyContentHash() throws {
        #expect(SHA256.hash([UInt8]()).hexEncodedString == SigV4.emptyPayloadSHA256)
        #expect(SigV4.emptyPayloadSHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

        let request = Self.request(method: "PUT", path: "/bkt/raw/events/1.json", headers: [HTTPHeader("Host", "127.0.0.1:5555")],
                                   payloadSHA256: SHA256.hash([UInt8]()).hexEncodedString)
        let added = SigV4.sign(request, credentials: Self.credentials, region: "us-east-1", service: "s3", at: Self.time, options: .s3)
        #expect(Self.value(of: "X-Amz-Content-Sha256", in: added) == SigV4.emptyPayloadSHA256)
        let authorization = try #require(Self.value(of: "Authorization", in: added))
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"))

        // The canonical request signs the same value on its last line and in the header.
        var signed = request
        signed.headers += added.filter { $0.name != "Authorization" }
        let canonical = SigV4.canonicalRequest(signed, options: .s3)
        #expect(canonical.hasSuffix("\nx-amz-content-sha256:\(SigV4.emptyPayloadSHA256)\nx-amz-date:20150830T123600Z\n\nhost;x-amz-content-sha256;x-amz-date\n\(SigV4.emptyPayloadSHA256)"))
    }

    @Test("UNSIGNED-PAYLOAD is passed through as the payload hash")
    func unsignedPayload() {
        let request = Self.request(method: "PUT", path: "/bkt/k", payloadSHA256: SigV4.unsignedPayload)
        let added = SigV4.sign(request, credentials: Self.credentials, region: "us-east-1", service: "s3", at: Self.time, options: .s3)
        #expect(Self.value(of: "X-Amz-Content-Sha256", in: added) == "UNSIGNED-PAYLOAD")
        #expect(SigV4.canonicalRequest(request, options: .s3).hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test("a Host with a port is signed exactly as given")
    func hostWithPort() throws {
        let request = Self.request(method: "POST", headers: [HTTPHeader("Host", "127.0.0.1:5555"), HTTPHeader("Content-Type", "application/x-amz-json-1.0")])
        let canonical = SigV4.canonicalRequest(request, options: .standard)
        #expect(canonical.contains("\nhost:127.0.0.1:5555\n"))

        // A different port is a different signature.
        let other = Self.request(method: "POST", headers: [HTTPHeader("Host", "127.0.0.1:5556"), HTTPHeader("Content-Type", "application/x-amz-json-1.0")])
        let first = SigV4.sign(request, credentials: Self.credentials, region: "us-east-1", service: "dynamodb", at: Self.time, options: .standard)
        let second = SigV4.sign(other, credentials: Self.credentials, region: "us-east-1", service: "dynamodb", at: Self.time, options: .standard)
        #expect(try #require(Self.value(of: "Authorization", in: first)) != (try #require(Self.value(of: "Authorization", in: second))))
    }

    @Test("the date stamp and X-Amz-Date come from the same timestamp, even at a year end")
    func dateStampAndAmzDate() throws {
        let lastMillisecondOf2026 = AWSTimestamp(millisecondsSinceEpoch: 1_798_761_599_999)
        let added = SigV4.sign(Self.request(), credentials: Self.credentials, region: "eu-west-1", service: "dynamodb", at: lastMillisecondOf2026, options: .standard)
        #expect(Self.value(of: "X-Amz-Date", in: added) == "20261231T235959Z")
        let authorization = try #require(Self.value(of: "Authorization", in: added))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261231/eu-west-1/dynamodb/aws4_request, "))
    }

    @Test("headers that must never be signed are left out even when present")
    func neverSignedHeaders() throws {
        let headers: [HTTPHeader] = [
            HTTPHeader("Host", "example.amazonaws.com"), HTTPHeader("Content-Length", "13"), HTTPHeader("User-Agent", "curl/8"), HTTPHeader("Expect", "100-continue"),
            HTTPHeader("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"), HTTPHeader("Transfer-Encoding", "chunked"),
            HTTPHeader("Connection", "keep-alive"), HTTPHeader("Content-Type", "application/x-amz-json-1.0"), HTTPHeader("X-Amz-Target", "DynamoDB_20120810.PutItem"),
        ]
        let added = SigV4.sign(Self.request(method: "POST", headers: headers), credentials: Self.credentials, region: "us-east-1",
                               service: "dynamodb", at: Self.time, options: .standard)
        let authorization = try #require(Self.value(of: "Authorization", in: added))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,"))
    }

    @Test("the signing key matches the IAM documentation's derivation example")
    func signingKeyExample() {
        // Retired AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
        let scope = CredentialScope(dateStamp: "20120215", region: "us-east-1", service: "iam")
        #expect(SigV4.signingKey(secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", scope: scope).hexEncodedString
            == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test("the credential scope string has four parts and the aws4_request terminator")
    func credentialScope() {
        let scope = CredentialScope(time: Self.time, region: "us-east-1", service: "service")
        #expect(scope == CredentialScope(dateStamp: "20150830", region: "us-east-1", service: "service"))
        #expect(scope.string == "20150830/us-east-1/service/aws4_request")
    }

    @Test("options default to the S3 or the standard rules")
    func optionDefaults() {
        #expect(SigningOptions.s3 == SigningOptions(isS3: true, normalizePath: false, addContentSHA256Header: true, omitSessionToken: false))
        #expect(SigningOptions.standard == SigningOptions(isS3: false, normalizePath: true, addContentSHA256Header: false, omitSessionToken: false))
    }

    @Test("signing without a Host header is a programmer error")
    func missingHostTraps() async {
        await #expect(processExitsWith: .failure) {
            let request = SignableRequest(method: "GET", path: "/", headers: [HTTPHeader("X-Other", "1")], payloadSHA256: SigV4.emptyPayloadSHA256)
            _ = SigV4.sign(request, credentials: AWSCredentials(accessKeyID: "AK", secretAccessKey: "S"), region: "us-east-1",
                           service: "s3", at: AWSTimestamp(millisecondsSinceEpoch: 0), options: .s3)
        }
    }

    @Test("signing a request that already carries X-Amz-Date is a programmer error")
    func duplicateAddedHeaderTraps() async {
        await #expect(processExitsWith: .failure) {
            let request = SignableRequest(method: "GET", path: "/", headers: [HTTPHeader("Host", "h"), HTTPHeader("x-amz-date", "20150830T123600Z")],
                                          payloadSHA256: SigV4.emptyPayloadSHA256)
            _ = SigV4.sign(request, credentials: AWSCredentials(accessKeyID: "AK", secretAccessKey: "S"), region: "us-east-1",
                           service: "dynamodb", at: AWSTimestamp(millisecondsSinceEpoch: 0), options: .standard)
        }
    }
}
