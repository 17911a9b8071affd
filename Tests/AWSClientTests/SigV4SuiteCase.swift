@testable import AWSClient
import HTTP
import Foundation
import Hashing

/// One case of the AWS SigV4 test suite (`Fixtures/sigv4-suite/v4/<name>/`, Apache-2.0, see the
/// NOTICE there), read from the fixtures next to this file.
struct SigV4SuiteCase {
    /// The 38 cases of the suite's `v4` folder, listed so a missing fixture fails a test instead of
    /// silently shrinking the table.
    static let names = [
        "get-header-key-duplicate", "get-header-value-multiline", "get-header-value-order", "get-header-value-trim",
        "get-relative-normalized", "get-relative-relative-normalized", "get-relative-relative-unnormalized",
        "get-relative-unnormalized", "get-slash-dot-slash-normalized", "get-slash-dot-slash-unnormalized",
        "get-slash-normalized", "get-slash-pointless-dot-normalized", "get-slash-pointless-dot-unnormalized",
        "get-slash-unnormalized", "get-slashes-normalized", "get-slashes-unnormalized", "get-space-normalized",
        "get-space-unnormalized", "get-unreserved", "get-utf8", "get-vanilla", "get-vanilla-empty-query-key",
        "get-vanilla-query", "get-vanilla-query-order-encoded", "get-vanilla-query-order-key-case",
        "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-vanilla-with-session-token",
        "post-header-key-case", "post-header-key-sort", "post-header-value-case", "post-sts-header-after",
        "post-sts-header-before", "post-vanilla", "post-vanilla-empty-query-value", "post-vanilla-query",
        "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters",
    ]

    /// `Fixtures/sigv4-suite`, found from this source file's path (no bundle resources).
    static let suiteDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4-suite", isDirectory: true)

    var name: String
    var request: RawRequest
    var context: Context
    var expectedCanonicalRequest: String
    var expectedStringToSign: String
    var expectedSignature: String
    var signedRequest: RawRequest

    /// Loads a case from `v4/<name>/`.
    init(name: String) throws {
        let directory = Self.suiteDirectory.appendingPathComponent("v4/\(name)", isDirectory: true)
        func read(_ file: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        }
        self.name = name
        request = try RawRequest(parsing: read("request.txt"))
        context = try JSONDecoder().decode(Context.self, from: Data(read("context.json").utf8))
        expectedCanonicalRequest = try read("header-canonical-request.txt")
        expectedStringToSign = try read("header-string-to-sign.txt")
        expectedSignature = try read("header-signature.txt")
        signedRequest = try RawRequest(parsing: read("header-signed-request.txt"))
    }

    /// `context.json`.
    struct Context: Decodable {
        struct Credentials: Decodable {
            var accessKeyID: String
            var secretAccessKey: String
            var token: String?
            enum CodingKeys: String, CodingKey {
                case accessKeyID = "access_key_id", secretAccessKey = "secret_access_key", token
            }
        }

        var credentials: Credentials
        var region: String
        var service: String
        var timestamp: String
        var normalize: Bool
        var signBody: Bool
        var omitSessionToken: Bool?
        enum CodingKeys: String, CodingKey {
            case credentials, region, service, timestamp, normalize
            case signBody = "sign_body", omitSessionToken = "omit_session_token"
        }
    }

    /// A request in the suite's text form: request line, header lines (a line starting with
    /// whitespace continues the previous header's value, as in `get-header-value-multiline`),
    /// an empty line, the body.
    struct RawRequest {
        var method: String
        /// The path as written in the request line; the suite writes it *unencoded* (`/example space/`).
        var path: String
        var query: String
        var headers: [HTTPHeader]
        var body: String

        init(parsing text: String) throws {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard !lines.isEmpty else { throw ParseError("no request line") }
            let requestLine = lines.removeFirst()
            // The path may contain spaces, so split off the method in front and the version at the end.
            guard let firstSpace = requestLine.firstIndex(of: " "), requestLine.hasSuffix(" HTTP/1.1") else {
                throw ParseError("bad request line: \(requestLine)")
            }
            method = String(requestLine[..<firstSpace])
            let target = requestLine[requestLine.index(after: firstSpace)...].dropLast(" HTTP/1.1".count)
            if let questionMark = target.firstIndex(of: "?") {
                path = String(target[..<questionMark])
                query = String(target[target.index(after: questionMark)...])
            } else {
                path = String(target)
                query = ""
            }

            headers = []
            while let line = lines.first, !line.isEmpty {
                lines.removeFirst()
                if line.first == " " || line.first == "\t" {
                    guard !headers.isEmpty else { throw ParseError("continuation line before any header") }
                    headers[headers.count - 1].value += "\n" + line   // kept folded; the signer unfolds it
                } else {
                    guard let colon = line.firstIndex(of: ":") else { throw ParseError("bad header line: \(line)") }
                    headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...])))
                }
            }
            body = lines.dropFirst().joined(separator: "\n")   // after the empty line, if any
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - What the tests feed the signer

    var credentials: AWSCredentials {
        AWSCredentials(
            accessKeyID: context.credentials.accessKeyID,
            secretAccessKey: context.credentials.secretAccessKey,
            sessionToken: context.credentials.token
        )
    }

    var time: AWSTimestamp {
        get throws {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            guard let date = formatter.date(from: context.timestamp) else { throw ParseError("bad timestamp \(context.timestamp)") }
            return AWSTimestamp(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
    }

    var scope: CredentialScope {
        get throws { try CredentialScope(time: time, region: context.region, service: context.service) }
    }

    var options: SigningOptions {
        SigningOptions(
            isS3: false,
            normalizePath: context.normalize,
            addContentSHA256Header: context.signBody,
            omitSessionToken: context.omitSessionToken ?? false
        )
    }

    var payloadSHA256: String {
        SHA256.hash(request.body.utf8).hexEncodedString
    }

    /// The request as `sign` receives it: the suite's unsigned request. Its unencoded path is used
    /// as the wire path; for a service other than S3, encoding it once gives exactly the suite's
    /// canonical URI (checked for every case by the canonical-request test).
    var signableRequest: SignableRequest {
        SignableRequest(method: request.method, path: request.path, query: request.query,
                        headers: request.headers, payloadSHA256: payloadSHA256)
    }

    /// The request with the headers the suite's signer adds before signing: `X-Amz-Date`, the
    /// session token unless `omit_session_token`, and `x-amz-content-sha256` when `sign_body`.
    /// Every header of it is signed, as the suite's reference signer does.
    var requestAsSigned: SignableRequest {
        get throws {
            var headers = request.headers
            headers.append(HTTPHeader("X-Amz-Date", try time.amzDate))
            if let token = context.credentials.token, context.omitSessionToken != true {
                headers.append(HTTPHeader("X-Amz-Security-Token", token))
            }
            if context.signBody {
                headers.append(HTTPHeader("x-amz-content-sha256", payloadSHA256))
            }
            var signable = signableRequest
            signable.headers = headers
            return signable
        }
    }

    /// The `Authorization` value in `header-signed-request.txt`.
    var expectedAuthorization: String {
        get throws {
            guard let value = signedRequest.headers.first(where: { $0.name == "Authorization" })?.value else {
                throw ParseError("\(name): no Authorization line in header-signed-request.txt")
            }
            return value
        }
    }

    /// The headers `header-signed-request.txt` has beyond `request.txt`: what signing added.
    var expectedAddedHeaders: [HTTPHeader] {
        Array(signedRequest.headers.dropFirst(request.headers.count))
    }
}
