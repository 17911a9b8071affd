import Foundation
import TestSupport

/// The real `bootstrap` binary, serving an emulator's Runtime API.
final class BootstrapProcess {
    private let process: ChildProcess

    /// Starts the binary with exactly the given environment (nothing from the developer's shell,
    /// so a local ~/.aws or AWS_PROFILE cannot leak into a test).
    init(environment: [String: String]) throws {
        var environment = environment
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        process = try ChildProcess(name: "bootstrap", executable: try Layout.bootstrapBinary(), arguments: [],
                                   environment: environment)
    }

    deinit {
        process.stop()
    }

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }
    /// Everything the function logged (logs and EMF lines go to stderr).
    var logs: String { process.standardError }

    /// kill -9: the process dies mid-invocation, as a crashed or timed-out sandbox does.
    func crash() {
        process.kill()
    }

    func waitForExit(timeout: Duration = .seconds(15)) throws -> Int32 {
        try process.waitForExit(timeout: timeout)
    }

    func stop() {
        process.stop()
    }
}
