#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where TLS finds the certificate authorities.
///
/// The packaged libcurl keeps the build distribution's compiled-in CA path, which does not exist on
/// Amazon Linux, so the path is always given explicitly (aws-lambda-cpp's most reported pitfall).
public enum CABundle {
    /// Amazon Linux first (Lambda), then Debian/Ubuntu, then other common places.
    public static let knownLocations = [
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/ssl/cert.pem",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    ]

    /// Picks the CA bundle file to use.
    /// - Parameter sslCertFile: The value of `SSL_CERT_FILE`, which wins when set.
    /// - Returns: The first readable file, or `nil` when none exists (plain HTTP still works).
    public static func locate(sslCertFile: String?) -> String? {
        if let sslCertFile, !sslCertFile.isEmpty { return sslCertFile }
        return knownLocations.first { access($0, R_OK) == 0 }
    }
}
