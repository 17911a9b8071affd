import HTTP
import Essentials

/// S3 `PutObject`, signed with single encoding of the key and a signed payload hash.
///
/// Path-style URLs (`/bucket/key`) with an endpoint override and for bucket names with dots (their
/// virtual host would not match S3's TLS certificate); virtual-hosted (`bucket.s3.region…`) otherwise.
public final class S3Client: Sendable {
    private let sender: AWSRequestSender

    /// Creates the client.
    /// - Parameter sender: The shared signing, retrying sender.
    public init(sender: AWSRequestSender) {
        self.sender = sender
    }

    /// What a conditional put did.
    public enum PutOutcome: Sendable, Equatable {
        /// The object was written.
        case created(eTag: String?, versionID: String?)
        /// `If-None-Match: *` found the key already taken (412): nothing was written.
        case alreadyExists
    }

    /// Writes an object.
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - key: The object key, unencoded (it is encoded here exactly once, as S3 signs it).
    ///   - body: The object's bytes.
    ///   - contentType: The `Content-Type` to store.
    ///   - onlyIfAbsent: Send `If-None-Match: *`, so an existing object is never overwritten.
    ///   - call: The invocation's deadline, logger and attempt counter.
    /// - Returns: Whether the object was created or already there.
    /// - Throws: ``AWSError`` for anything else (a 409 `ConditionalRequestConflict` is retried first).
    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String, onlyIfAbsent: Bool,
                          _ call: AWSCall) throws(AWSError) -> PutOutcome {
        let (endpoint, path) = location(bucket: bucket, key: key)
        var headers = [HTTPHeader("Content-Type", contentType)]
        if onlyIfAbsent { headers.append(HTTPHeader("If-None-Match", "*")) }
        let request = AWSRequest(service: .s3, operation: "PutObject", method: "PUT", endpoint: endpoint, path: path,
                                 headers: headers, body: body, refusal: onlyIfAbsent ? .status(412) : nil)
        switch try sender.send(request, call) {
        case .success(let response):
            return .created(eTag: response.header("etag"), versionID: response.header("x-amz-version-id"))
        case .refused:
            return .alreadyExists
        }
    }

    /// The endpoint and encoded path of an object.
    func location(bucket: String, key: String) -> (ServiceEndpoint, String) {
        let base = sender.endpoint(for: .s3)
        let encodedKey = URIEncoding.encode(key, keepingSlash: true)
        if base.isOverride || bucket.contains(".") {
            return (base, "/\(URIEncoding.encode(bucket, keepingSlash: false))/\(encodedKey)")
        }
        var virtualHost = base
        virtualHost.host = "\(bucket).\(base.host)"
        return (virtualHost, "/\(encodedKey)")
    }
}
