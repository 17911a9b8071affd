import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One OpenSSL `X509_STORE` for every TLS connection of the process, built from a
/// ``TrustStoreLocation`` without parsing a bundle whole.
///
/// libcurl would load the CA file into a fresh store for every handle (OpenSSL 3 decodes all ~140
/// certificates of a system bundle: ~24 ms of CPU each time). Here each connection's `SSL_CTX` gets
/// this store instead (`CURLOPT_SSL_CTX_FUNCTION`), and the store answers issuer lookups through
///
/// - a custom `X509_LOOKUP` over the bundle: the PEM blocks are indexed once, on the first lookup
///   (``PEMBundleIndex``), and only a certificate a chain asks for is decoded and added to the store,
///   whose cache answers the next handshake;
/// - OpenSSL's hashed-directory lookup for `SSL_CERT_DIR` and the system directories, which opens
///   only `<subject hash>.N` files.
///
/// Verification itself is OpenSSL's and libcurl's, unchanged: peer and host name are always checked.
/// Thread-safe: OpenSSL locks the store, and the index is built once under a mutex.
public final class TrustStore: @unchecked Sendable {
    /// Where the certificates come from.
    public let location: TrustStoreLocation
    /// `X509_STORE *`; freed in `deinit`, after every `SSL_CTX` that took a reference released it.
    let store: OpaquePointer
    private let method: OpaquePointer?
    private let bundle: Unmanaged<LazyBundle>?

    private static let shared = Mutex<[TrustStoreLocation: TrustStore]>([:])

    /// The store for a location, created on first use and shared by every connection and thread.
    /// - Throws: ``HTTPError`` when OpenSSL cannot create the store or its lookups (out of memory).
    public static func shared(for location: TrustStoreLocation) throws(HTTPError) -> TrustStore {
        let result: Result<TrustStore, HTTPError> = shared.withLock { stores in
            if let existing = stores[location] { return .success(existing) }
            let created = Result { () throws(HTTPError) in try TrustStore(location: location) }
            if case .success(let store) = created { stores[location] = store }
            return created
        }
        return try result.get()
    }

    /// Creates a store of its own (``shared(for:)`` is what connections use).
    /// - Throws: ``HTTPError`` when OpenSSL cannot allocate the store or a lookup.
    public init(location: TrustStoreLocation) throws(HTTPError) {
        self.location = location
        guard let store = X509_STORE_new() else { throw HTTPError(.trustStore("X509_STORE_new failed")) }
        self.store = store
        if let directories = location.hashedDirectories {
            guard let lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir()),
                  op_x509_lookup_add_dir(lookup, directories) == 1 else {
                X509_STORE_free(store)
                throw HTTPError(.trustStore("cannot add the hashed directory lookup for \(directories)"))
            }
        }
        if let file = location.bundleFile {
            guard let method = X509_LOOKUP_meth_new("order-pipeline lazy PEM bundle") else {
                X509_STORE_free(store)
                throw HTTPError(.trustStore("X509_LOOKUP_meth_new failed"))
            }
            X509_LOOKUP_meth_set_get_by_subject(method, lazyBundleLookupBySubject)
            let bundle = Unmanaged.passRetained(LazyBundle(path: file))
            guard let lookup = X509_STORE_add_lookup(store, method),
                  X509_LOOKUP_set_method_data(lookup, bundle.toOpaque()) == 1 else {
                X509_STORE_free(store)
                X509_LOOKUP_meth_free(method)
                bundle.release()
                throw HTTPError(.trustStore("cannot add the bundle lookup for \(file)"))
            }
            self.method = method
            self.bundle = bundle
        } else {
            self.method = nil
            self.bundle = nil
        }
    }

    deinit {
        X509_STORE_free(store)
        if let method { X509_LOOKUP_meth_free(method) }
        bundle?.release()
    }

    /// How many certificates of the bundle were decoded so far (the rest stayed text).
    public var decodedBundleCertificates: Int {
        bundle?.takeUnretainedValue().decodedCount.load(ordering: .relaxed) ?? 0
    }
}

/// The bundle file behind the lookup: read and indexed on the first lookup, then immutable.
final class LazyBundle: Sendable {
    let path: String
    private let index = Mutex<PEMBundleIndex?>(nil)
    let decodedCount = Atomic<Int>(0)

