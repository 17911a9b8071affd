import Foundation
import JSON
import TestSupport

/// The fault-injecting proxy in front of moto (scripts/lib/fault_proxy.py), one per test that needs it.
final class FaultProxy {
    /// `http://127.0.0.1:PORT`: what the function's endpoint override points at.
    let endpoint: String
    let admin: String
    private let process: ChildProcess

    init(upstream: String) throws {
        let target = upstream.replacingOccurrences(of: "http://", with: "")
        let (process, ready) = try Python.startTool("fault_proxy.py", ["--upstream", target, "--port", "0", "--admin-port", "0"])
        guard let proxy = ready["proxy"] as? String, let admin = ready["admin"] as? String else {
            throw TestSetupError("proxy ready line: \(ready)")
        }
        self.process = process
        self.endpoint = "http://" + proxy
        self.admin = admin
    }

    deinit {
        process.stop()
    }

    /// Adds a rule, e.g. `["match": ["service": "s3", "operation": "PutObject"], "action": "hold"]`.
    func add(_ rule: JSONValue) throws {
        _ = try TestHTTP.expectOK("POST", admin + "/rules", json: ["rules": [rule]])
    }

    /// Every request seen, oldest first.
    func log() throws -> [JSONValue] {
        try TestHTTP.expectOK("GET", admin + "/log").json().arrayValue ?? []
    }

    /// Requests seen for one operation.
    func requests(_ operation: String) throws -> [JSONValue] {
        try log().filter { $0["operation"]?.stringValue == operation }
    }

    /// `{connections_accepted, requests, open_connections}`.
    func stats() throws -> JSONValue {
        try TestHTTP.expectOK("GET", admin + "/stats").json()
    }

    /// IDs of requests currently held back.
    func held() throws -> [Int64] {
        (try TestHTTP.expectOK("GET", admin + "/held").json().arrayValue ?? []).compactMap { $0.numberValue?.int64Value }
    }

    /// Lets every held request through.
    func releaseAll() throws {
        _ = try TestHTTP.expectOK("POST", admin + "/release", json: [:])
    }
}
