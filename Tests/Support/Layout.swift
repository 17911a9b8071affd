import Foundation

/// Where the package, its scripts and the built `bootstrap` are.
package enum Layout {
    /// The package root: this file is Tests/Support/Layout.swift.
    package static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    package static func script(_ name: String) -> String {
        packageRoot.appendingPathComponent("scripts/lib/\(name)").path
    }

    package static var eventsDirectory: URL {
        packageRoot.appendingPathComponent("events")
    }

    /// The real `bootstrap` binary: `BOOTSTRAP_BINARY` when set, else the one `swift build` put next
    /// to this test bundle (scripts/test builds it before `swift test`).
    package static func bootstrapBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["BOOTSTRAP_BINARY"], !path.isEmpty { return path }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [testBinary.deletingLastPathComponent().appendingPathComponent("bootstrap").path]
        // On some toolchains the test runner lives inside `<name>.xctest/…`; look one level up too.
        candidates.append(testBinary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("bootstrap").path)
        candidates.append(packageRoot.appendingPathComponent(".build/debug/bootstrap").path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw TestSetupError("no bootstrap binary found (looked at \(candidates.joined(separator: ", "))); run `swift build --product bootstrap` first or set BOOTSTRAP_BINARY")
    }

    /// The environment for the harness's child processes: the test runner's, without proxy
    /// settings (everything is on loopback, and a proxy from the developer's shell must not reroute it).
    package static var childEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            environment[name] = nil
        }
        environment["PYTHONUNBUFFERED"] = "1"
        return environment
    }
}