    init(path: String) {
        self.path = path
    }

    /// The certificates with this subject (DER), reading and indexing the file the first time.
    /// An unreadable file indexes as empty: chains then fail verification as "unable to get local
    /// issuer certificate", and the error names the trust store (``HTTPError``).
    func certificates(subject: [UInt8]) -> [PEMBundleIndex.Entry] {
        index.withLock { index in
            if index == nil { index = PEMBundleIndex(pem: Self.contents(of: path) ?? []) }
            return index?.certificates(subject: subject) ?? []
        }
    }

    private static func contents(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }
}

/// libc's `read`, named apart from the methods called `read` in scope.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// `X509_LOOKUP_METHOD.get_by_subject` for the bundle: decodes the certificates whose subject is
/// `name`, adds them to the store (which caches them for every later handshake) and returns one.
/// Like OpenSSL's own directory lookup, the object returned borrows the store's reference.
private let lazyBundleLookupBySubject: X509_LOOKUP_get_by_subject_fn = { lookup, type, name, result in
    guard type == X509_LU_X509, let lookup, let name, let result,
          let data = X509_LOOKUP_get_method_data(lookup), let store = X509_LOOKUP_get_store(lookup) else { return 0 }
    let bundle = Unmanaged<LazyBundle>.fromOpaque(data).takeUnretainedValue()
    let length = i2d_X509_NAME(name, nil)
    guard length > 0 else { return 0 }
    var subject = [UInt8](repeating: 0, count: Int(length))
    let written = subject.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var cursor = buffer.baseAddress
        return i2d_X509_NAME(name, &cursor)
    }
    guard written == length else { return 0 }

    var added = false
    for entry in bundle.certificates(subject: subject) {
        guard let der = entry.der else { continue }
        let certificate = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let certificate else { continue }
        bundle.decodedCount.add(1, ordering: .relaxed)
        // Succeeds also when another thread added the same certificate first.
        if X509_STORE_add_cert(store, certificate) == 1 { added = true }
        X509_free(certificate)
    }
    guard added, X509_STORE_lock(store) == 1 else { return 0 }
    let cached = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), X509_LU_X509, name)
    let certificate = cached.flatMap { X509_OBJECT_get0_X509($0) }
    X509_STORE_unlock(store)
    guard let certificate, X509_OBJECT_set1_X509(result, certificate) == 1 else { return 0 }
    X509_free(certificate)  // set1 took a reference; the store's keeps the certificate alive
    return 1
}

extension TrustStore {
    /// Makes the handle verify against this store instead of loading a CA file of its own.
    func configure(_ handle: CurlEasyHandle) throws(HTTPError) {
        // No CA file or path: libcurl would otherwise parse its compiled-in default into every SSL_CTX.
        try handle.set(CURLOPT_CAINFO, pointer: nil, "CAINFO")
        try handle.set(CURLOPT_CAPATH, pointer: nil, "CAPATH")
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1, "SSL_VERIFYPEER")
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2, "SSL_VERIFYHOST")
        try handle.set(CURLOPT_SSL_CTX_FUNCTION, callback: installSharedStore, "SSL_CTX_FUNCTION")
        try handle.set(CURLOPT_SSL_CTX_DATA, pointer: UnsafeRawPointer(store), "SSL_CTX_DATA")
        handle.trustStoreDescription = location.description
    }
}

/// libcurl calls this with each new connection's `SSL_CTX`, after its own (empty) CA setup.
///
/// It also turns on read-ahead: OpenSSL then reads what the socket holds in one `recv` instead of
/// a record's 5-byte header and its body in two. That is safe because ``HTTPConnection`` polls the
/// socket only after a read found no complete record buffered (`CURLE_AGAIN`).
private let installSharedStore: curl_ssl_ctx_callback = { _, context, store in
    guard let context, let store else { return CURLE_SSL_CERTPROBLEM }
    SSL_CTX_set1_cert_store(OpaquePointer(context), OpaquePointer(store))  // takes a reference
    SSL_CTX_ctrl(OpaquePointer(context), SSL_CTRL_SET_READ_AHEAD, 1, nil)
    return CURLE_OK
}
