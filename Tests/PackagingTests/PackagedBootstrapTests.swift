import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The deployment zip, unzipped into an empty root and run under chroot with none of this
/// machine's libraries: what Lambda does with it, minus Amazon Linux.
@Suite("Packaged bootstrap (.build/lambda/bootstrap.zip alone in a chroot)", .serialized)
struct PackagedBootstrapTests {
    static let table = "packaged-orders"
    static let bucket = "packaged-orders-bucket"

    @Test("serves an invocation from the Runtime API emulator and writes the order to moto")
    func servesAnInvocationInAChroot() async throws {
        let root = try await ChrootRoot(unpacking: PackageLayout.requireZip())
        defer { root.remove() }
        let files = root.files()
        #expect(files.contains("var/task/bootstrap"))
        #expect(files.contains("var/task/lib/ld-linux-x86-64.so.2"))
        // Nothing but the package and the decoys: no loader, libc or anything else of this machine.
        let foreign = files.filter { !$0.hasPrefix("var/task/") && !$0.hasPrefix("lib64/") && !$0.hasPrefix("usr/lib64/") }
        #expect(foreign.isEmpty, "unexpected files in the root: \(foreign)")

        let stack = try await LocalTool.start("local_stack.py", ["--port", "0", "--admin-port", "0"])
        defer { stack.process.stop() }
        let emulator = try await LocalTool.start("runtime_emulator.py", ["--port", "0", "--timeout-ms", "10000"])
        defer { emulator.process.stop() }
        let admin = try stack.string("admin")
        let created = try LoopbackHTTP.send("POST", "\(admin)/resources",
                                            json: ["table": Self.table, "bucket": Self.bucket, "versioning": true])
        try #require(created.status == 200, "POST /resources: HTTP \(created.status) \(created.text)")
        let runtimeAPI = try emulator.string("runtime_api")

        let environment: [String: String] = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LD_LIBRARY_PATH": ChrootRoot.lambdaLibraryPath,
            "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "_HANDLER": "bootstrap",
            "TZ": "UTC",
            "AWS_LAMBDA_RUNTIME_API": runtimeAPI,
            "AWS_LAMBDA_FUNCTION_NAME": "order-pipeline",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "AWS_REGION": try stack.string("region"),
            "AWS_ACCESS_KEY_ID": try stack.string("access_key_id"),
            "AWS_SECRET_ACCESS_KEY": try stack.string("secret_access_key"),
            "AWS_ENDPOINT_URL": try stack.string("endpoint"),
            "BUCKET": Self.bucket,
            "TABLE": Self.table,
        ]
        let command = try root.launchCommand()
        let spawnedAt = monotonicSeconds()
        let bootstrap = try Subprocess(name: "packaged bootstrap", executable: command.executable,
                                       arguments: command.arguments, environment: environment)
        defer { bootstrap.stop() }

        var firstNext: Double?
        try await waitUntil("the packaged bootstrap to poll /next", timeout: .seconds(30)) {
            guard bootstrap.isRunning else {
                throw PackagingTestError("""
                    the packaged bootstrap exited before polling /next (\(ChrootRoot.privilegeHint)):
                    \(bootstrap.standardError)
                    """)
            }
            firstNext = try LoopbackHTTP.send("GET", "http://\(runtimeAPI)/emulator/state").jsonObject()["first_next_monotonic"] as? Double
            return firstNext != nil
        }
        if let firstNext {
            let milliseconds = (firstNext - spawnedAt) * 1_000
            print("packaged bootstrap: first /next \(String(format: "%.1f", milliseconds)) ms after spawn (unshare, mount -t proc and chroot included)")
        }

        let event: [String: Any] = [
            "version": "0", "id": "0d3c7f1e-5b7a-4c43-9a39-7f1c8e2b6a01",
            "detail-type": "order.created", "source": "demo.orders",
            "account": "123456789012", "time": "2026-11-25T18:43:48Z", "region": "us-east-1",
            "resources": [], "detail": ["order_id": 123, "price": 42],
        ]
        let invoked = try LoopbackHTTP.send("POST", "http://\(runtimeAPI)/2015-03-31/functions/function/invocations", json: event)
        let stderr = bootstrap.standardError
        try #require(invoked.status == 200, "invoke: HTTP \(invoked.status) \(invoked.text)\n\(stderr)")
        #expect(invoked.headers["x-amz-function-error"] == nil, "function error: \(invoked.text)\n\(stderr)")
        let answer = try invoked.jsonObject()
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        #expect(answer["first_time"] as? Bool == true, "\(answer)")
        #expect(answer["order_id"] as? String == "123", "\(answer)")
        #expect(answer["s3_key"] as? String == "raw/events/123.json", "\(answer)")

        let state = try LoopbackHTTP.send("GET", "\(admin)/state?table=\(Self.table)&bucket=\(Self.bucket)").jsonObject()
        let objects = state["objects"] as? [[String: Any]] ?? []
        let orderObjects = objects.filter { ($0["key"] as? String)?.hasPrefix("raw/events/") == true }
        #expect(orderObjects.count == 1, "objects: \(objects)")
        #expect(orderObjects.first?["key"] as? String == "raw/events/123.json", "objects: \(objects)")
        #expect((orderObjects.first?["versions"] as? [Any])?.count == 1, "objects: \(objects)")
        let items = state["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1, "items: \(items)")
        #expect((items.first?["status"] as? [String: Any])?["S"] as? String == "COMPLETED", "items: \(items)")
        #expect((items.first?["order_id"] as? [String: Any])?["S"] as? String == "123", "items: \(items)")
        #expect(bootstrap.isRunning, "the bootstrap should still be polling:\n\(bootstrap.standardError)")
    }

    @Test("finds its libraries without /proc too (the absolute /var/task/lib run path)")
    func loadsWithoutProc() async throws {
        let root = try await ChrootRoot(unpacking: PackageLayout.requireZip())
        defer { root.remove() }
        let chroot = try PackageLayout.requireTool("chroot", package: "coreutils")
        var executable = chroot
        var arguments = [root.url.path, "/var/task/bootstrap"]
        if geteuid() != 0 {
            executable = try PackageLayout.requireTool("unshare", package: "util-linux")
            arguments = ["--user", "--map-root-user", "--", chroot] + arguments
        }
        // No AWS_LAMBDA_RUNTIME_API: once every library is loaded, main() says so and exits.
        let finished = try await Subprocess.run(executable, arguments,
                                          environment: ["LD_LIBRARY_PATH": ChrootRoot.lambdaLibraryPath],
                                          timeout: .seconds(30))
        #expect(!finished.standardError.contains("error while loading shared libraries"), "\(finished.output)")
        #expect(finished.status != 127, "\(ChrootRoot.privilegeHint)\n\(finished.output)")
        #expect(finished.standardError.contains("AWS_LAMBDA_RUNTIME_API"), "\(finished.output)")
    }
}

/// CLOCK_MONOTONIC in seconds: the clock the emulator's `first_next_monotonic` (Python's
/// time.monotonic) reads.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
