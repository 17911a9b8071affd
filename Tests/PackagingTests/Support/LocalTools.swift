import Foundation

/// One of the project's Python tools (scripts/lib), started with `--exit-on-stdin-eof` and known
/// by the JSON object it prints when ready.
struct LocalTool {
    let process: Subprocess
    let info: [String: Any]

    /// Starts `scripts/lib/<script>` and waits for its ready line.
    static func start(_ script: String, _ arguments: [String]) async throws -> LocalTool {
        guard let python = PackageLayout.tool("python3") else {
            throw PackagingTestError("python3 is not installed (Debian package python3); scripts/test installs it")
        }
        let process = try Subprocess(name: script, executable: python,
                                     arguments: [PackageLayout.libScript(script)] + arguments + ["--exit-on-stdin-eof"],
                                     environment: PackageLayout.childEnvironment)
        let line = try await process.firstLine()
        guard let info = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            process.stop()
            throw PackagingTestError("\(script) printed an unexpected ready line: \(line)\n\(process.standardError)")
        }
        return LocalTool(process: process, info: info)
    }

    /// A string from the ready line.
    func string(_ key: String) throws -> String {
        guard let value = info[key] as? String else {
            throw PackagingTestError("\(process.name)'s ready line has no \"\(key)\": \(info)")
        }
        return value
    }
}
