import Foundation

/// Where the package, its scripts, the template and the packaged zip are.
enum PackageLayout {
    /// The package root: this file is Tests/PackagingTests/PackageLayout.swift, three levels down.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/lambda/bootstrap.zip`, what scripts/package writes.
    static var zip: URL { root.appendingPathComponent(".build/lambda/bootstrap.zip") }

    static var packageScript: String { root.appendingPathComponent("scripts/package").path }

    static var template: String { root.appendingPathComponent("template.yaml").path }

    /// A helper in scripts/lib.
    static func libScript(_ name: String) -> String {
        root.appendingPathComponent("scripts/lib/\(name)").path
    }

    /// The zip, or a failure that says how to make it.
    static func requireZip() throws -> URL {
        guard FileManager.default.fileExists(atPath: zip.path) else {
            throw PackagingTestError("\(zip.path) is missing: run scripts/package first (scripts/test does)")
        }
        return zip
    }

    /// The first executable called `name` on PATH, then in the sbin directories (chroot lives there).
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Like ``tool(_:)``, failing with the Debian package to install.
    static func requireTool(_ name: String, package: String) throws -> String {
        guard let path = tool(name) else {
            throw PackagingTestError("\(name) is not installed (Debian package \(package)); scripts/test installs it")
        }
        return path
    }

    /// The environment for child processes: ours, without proxy settings (everything is on loopback).
    static var childEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            environment[name] = nil
        }
        environment["PYTHONUNBUFFERED"] = "1"
        return environment
    }
}

/// Something a packaging test could not do or found wrong, with the details to act on.
struct PackagingTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
