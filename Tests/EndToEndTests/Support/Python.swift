import Foundation

/// Starts the project's Python tools from scripts/lib.
enum Python {
    static var executable: String {
        for candidate in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(candidate)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/bin/python3"
    }

    /// Starts a tool and parses its ready line.
    static func startTool(_ script: String, _ arguments: [String]) throws -> (ChildProcess, [String: Any]) {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        // Loopback only: a proxy setting from the developer's shell must not reroute the stack.
        for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            environment[name] = nil
        }
        let child = try ChildProcess(name: script, executable: executable,
                                     arguments: [Layout.script(script)] + arguments + ["--exit-on-stdin-eof"],
                                     environment: environment)
        let line = try child.firstLine()
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestSetupError("\(script) printed an unexpected ready line: \(line)")
        }
        return (child, object)
    }
}
