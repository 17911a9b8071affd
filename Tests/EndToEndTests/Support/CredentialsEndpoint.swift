import Foundation
import JSON
import TestSupport

/// A container credentials endpoint like the ECS agent's or EKS Pod Identity's, for one test: it
/// serves fixed temporary keys on `GET /creds` only when the `Authorization` header equals the
/// expected token, stamps each answer with an `Expiration` a set time ahead, and counts requests.
///
/// The server is a few lines of Python (`http.server`), run with `python3 -c` so the test target
/// holds no stray non-Swift file.
final class CredentialsEndpoint {
    /// `http://127.0.0.1:PORT/creds`: the value for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    let url: String
    private let statsURL: String
    private let process: ChildProcess

    /// - Parameters:
    ///   - credentials: The keys to serve (temporary ones from the local stack's `/session`).
    ///   - expectedToken: The only `Authorization` value that gets them; anything else gets 403.
    ///   - expiresInSeconds: Each answer's `Expiration` is this far after the moment it is served.
    init(credentials: (accessKeyID: String, secretAccessKey: String, sessionToken: String),
         expectedToken: String, expiresInSeconds: Int) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        environment["CREDS_ACCESS_KEY_ID"] = credentials.accessKeyID
        environment["CREDS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
        environment["CREDS_SESSION_TOKEN"] = credentials.sessionToken
        environment["CREDS_EXPECTED_TOKEN"] = expectedToken
        environment["CREDS_EXPIRES_IN_SECONDS"] = String(expiresInSeconds)
        process = try ChildProcess(name: "credentials endpoint", executable: Python.executable,
                                   arguments: ["-c", Self.server], environment: environment)
        let ready = try JSONValue.parse(Array(try process.firstLine().utf8))
        guard let base = ready["endpoint"]?.stringValue else { throw TestSetupError("credentials endpoint ready line: \(ready)") }
        url = base + "/creds"
        statsURL = base + "/stats"
    }

    deinit {
        process.stop()
    }

    /// What the endpoint saw.
    struct Stats {
        /// Every `GET /creds`, answered or refused.
        let requests: Int
        /// Those that carried the expected token and got keys.
        let served: Int
        /// The `Authorization` values received, in order (`""` when absent).
        let authorizations: [String]
    }

    func stats() throws -> Stats {
        let json = try TestHTTP.expectOK("GET", statsURL).json()
        return Stats(requests: Int(json["requests"]?.numberValue?.int64Value ?? -1),
                     served: Int(json["served"]?.numberValue?.int64Value ?? -1),
                     authorizations: (json["authorizations"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    private static let server = #"""
        import datetime, http.server, json, os, sys, threading

        env = os.environ
        lock = threading.Lock()
        counts = {"requests": 0, "served": 0, "authorizations": []}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/stats":
                    with lock:
                        return self.send(200, counts)
                if self.path != "/creds":
                    return self.send(404, {"code": "NotFound", "message": self.path})
                authorization = self.headers.get("Authorization", "")
                with lock:
                    counts["requests"] += 1
                    counts["authorizations"].append(authorization)
                    allowed = authorization == env["CREDS_EXPECTED_TOKEN"]
                    if allowed:
                        counts["served"] += 1
                if not allowed:
                    return self.send(403, {"code": "AccessDenied", "message": "Authorization token is not valid"})
                expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
                    seconds=int(env["CREDS_EXPIRES_IN_SECONDS"]))
                self.send(200, {"AccessKeyId": env["CREDS_ACCESS_KEY_ID"],
                                "SecretAccessKey": env["CREDS_SECRET_ACCESS_KEY"],
                                "Token": env["CREDS_SESSION_TOKEN"],
                                "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")})

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(json.dumps({"endpoint": "http://127.0.0.1:%d" % server.server_address[1]}), flush=True)
        while sys.stdin.buffer.read(65536):
            pass  # the test's lifeline: exit when it closes our stdin
        """#
}
