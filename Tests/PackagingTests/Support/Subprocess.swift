import Foundation

/// A child process whose stdout and stderr go to files (no pipe to fill up, nothing lost at exit),
/// and whose stdin stays an open pipe until ``stop()``: the Python tools exit when it closes
/// (`--exit-on-stdin-eof`), so nothing outlives a test run that crashed.
final class Subprocess: @unchecked Sendable {
    /// What a finished process left.
    struct Finished {
        let status: Int32
        let standardOutput: String
        let standardError: String

        /// Both streams, for failure messages.
        var output: String { "stdout:\n\(standardOutput)\nstderr:\n\(standardError)" }
    }

    let name: String
    private let process = Process()
    private let input = Pipe()
    private let directory: URL
    private let stdoutURL: URL
    private let stderrURL: URL

    /// Starts a process.
    /// - Parameters:
    ///   - name: What to call it in messages.
    ///   - executable: Its path.
    ///   - arguments: Its arguments.
    ///   - environment: Its whole environment.
    ///   - currentDirectory: Where it runs (the package root by default).
    /// - Throws: ``PackagingTestError`` when it cannot be started.
    init(name: String, executable: String, arguments: [String], environment: [String: String],
         currentDirectory: URL = PackageLayout.root) throws {
        self.name = name
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("packaging-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdoutURL = directory.appendingPathComponent("stdout")
        stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = currentDirectory
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        do {
            try process.run()
        } catch {
            throw PackagingTestError("could not start \(name) (\(executable)): \(error)")
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var isRunning: Bool { process.isRunning }
    var standardOutput: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The first line the process printed on stdout (the tools' ready line).
    /// - Throws: ``PackagingTestError`` when it exits first or the bound passes.
    func firstLine(timeout: Duration = .seconds(30)) async throws -> String {
        var line = ""
        try await waitUntil("\(name) to print its ready line", timeout: timeout) {
            let text = standardOutput
            if let newline = text.firstIndex(of: "\n") {
                line = String(text[..<newline])
                return true
            }
            if !process.isRunning {
                throw PackagingTestError("\(name) exited with status \(process.terminationStatus) before it was ready:\n\(standardError)")
            }
            return false
        }
        return line
    }

    /// Waits for the process to exit on its own.
    /// - Returns: Its exit status and output.
    /// - Throws: ``PackagingTestError`` when the bound passes (the process is then killed).
    func waitForExit(timeout: Duration) async throws -> Finished {
        do {
            try await waitUntil("\(name) to exit", timeout: timeout) { !process.isRunning }
        } catch {
            stop()
            throw PackagingTestError("\(error)\n\(Finished(status: -1, standardOutput: standardOutput, standardError: standardError).output)")
        }
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, standardOutput: standardOutput, standardError: standardError)
    }

    /// Ends the process: closes its stdin, then SIGTERM, then SIGKILL if it lingers.
    func stop() {
        try? input.fileHandleForWriting.close()
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(3)
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs a command to completion.
    /// - Returns: Its exit status and output.
    /// - Throws: ``PackagingTestError`` when it cannot start or outlives `timeout`.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = PackageLayout.childEnvironment,
                    currentDirectory: URL = PackageLayout.root, timeout: Duration = .seconds(120)) async throws -> Finished {
        let child = try Subprocess(name: ([executable] + arguments).joined(separator: " "), executable: executable,
                                   arguments: arguments, environment: environment, currentDirectory: currentDirectory)
        try? child.input.fileHandleForWriting.close()   // nothing to read: EOF at once
        return try await child.waitForExit(timeout: timeout)
    }
}

/// Polls a condition until it holds or the bound passes: tests wait on conditions, never on sleeps.
/// Between polls it suspends (no thread is blocked, so other tests run meanwhile).
/// - Throws: ``PackagingTestError`` when the bound passes first, or whatever the condition throws.
func waitUntil(_ description: String, timeout: Duration, interval: Duration = .milliseconds(10),
               _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() { return }
        if ContinuousClock.now >= deadline { throw PackagingTestError("timed out after \(timeout) waiting for \(description)") }
        try await Task.sleep(for: interval)
    }
}
