import Foundation
import JSON
import TestSupport

/// The HTTPS front (scripts/lib/tls_front.py) in front of a test's fault proxy: one port per
/// certificate variant, a test PKI generated into a temporary directory, connection counters.
final class TLSFront {
    enum Variant: String, CaseIterable, Sendable {
        case good, expired, wrongHost = "wrong-host", untrusted
    }

    /// `https://localhost:PORT` per variant.
    let endpoints: [Variant: String]
    /// The machine's CA bundle with the test root appended (what `SSL_CERT_FILE` names).
    let bundle: String
    /// A hashed directory holding only the test root (for `SSL_CERT_DIR`).
    let certificateDirectory: String
    let admin: String
    private let directory: URL
    private let process: ChildProcess

    init(upstream: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-front-\(UUID().uuidString)")
        let target = upstream.replacingOccurrences(of: "http://", with: "")
        let (process, ready) = try Python.startTool("tls_front.py", ["--upstream", target, "--dir", directory.path, "--admin-port", "0"])
        guard let fronts = ready["fronts"] as? [String: String], let bundle = ready["bundle"] as? String,
              let certificateDirectory = ready["cert_dir"] as? String, let admin = ready["admin"] as? String else {
            throw TestSetupError("tls_front ready line: \(ready)")
        }
        self.process = process
        self.endpoints = Dictionary(uniqueKeysWithValues: fronts.compactMap { name, url in Variant(rawValue: name).map { ($0, url) } })
        self.bundle = bundle
        self.certificateDirectory = certificateDirectory
        self.admin = admin
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func endpoint(_ variant: Variant) throws -> String {
        guard let endpoint = endpoints[variant] else { throw TestSetupError("no \(variant.rawValue) front") }
        return endpoint
    }

    /// `{connections, handshakes, resumed, handshake_failures}` for a variant.
    func stats(_ variant: Variant) throws -> JSONValue {
        try TestHTTP.expectOK("GET", admin + "/stats").json()[variant.rawValue] ?? [:]
    }

    /// Closes every open connection, as a server or load balancer may at any time.
    func dropConnections() throws {
        _ = try TestHTTP.expectOK("POST", admin + "/drop", json: [:])
    }

    /// TCP connections the function opened to a variant's port.
    func connections(_ variant: Variant) throws -> Int64 {
        try stats(variant)["connections"]?.numberValue?.int64Value ?? -1
    }
}
