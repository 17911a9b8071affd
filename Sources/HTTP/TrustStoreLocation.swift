#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where TLS finds the certificate authorities: a PEM bundle file, hashed directories, or both.
///
/// The packaged libcurl keeps the build distribution's compiled-in CA path, which does not exist on
/// Amazon Linux, so the location is always chosen here and given explicitly (aws-lambda-cpp's most
/// reported pitfall).
public struct TrustStoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// A PEM bundle of trusted certificates, looked up lazily (``PEMBundleIndex``).
    public var bundleFile: String?
    /// Colon-separated directories of `<subject hash>.N` files, as `c_rehash` / `openssl rehash` make
    /// them: OpenSSL reads only the file of the issuer a chain asks for.
    public var hashedDirectories: String?

    /// Creates a location; at least one of the two should be set.
    public init(bundleFile: String? = nil, hashedDirectories: String? = nil) {
        self.bundleFile = bundleFile
        self.hashedDirectories = hashedDirectories
    }

    /// The system stores, in the order they are tried when neither variable is set.
    ///
    /// Amazon Linux 2023 ships the hashed directory that p11-kit extracts; Amazon Linux 2 has only
    /// the bundle. Debian/Ubuntu hash `/etc/ssl/certs` (update-ca-certificates). A hashed directory is
    /// used alone where present: adding the bundle behind it would index the bundle on the first
    /// lookup that misses, which every chain with an intermediate makes.
    public static let systemLocations: [TrustStoreLocation] = [
        TrustStoreLocation(hashedDirectories: "/etc/pki/ca-trust/extracted/pem/directory-hash"),  // AL2023
        TrustStoreLocation(bundleFile: "/etc/pki/tls/certs/ca-bundle.crt"),                       // AL2023, AL2
        TrustStoreLocation(hashedDirectories: "/etc/ssl/certs"),                                  // Debian, Ubuntu
        TrustStoreLocation(bundleFile: "/etc/ssl/certs/ca-certificates.crt"),
        TrustStoreLocation(bundleFile: "/etc/ssl/cert.pem"),                                      // Alpine, macOS-style
    ]

    /// Picks the trust store, as OpenSSL reads its environment: `SSL_CERT_FILE` and `SSL_CERT_DIR`
    /// replace the system store when either is set (both are used when both are).
    /// - Parameters:
    ///   - sslCertFile: The value of `SSL_CERT_FILE`.
    ///   - sslCertDir: The value of `SSL_CERT_DIR` (colon-separated directories).
    ///   - exists: Whether a path exists (a seam for tests).
    /// - Returns: The location, or `nil` when nothing is configured and no system store exists
    ///   (plain HTTP still works; TLS then fails verification with a message saying so).
    public static func resolve(sslCertFile: String?, sslCertDir: String?,
                               exists: (String) -> Bool = { access($0, F_OK) == 0 }) -> TrustStoreLocation? {
        let file = sslCertFile.flatMap { $0.isEmpty ? nil : $0 }
        let directories = sslCertDir.flatMap { $0.isEmpty ? nil : $0 }
        if file != nil || directories != nil {
            return TrustStoreLocation(bundleFile: file, hashedDirectories: directories)
        }
        return systemLocations.first { location in
            (location.bundleFile ?? location.hashedDirectories).map(exists) ?? false
        }
    }

    /// `bundle /path`, `directory /path`, or both, for error messages.
    public var description: String {
        let parts = [bundleFile.map { "bundle \($0)" }, hashedDirectories.map { "directory \($0)" }]
        return parts.compactMap { $0 }.joined(separator: " + ")
    }
}
