import Foundation
import TestSupport

/// Where the package, its scripts, the template and the packaged zip are.
enum PackageLayout {
    /// The package root.
    static var root: URL { Layout.packageRoot }

    /// `.build/lambda/bootstrap.zip`, what scripts/package writes.
    static var zip: URL { root.appendingPathComponent(".build/lambda/bootstrap.zip") }

    static var packageScript: String { root.appendingPathComponent("scripts/package").path }

    static var template: String { root.appendingPathComponent("template.yaml").path }

    /// The zip, or a failure that says how to make it.
    static func requireZip() throws -> URL {
        guard FileManager.default.fileExists(atPath: zip.path) else {
            throw TestSetupError("\(zip.path) is missing: run scripts/package first (scripts/test does)")
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
            throw TestSetupError("\(name) is not installed (Debian package \(package)); scripts/test installs it")
        }
        return path
    }
}
