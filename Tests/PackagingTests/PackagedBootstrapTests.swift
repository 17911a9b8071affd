import Foundation
import JSON
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The deployment zip, unzipped into an empty root and run under chroot with none of this
/// machine's libraries: what Lambda does with it, minus Amazon Linux.
@Suite("Packaged bootstrap (.build/lambda/bootstrap.zip alone in a chroot)", .serialized)
struct PackagedBootstrapTests {
    @Test("serves an invocation from the Runtime API emulator and writes the order to moto")
    func servesAnInvocationInAChroot() throws {
        let root = try ChrootRoot(unpacking: PackageLayout.requireZip())
        defer { root.remove() }
        let files = root.files()
        #expect(files.contains("var/task/bootstrap"))
        #expect(files.contains("var/task/lib/ld-linux-x86-64.so.2"))
        // Nothing but the package and the decoys: no loader, libc or anything else of this machine.
        let foreign = files.filter { !$0.hasPrefix("var/task/") && !$0.hasPrefix("lib64/") && !$0.hasPrefix("usr/lib64/") }
        #expect(foreign.isEmpty, "unexpected files in the root: \(foreign)")

        let stack = try LocalStack.shared()
        let suffix = UUID().uuidString.lowercased().prefix(8)
        let table = "packaged-\(suffix)", bucket = "packaged-\(suffix)"
        try stack.createResources(table: table, bucket: bucket, versioning: true)
        let emulator = try RuntimeEmulator(timeoutMilliseconds: 10_000)
        let runtimeAPI = emulator.runtimeAPI

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
            "AWS_REGION": stack.region,
            "AWS_ACCESS_KEY_ID": stack.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": stack.secretAccessKey,
            "AWS_ENDPOINT_URL": stack.endpoint,
            "BUCKET": bucket,
            "TABLE": table,
        ]
        let command = try root.launchCommand()
        let spawnedAt = monotonicSeconds()
        let bootstrap = try ChildProcess(name: "packaged bootstrap", executable: command.executable,
                                         arguments: command.arguments, environment: environment)
        defer { bootstrap.stop() }

        var firstNext: Double?
        try waitUntil("the packaged bootstrap to poll /next", timeout: .seconds(30)) {
            guard bootstrap.isRunning else {
                throw TestSetupError("""
                    the packaged bootstrap exited before polling /next (\(ChrootRoot.privilegeHint)):
                    \(bootstrap.standardError)
                    """)
            }
            firstNext = try emulator.state()["first_next_monotonic"]?.numberValue?.doubleValue
            return firstNext != nil
        }
        if let firstNext {
            let milliseconds = (firstNext - spawnedAt) * 1_000
            print("packaged bootstrap: first /next \(String(format: "%.1f", milliseconds)) ms after spawn (unshare, mount -t proc and chroot included)")
        }

        let event: JSONValue = [
            "version": "0", "id": "0d3c7f1e-5b7a-4c43-9a39-7f1c8e2b6a01",
            "detail-type": "order.created", "source": "demo.orders",
            "account": "123456789012", "time": "2026-11-25T18:43:48Z", "region": "us-east-1",
            "resources": [], "detail": ["order_id": 123, "price": 42],
        ]
        let invoked = try emulator.invoke(event)
        let stderr = bootstrap.standardError
        try #require(invoked.status == 200, "invoke: HTTP \(invoked.status) \(invoked.text)\n\(stderr)")
        #expect(invoked.functionError == nil, "function error: \(invoked.text)\n\(stderr)")
        let answer = try #require(invoked.body)
        #expect(answer["ok"]?.boolValue == true, "\(invoked.text)")
        #expect(answer["first_time"]?.boolValue == true, "\(invoked.text)")
        #expect(answer["order_id"]?.stringValue == "123", "\(invoked.text)")
        #expect(answer["s3_key"]?.stringValue == "raw/events/123.json", "\(invoked.text)")

        let state = try stack.state(table: table, bucket: bucket)
        let orderKeys = state.objectKeys.filter { $0.hasPrefix("raw/events/") }
        #expect(orderKeys == ["raw/events/123.json"], "objects: \(state.objectKeys)")
        #expect(state.versions(of: "raw/events/123.json").count == 1, "objects: \(state.objectKeys)")
        #expect(state.items.count == 1, "items: \(state.items.map { $0.serialized() })")
        #expect(state.attribute("status", of: "123") == "COMPLETED", "items: \(state.items.map { $0.serialized() })")
        #expect(bootstrap.isRunning, "the bootstrap should still be polling:\n\(bootstrap.standardError)")
    }

    @Test("finds its libraries without /proc too (the absolute /var/task/lib run path)")
    func loadsWithoutProc() throws {
        let root = try ChrootRoot(unpacking: PackageLayout.requireZip())
        defer { root.remove() }
        let chroot = try PackageLayout.requireTool("chroot", package: "coreutils")
        var executable = chroot
        var arguments = [root.url.path, "/var/task/bootstrap"]
        if geteuid() != 0 {
            executable = try PackageLayout.requireTool("unshare", package: "util-linux")
            arguments = ["--user", "--map-root-user", "--", chroot] + arguments
        }
        // No AWS_LAMBDA_RUNTIME_API: once every library is loaded, main() says so and exits.
        let finished = try ChildProcess.run(executable, arguments,
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
