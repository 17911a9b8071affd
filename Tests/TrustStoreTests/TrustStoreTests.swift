import CCurl
@testable import HTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PEMBundleIndexTests {
    @Test func indexesEveryCertificateBlockAndIgnoresTheRest() {
        let bundle = """
        # A comment as ca-certificates writes them
        \(Fixtures.decoy1)
        -----BEGIN PRIVATE KEY-----
        AAAA
        -----END PRIVATE KEY-----
        \(Fixtures.root)
        \(Fixtures.decoy2)
        """
        let index = PEMBundleIndex(pem: Array(bundle.utf8))
        #expect(index.entries.count == 3)
        #expect(index.skippedBlocks == 0)
    }

    @Test func findsTheCertificatesOfASubjectByItsDERBytes() throws {
        let index = PEMBundleIndex(pem: Array((Fixtures.decoy1 + "\n" + Fixtures.root + "\n" + Fixtures.reissuedRoot).utf8))
        let root = try #require(index.entries.dropFirst().first)
        let subject = Array(try #require(root.der)[root.subject])
        let found = index.certificates(subject: subject)
        #expect(found.count == 2, "the root and its re-issue share the subject")
        #expect(found.first == root)
        #expect(index.certificates(subject: subject.dropLast() + [0]).isEmpty)
    }

    @Test func subjectIsTheSameNameOpenSSLEncodes() throws {
        let index = PEMBundleIndex(pem: Array(Fixtures.leaf.utf8))
        let entry = try #require(index.entries.first)
        let der = try #require(entry.der)
        #expect(Array(der[entry.subject]) == (try subjectAsOpenSSLEncodesIt(der)))
    }

    @Test func skipsABlockThatIsNotBase64OrNotACertificate() {
        let bundle = """
        -----BEGIN CERTIFICATE-----
        not*base64
        -----END CERTIFICATE-----
        -----BEGIN CERTIFICATE-----
        AAAA
        -----END CERTIFICATE-----
        \(Fixtures.root)
        -----BEGIN CERTIFICATE-----
        MIIB
        """
        let index = PEMBundleIndex(pem: Array(bundle.utf8))
        #expect(index.entries.count == 1)
        #expect(index.skippedBlocks == 2, "the unterminated last block is not a block")
    }

    @Test func indexesTheSystemBundleWhole() throws {
        let path = "/etc/ssl/certs/ca-certificates.crt"
        guard let text = try? readText(path) else { return }  // not every machine has Debian's bundle
        let blocks = text.split(separator: "-----BEGIN CERTIFICATE-----", omittingEmptySubsequences: false).count - 1
        let index = PEMBundleIndex(pem: Array(text.utf8))
        #expect(index.entries.count == blocks)
        #expect(index.skippedBlocks == 0)
        // The subject found from a prefix is the one OpenSSL encodes for the whole certificate.
        for entry in index.entries {
            let der = try #require(entry.der)
            #expect(Array(der[entry.subject]) == (try subjectAsOpenSSLEncodesIt(der)))
        }
    }

    @Test func findsASubjectBeyondTheDecodedPrefix() throws {
        // A certificate whose subject starts after the first 768 bytes: a long serial number cannot do
        // it, so build the outer structure by hand around a long issuer.
        let longIssuer = derSequence(Array(repeating: 0x41, count: 900))
        let subject = derSequence([0x31, 0x03, 0x02, 0x01, 0x07])
        let tbs = derSequence([0x02, 0x01, 0x01] + derSequence([]) + longIssuer + derSequence([]) + subject)
        let certificate = derSequence(tbs + derSequence([]) + [0x03, 0x01, 0x00])
        let pem = "-----BEGIN CERTIFICATE-----\n" + base64(certificate) + "\n-----END CERTIFICATE-----\n"
        let index = PEMBundleIndex(pem: Array(pem.utf8))
        #expect(index.entries.count == 1)
        #expect(index.certificates(subject: subject).count == 1)
    }
}

@Suite struct TrustStoreTests {
    @Test func verifiesAChainDecodingOnlyTheIssuer() throws {
        let file = try TemporaryFile([Fixtures.decoy1, Fixtures.decoy2, Fixtures.root].joined(separator: "\n"))
        let store = try TrustStore(location: TrustStoreLocation(bundleFile: file.path))
        #expect(store.decodedBundleCertificates == 0, "nothing is read before a chain asks")
        let result = try verify(Fixtures.leaf, against: store)
        #expect(result == X509_V_OK, "\(String(cString: X509_verify_cert_error_string(Int(result))))")
        #expect(store.decodedBundleCertificates == 1, "the root, nothing else")
        #expect(try verify(Fixtures.leaf, against: store) == X509_V_OK)
        #expect(store.decodedBundleCertificates == 1, "the second chain is answered from the store's cache")
    }

    @Test func refusesACertificateWhoseIssuerIsNotInTheBundle() throws {
        let file = try TemporaryFile([Fixtures.decoy1, Fixtures.decoy2].joined(separator: "\n"))
        let store = try TrustStore(location: TrustStoreLocation(bundleFile: file.path))
        #expect(try verify(Fixtures.leaf, against: store) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
        #expect(try verify(Fixtures.stranger, against: store) == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
        #expect(store.decodedBundleCertificates == 0)
    }

    @Test func anUnreadableBundleTrustsNothing() throws {
        let store = try TrustStore(location: TrustStoreLocation(bundleFile: "/nonexistent/ca-bundle.crt"))
        #expect(try verify(Fixtures.leaf, against: store) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
    }

    @Test func looksUpAHashedDirectory() throws {
        let directory = try TemporaryDirectory()
        let hash = try subjectHash(Fixtures.root)
        try TemporaryFile.write(Fixtures.root, to: directory.path + "/" + hash + ".0")
        let store = try TrustStore(location: TrustStoreLocation(hashedDirectories: "/nonexistent:" + directory.path))
        #expect(try verify(Fixtures.leaf, against: store) == X509_V_OK)
        let empty = try TrustStore(location: TrustStoreLocation(hashedDirectories: "/nonexistent"))
        #expect(try verify(Fixtures.leaf, against: empty) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
    }

    @Test func isSharedPerLocation() throws {
        let location = TrustStoreLocation(bundleFile: "/nonexistent/shared.crt")
        #expect(try TrustStore.shared(for: location) === TrustStore.shared(for: location))
        #expect(try TrustStore.shared(for: location) !== TrustStore.shared(for: TrustStoreLocation(hashedDirectories: "/nonexistent")))
    }
}

@Suite struct TrustStoreLocationTests {
    @Test func sslCertFileAndDirReplaceTheSystemStore() {
        let everything: (String) -> Bool = { _ in true }
        #expect(TrustStoreLocation.resolve(sslCertFile: "/a.pem", sslCertDir: nil, exists: everything)
                == TrustStoreLocation(bundleFile: "/a.pem"))
        #expect(TrustStoreLocation.resolve(sslCertFile: nil, sslCertDir: "/d1:/d2", exists: everything)
                == TrustStoreLocation(hashedDirectories: "/d1:/d2"))
        #expect(TrustStoreLocation.resolve(sslCertFile: "/a.pem", sslCertDir: "/d", exists: everything)
                == TrustStoreLocation(bundleFile: "/a.pem", hashedDirectories: "/d"))
    }

    @Test func amazonLinuxFirstThenDebian() {
        #expect(TrustStoreLocation.resolve(sslCertFile: "", sslCertDir: "", exists: { _ in true })
                == TrustStoreLocation(hashedDirectories: "/etc/pki/ca-trust/extracted/pem/directory-hash"))
        #expect(TrustStoreLocation.resolve(sslCertFile: nil, sslCertDir: nil, exists: { $0 == "/etc/pki/tls/certs/ca-bundle.crt" || $0 == "/etc/ssl/certs" })
                == TrustStoreLocation(bundleFile: "/etc/pki/tls/certs/ca-bundle.crt"), "Amazon Linux 2")
        #expect(TrustStoreLocation.resolve(sslCertFile: nil, sslCertDir: nil, exists: { $0.hasPrefix("/etc/ssl/") })
                == TrustStoreLocation(hashedDirectories: "/etc/ssl/certs"), "Debian")
        #expect(TrustStoreLocation.resolve(sslCertFile: nil, sslCertDir: nil, exists: { _ in false }) == nil)
    }

    @Test func describesWhatItTrusts() {
        #expect(TrustStoreLocation(bundleFile: "/a.pem", hashedDirectories: "/d").description == "bundle /a.pem + directory /d")
    }
}

