/// A request that was not made or broke before a complete response arrived.
///
/// A status code is never an `HTTPError`: callers decide what a 4xx or 5xx means.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// libcurl reported `curlCode` with its message (e.g. 7 "Couldn't connect to server").
        case transport(curlCode: Int32, message: String)
        /// `curl_easy_init` returned NULL (out of memory).
        case handleCreationFailed
        /// A libcurl option could not be set.
        case optionRejected(option: String, curlCode: Int32, message: String)
        /// The server's certificate did not verify (expired, another host name, unknown issuer …):
        /// libcurl's `curlCode` and message, and the trust store it was checked against.
        case certificateRejected(curlCode: Int32, message: String, trustStore: String)
        /// OpenSSL could not set up the trust store.
        case trustStore(String)
    }

    /// What went wrong.
    public let code: Code

    /// Creates an error.
    public init(_ code: Code) {
        self.code = code
    }

    // libcurl codes that mean "the exchange timed out" or "never connected" — retry policies care.
    static let timedOut: Int32 = 28            // CURLE_OPERATION_TIMEDOUT
    static let connectFailures: Set<Int32> = [
        6,   // CURLE_COULDNT_RESOLVE_HOST
        7,   // CURLE_COULDNT_CONNECT
    ]
    static let brokenConnection: Set<Int32> = [
        18,  // CURLE_PARTIAL_FILE
        52,  // CURLE_GOT_NOTHING
        55,  // CURLE_SEND_ERROR
        56,  // CURLE_RECV_ERROR
        35,  // CURLE_SSL_CONNECT_ERROR
    ]

    // libcurl codes for a certificate that did not verify or a trust store it could not use.
    static let certificateFailures: Set<Int32> = [
        60,  // CURLE_PEER_FAILED_VERIFICATION (chain or host name)
        77,  // CURLE_SSL_CACERT_BADFILE
        83,  // CURLE_SSL_ISSUER_ERROR
        91,  // CURLE_SSL_INVALIDCERTSTATUS
    ]

    /// The server's certificate did not verify: retrying cannot help, and it is never a transient failure.
    public var isCertificateFailure: Bool {
        if case .certificateRejected = code { return true }
        return false
    }

    /// The request ran past its connect or total timeout.
    public var isTimeout: Bool {
        if case .transport(let code, _) = code { return code == Self.timedOut }
        return false
    }

    /// The connection could not be made or broke mid-exchange: safe to try again on a new one,
    /// though the server may have applied the request already.
    public var isConnectionFailure: Bool {
        if case .transport(let code, _) = code {
            return Self.connectFailures.contains(code) || Self.brokenConnection.contains(code)
        }
        return false
    }

    /// A one-line description naming libcurl's code and message.
    public var description: String {
        switch code {
        case .transport(let curlCode, let message):
            return "\(message) (curl error \(curlCode))"
        case .handleCreationFailed:
            return "curl_easy_init failed (out of memory?)"
        case .optionRejected(let option, let curlCode, let message):
            return "curl_easy_setopt(\(option)) failed: \(message) (curl error \(curlCode))"
        case .certificateRejected(let curlCode, let message, let trustStore):
            // libcurl words a host name mismatch without saying "certificate"; name the problem.
            let problem = message.contains("target host name") && !message.contains("mismatch")
                ? "host name mismatch: \(message)" : message
            return "TLS certificate verification failed: \(problem) (curl error \(curlCode); trusting \(trustStore))"
        case .trustStore(let message):
            return "trust store: \(message)"
        }
    }
}
