import HTTP
import JSON
import Essentials

/// The container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI` or `_RELATIVE_URI`),
/// as ECS, EKS Pod Identity and Lambda SnapStart provide it: a GET with an `Authorization` token
/// answering `{AccessKeyId, SecretAccessKey, Token, Expiration}`.
public final class ContainerCredentials: CredentialsSource {
    private let settings: CredentialSettings
    private var connection: HTTPConnection?
    private let timeouts = HTTPTimeouts(connectMilliseconds: 1_000, totalMilliseconds: 2_000)

    /// Creates the source.
    public init(settings: CredentialSettings) {
        self.settings = settings
    }

    public var name: String { "container endpoint" }

    public var notConfiguredReason: String {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_CREDENTIALS_RELATIVE_URI are not set"
    }

    /// Hosts allowed over plain HTTP, as the SDKs allow them: loopback and the ECS/EKS link-local addresses.
    static let plainHTTPHosts: Set<String> = ["localhost", "127.0.0.1", "[::1]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]

    public func fetch() throws(CredentialsError) -> AWSCredentials? {
        guard let url = try endpointURL() else { return nil }
        var headers: [HTTPHeader] = [HTTPHeader("Accept", "application/json")]
        if let token = try authorizationToken() {
            guard !token.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw CredentialsError("the container authorization token contains a line break")
            }
            headers.append(HTTPHeader("Authorization", token))
        }
        let response = try get(url, headers: headers)
        guard response.status == 200 else {
            // The body is part of a credentials response: only an error code shaped like one is named, never free text.
            let code = AWSErrorResponse(response).code
            let named = code.utf8.count <= 64 && code.utf8.allSatisfy { $0 < 0x80 && ($0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0 & 0xDF)) }
            throw CredentialsError("container endpoint \(url) answered HTTP \(response.status)\(named && !code.isEmpty ? " " + code : "") to a request with \(tokenDescription)")
        }
        return try Self.parse(response.body, from: url)
    }

    /// Where the `Authorization` token came from, for messages (never the token itself).
    private var tokenDescription: String {
        if let path = settings.containerAuthorizationTokenFile { return "the token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (\(path))" }
        if settings.containerAuthorizationToken != nil { return "the token from AWS_CONTAINER_AUTHORIZATION_TOKEN" }
        return "no token (neither AWS_CONTAINER_AUTHORIZATION_TOKEN nor AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is set)"
    }

    private func endpointURL() throws(CredentialsError) -> String? {
        if let relative = settings.containerRelativeURI {
            return "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = settings.containerFullURI else { return nil }
        if full.hasPrefix("https://") { return full }
        guard full.hasPrefix("http://") else {
            throw CredentialsError("AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http(s) URL, found \"\(full)\"")
        }
        let authority = full.dropFirst(7).prefix { $0 != "/" }
        var host = String(authority)
        if !host.hasPrefix("["), let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { host = String(host[...close]) }
        guard Self.plainHTTPHosts.contains(host) || host.hasPrefix("127.") else {
            throw CredentialsError("AWS_CONTAINER_CREDENTIALS_FULL_URI uses plain HTTP to \(host); only loopback and the ECS/EKS addresses may, others need https")
        }
        return full
    }

    private func authorizationToken() throws(CredentialsError) -> String? {
        if let path = settings.containerAuthorizationTokenFile {
            do {
                let text = String(decoding: try LocalFile.read(path), as: UTF8.self)
                return String(text.trimmingASCIIWhitespace().split(whereSeparator: { $0 == "\n" }).first ?? "")
            } catch {
                throw CredentialsError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: \(error)")
            }
        }
        return settings.containerAuthorizationToken
    }

    private func get(_ url: String, headers: [HTTPHeader]) throws(CredentialsError) -> HTTPResponse {
        var lastError = ""
        for _ in 1...2 {  // one quick retry: the agent may be starting up
            do {
                if connection == nil { connection = try HTTPConnection(trustStore: nil) }
                guard let connection else { break }
                return try connection.perform(HTTPRequest(method: "GET", url: url, headers: headers, timeouts: timeouts))
            } catch {
                lastError = error.description
            }
        }
        throw CredentialsError("\(url) failed: \(lastError)")
    }

    static func parse(_ body: [UInt8], from url: String) throws(CredentialsError) -> AWSCredentials {
        guard let json = try? JSONValue.parse(body),
              let key = json["AccessKeyId"]?.stringValue, let secret = json["SecretAccessKey"]?.stringValue
        else {
            throw CredentialsError("container endpoint \(url) answered without AccessKeyId and SecretAccessKey (expected a JSON object with both as strings)")
        }
        var expiration: Int64?
        if let text = json["Expiration"]?.stringValue {
            guard let parsed = UTCDateTime.parseISO8601(text) else {
                // Never quote the field: any part of a credentials response may be a secret.
                throw CredentialsError("container endpoint \(url) answered an unreadable Expiration (expected an ISO 8601 date-time such as 2026-01-01T00:00:00Z)")
            }
            expiration = parsed
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["Token"]?.stringValue,
                              expiration: expiration)
    }
}

@available(*, unavailable)
extension ContainerCredentials: Sendable {}