// MARK: - Helpers

private func derSequence(_ content: [UInt8]) -> [UInt8] {
    let count = content.count
    let length: [UInt8] = count < 128 ? [UInt8(count)] : count < 256 ? [0x81, UInt8(count)] : [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
    return [0x30] + length + content
}

private func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let chunk = Array(bytes[index..<min(index + 3, bytes.count)]) + [0, 0]
        let value = UInt32(chunk[0]) << 16 | UInt32(chunk[1]) << 8 | UInt32(chunk[2])
        let available = min(3, bytes.count - index)
        for position in 0..<4 {
            out.append(position <= available ? alphabet[Int(value >> UInt32(18 - 6 * position) & 63)] : UInt8(ascii: "="))
        }
        if out.count % 65 == 64 { out.append(UInt8(ascii: "\n")) }
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}

/// Verifies a PEM certificate (no intermediates) against the store; the OpenSSL verify result.
private func verify(_ pem: String, against store: TrustStore) throws -> Int32 {
    let certificate = try certificate(pem)
    defer { X509_free(certificate) }
    let context = try #require(X509_STORE_CTX_new())
    defer { X509_STORE_CTX_free(context) }
    try #require(X509_STORE_CTX_init(context, store.store, certificate, nil) == 1)
    _ = X509_verify_cert(context)
    return X509_STORE_CTX_get_error(context)
}

