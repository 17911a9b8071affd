@testable import AWSClient
import HTTP
import Foundation
import Hashing
import Testing

/// The four worked examples of the S3 API reference, "Signature Calculations for the Authorization
/// Header: Transferring Payload in a Single Chunk", transcribed in
/// `Fixtures/sigv4-suite/s3-doc-examples/s3-header-auth-examples.json`.
@Suite("SigV4 S3 documentation examples")
struct SigV4S3ExamplesTests {
    struct Examples: Decodable {
        struct Credentials: Decodable {
            var accessKeyID: String
            var secretAccessKey: String
            enum CodingKeys: String, CodingKey { case accessKeyID = "access_key_id", secretAccessKey = "secret_access_key" }
        }

        struct Case: Decodable {
            var name: String
            var method: String
            var wirePath: String
            var query: String
            var headers: [[String]]
            var body: String
            var signedHeaders: String
            var signature: String
            enum CodingKeys: String, CodingKey {
                case name, method, query, headers, body, signature
                case wirePath = "wire_path", signedHeaders = "signed_headers"
            }
        }

        var credentials: Credentials
        var xAmzDate: String
        var region: String
        var service: String
        var cases: [Case]
        enum CodingKeys: String, CodingKey {
            case credentials, region, service, cases
            case xAmzDate = "x_amz_date"
        }

        static func load() throws -> Examples {
            let url = SigV4SuiteCase.suiteDirectory.appendingPathComponent("s3-doc-examples/s3-header-auth-examples.json")
            return try JSONDecoder().decode(Examples.self, from: Data(contentsOf: url))
        }
    }

    static let caseNames = ["get-object-range", "put-object-dollar-key", "get-bucket-lifecycle-empty-query-value", "list-objects-query-sorted"]

    /// 20130524T000000Z.
    static let time = AWSTimestamp(millisecondsSinceEpoch: 1_369_353_600_000)

    @Test("the fixture holds exactly the four documented examples")
    func fixtureIsComplete() throws {
        let examples = try Examples.load()
        #expect(examples.cases.map(\.name) == Self.caseNames)
        #expect(examples.xAmzDate == Self.time.amzDate)
        #expect(examples.credentials.accessKeyID == "AKIAIOSFODNN7EXAMPLE")
    }

    @Test("sign gives the documented Authorization header", arguments: caseNames)
    func authorization(_ name: String) throws {
        let examples = try Examples.load()
        let example = try #require(examples.cases.first { $0.name == name })
        let documented = try example.headers.map { pair in
            try #require(pair.count == 2 ? HTTPHeader(pair[0], pair[1]) : nil)
        }
        // The documentation lists the request as signed; sign adds X-Amz-Date and X-Amz-Content-Sha256 itself.
        let added: Set<String> = ["x-amz-date", "x-amz-content-sha256"]
        let request = SignableRequest(
            method: example.method,
            path: example.wirePath,
            query: example.query,
            headers: documented.filter { !added.contains($0.name.lowercased()) },
            payloadSHA256: SHA256.hash(example.body.utf8).hexEncodedString
        )
        let credentials = AWSCredentials(accessKeyID: examples.credentials.accessKeyID, secretAccessKey: examples.credentials.secretAccessKey)

        let headers = SigV4.sign(request, credentials: credentials, region: examples.region, service: examples.service, at: Self.time, options: .s3)

        let authorization = try #require(headers.first { $0.name == "Authorization" }?.value)
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=\(example.signedHeaders), Signature=\(example.signature)")
        let documentedSHA = try #require(documented.first { $0.name.lowercased() == "x-amz-content-sha256" }?.value)
        #expect(headers.first { $0.name == "X-Amz-Content-Sha256" }?.value == documentedSHA)
        #expect(headers.first { $0.name == "X-Amz-Date" }?.value == examples.xAmzDate)
    }
}
