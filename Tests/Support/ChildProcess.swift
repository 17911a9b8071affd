import Foundation

/// A child process with its output captured: tools print one JSON "ready" line, logs go to stderr.
/// Its stdin stays open as a lifeline: the Python tools exit when it closes (`--exit-on-stdin-eof`),
/// so nothing outlives a test run that crashed.
package final class ChildProcess: @unchecked Sendable {
    package let name: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()

    package init(name: String, executable: String, arguments: [String], environment: [String: String]) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = Layout.packageRoot
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock { self.stdoutData.append(data) }
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock { self.stderrData.append(data) }
        }
        // The child inherits this thread's signal mask, and Swift's worker threads block SIGTERM:
        // the `bootstrap` would ignore stop()'s SIGTERM and every test would wait 2 s for SIGKILL.
        var sigterm = sigset_t()
        var previousMask = sigset_t()
        sigemptyset(&sigterm)
        sigaddset(&sigterm, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &sigterm, &previousMask)
        defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
        do {
            try process.run()
        } catch {
            throw TestSetupError("could not start \(name) (\(executable)): \(error)")
        }
    }

    deinit {
        stop()
    }

    package var pid: Int32 { process.processIdentifier }
    package var isRunning: Bool { process.isRunning }
    package var standardOutput: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    package var standardError: String { lock.withLock { String(decoding: stderrData, as: UTF8.self) } }

    /// The first line the process printed on stdout (the tools' ready line).
    package func firstLine(timeout: Duration = .seconds(30)) throws -> String {
        var line: String?
        try waitUntil("\(name) to print its ready line", timeout: timeout) {
            if let newline = lock.withLock({ stdoutData.firstIndex(of: UInt8(ascii: "\n")) }) {
                line = lock.withLock { String(decoding: stdoutData[..<newline], as: UTF8.self) }
                return true
            }
            if !process.isRunning {
                throw TestSetupError("\(name) exited with status \(process.terminationStatus) before it was ready:\n\(standardError)")
            }
            return false
        }
        return line ?? ""
    }

    /// Sends SIGKILL: a crash, as the tests mean it.
    package func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to exit.
    /// - Returns: Its exit status.
    package func waitForExit(timeout: Duration = .seconds(15)) throws -> Int32 {
        try waitUntil("\(name) to exit", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// Ends the process (closing its stdin first, then SIGKILL if it lingers).
    package func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(2)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        }
    }
}
