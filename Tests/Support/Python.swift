import Foundation

/// Starts the project's Python tools from scripts/lib.
package enum Python {
    package static var executable: String {
        for candidate in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(candidate)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/bin/python3"
    }

    /// Starts a tool and parses its ready line.
    package static func startTool(_ script: String, _ arguments: [String]) throws -> (ChildProcess, [String: Any]) {
        let child = try ChildProcess(name: script, executable: executable,
                                     arguments: [Layout.script(script)] + arguments + ["--exit-on-stdin-eof"],
                                     environment: Layout.childEnvironment)
        let line = try child.firstLine()
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestSetupError("\(script) printed an unexpected ready line: \(line)")
        }
        return (child, object)
    }
}
