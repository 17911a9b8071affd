import Foundation

/// Where the package, its scripts and the built `bootstrap` are.
enum Layout {
    /// The package root: this file is Tests/EndToEndTests/Support/Layout.swift.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func script(_ name: String) -> String {
        packageRoot.appendingPathComponent("scripts/lib/\(name)").path
    }

    static var eventsDirectory: URL {
        packageRoot.appendingPathComponent("events")
    }

    /// The real `bootstrap` binary: `BOOTSTRAP_BINARY` when set, else the one `swift build` put next
    /// to this test bundle (scripts/test builds it before `swift test`).
    static func bootstrapBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["BOOTSTRAP_BINARY"], !path.isEmpty { return path }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [testBinary.deletingLastPathComponent().appendingPathComponent("bootstrap").path]
        // On some toolchains the test runner lives inside `<name>.xctest/…`; look one level up too.
        candidates.append(testBinary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("bootstrap").path)
        candidates.append(packageRoot.appendingPathComponent(".build/debug/bootstrap").path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw TestSetupError("no bootstrap binary found (looked at \(candidates.joined(separator: ", "))); run `swift build --product bootstrap` first or set BOOTSTRAP_BINARY")
    }
}
