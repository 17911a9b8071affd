import Foundation

extension ChildProcess {
    /// What a command run to completion left.
    package struct Finished: Sendable {
        package let status: Int32
        package let standardOutput: String
        package let standardError: String

        /// Both streams, for failure messages.
        package var output: String { "stdout:\n\(standardOutput)\nstderr:\n\(standardError)" }
    }

    /// Runs a command to completion, its output going to files (nothing lost at exit, no pipe to fill).
    /// - Parameters:
    ///   - executable: Its path.
    ///   - arguments: Its arguments.
    ///   - environment: Its whole environment.
    ///   - timeout: The bound; past it the command is killed and this throws.
    /// - Returns: Its exit status and output.
    package static func run(_ executable: String, _ arguments: [String],
                            environment: [String: String] = Layout.childEnvironment,
                            timeout: Duration = .seconds(120)) throws -> Finished {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = Layout.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        let name = ([executable] + arguments).joined(separator: " ")
        do {
            try process.run()
        } catch {
            throw TestSetupError("could not start \(name): \(error)")
        }
        func read(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        do {
            try waitUntil("\(name) to exit", timeout: timeout) { !process.isRunning }
        } catch {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TestSetupError("\(error)\nstdout:\n\(read(stdoutURL))\nstderr:\n\(read(stderrURL))")
        }
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, standardOutput: read(stdoutURL), standardError: read(stderrURL))
    }
}