private func certificate(_ pem: String) throws -> OpaquePointer {
    let der = try #require(PEMBundleIndex(pem: Array(pem.utf8)).entries.first?.der)
    return try #require(der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
        var cursor = buffer.baseAddress
        return d2i_X509(nil, &cursor, buffer.count)
    })
}

/// OpenSSL's `<subject hash>` file name stem, as `openssl rehash` writes it.
private func subjectHash(_ pem: String) throws -> String {
    let certificate = try certificate(pem)
    defer { X509_free(certificate) }
    let hash = X509_NAME_hash_ex(X509_get_subject_name(certificate), nil, nil, nil)
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 8 - hex.count) + hex
}

private struct FileError: Error { let path: String }

private func readText(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else { throw FileError(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count == 0 { break }
        bytes += chunk[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

private final class TemporaryDirectory {
    let path: String
    init() throws {
        var template = Array("/tmp/truststore-tests-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FileError(path: "/tmp/truststore-tests-XXXXXX") }
        path = String(cString: made)
    }
    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

private final class TemporaryFile {
    let directory: TemporaryDirectory
    let path: String
    init(_ text: String) throws {
        directory = try TemporaryDirectory()
        path = directory.path + "/bundle.pem"
        try Self.write(text, to: path)
    }
    static func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "wb") else { throw FileError(path: path) }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw FileError(path: path) }
    }
}

@Suite struct CertificateErrorTests {
    @Test func aHostNameMismatchIsNamedAndNeverTransient() {
        let error = HTTPError(.certificateRejected(curlCode: 60, message: "SSL: no alternative certificate subject name matches target host name 'localhost'",
                                                   trustStore: "bundle /b.pem"))
        #expect(error.description == "TLS certificate verification failed: host name mismatch: SSL: no alternative certificate subject name matches target host name 'localhost' (curl error 60; trusting bundle /b.pem)")
        #expect(error.isCertificateFailure)
        #expect(!error.isConnectionFailure)
        #expect(!error.isTimeout)
    }

    @Test func anExpiredCertificateKeepsOpenSSLsWords() {
        let error = HTTPError(.certificateRejected(curlCode: 60, message: "SSL certificate problem: certificate has expired", trustStore: "directory /d"))
        #expect(error.description == "TLS certificate verification failed: SSL certificate problem: certificate has expired (curl error 60; trusting directory /d)")
    }
}

/// The certificate's subject name as OpenSSL decodes the whole certificate and encodes the name again.
func subjectAsOpenSSLEncodesIt(_ der: [UInt8]) throws -> [UInt8] {
    let certificate = try #require(der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
        var cursor = buffer.baseAddress
        return d2i_X509(nil, &cursor, buffer.count)
    })
    defer { X509_free(certificate) }
    let name = X509_get_subject_name(certificate)
    var encoded = [UInt8](repeating: 0, count: Int(i2d_X509_NAME(name, nil)))
    encoded.withUnsafeMutableBufferPointer { buffer in
        var cursor = buffer.baseAddress
        _ = i2d_X509_NAME(name, &cursor)
    }
    return encoded
}
