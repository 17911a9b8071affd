import Foundation
import Testing
import TestSupport

/// scripts/package: idempotent, and clear about a missing tool.
///
/// These runs use `--no-build`: `swift test` holds the package's build lock, so a `swift build`
/// from inside a test would wait for ever; scripts/test runs scripts/package (with the build)
/// before `swift test`, and these tests repackage that build.
@Suite("scripts/package", .serialized)
struct PackageScriptTests {
    @Test("running it twice gives the same zip, with the loader and run path set in bootstrap")
    func idempotent() throws {
        _ = try PackageLayout.requireZip()
        let bash = try PackageLayout.requireTool("bash", package: "bash")
        let first = try ChildProcess.run(bash, [PackageLayout.packageScript, "--no-install", "--no-build"])
        try #require(first.status == 0, "first run failed:\n\(first.output)")
        let firstListing = try zipListing()
        let firstBytes = try Data(contentsOf: PackageLayout.zip)
        let second = try ChildProcess.run(bash, [PackageLayout.packageScript, "--no-install", "--no-build"])
        try #require(second.status == 0, "second run failed:\n\(second.output)")
        let secondListing = try zipListing()

        #expect(firstListing == secondListing)
        #expect(try Data(contentsOf: PackageLayout.zip) == firstBytes, "the zip should be byte for byte the same (fixed times, sorted entries)")
        #expect(firstListing.contains("bootstrap"))
        #expect(firstListing.contains("lib/ld-linux-x86-64.so.2"))
        for library in ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1"] {
            #expect(firstListing.contains("lib/\(library)"), "lib/\(library) missing from \(firstListing)")
        }
        // libcurl, OpenSSL and zlib are linked in: no libcurl dependency tree to carry or load.
        #expect(!firstListing.contains { $0.contains("libcurl") || $0.contains("libssl") || $0.contains("libcrypto") }, "\(firstListing)")
        #expect(firstListing.allSatisfy { $0 == "bootstrap" || $0.hasPrefix("lib/") }, "\(firstListing)")
        #expect(second.standardError.contains("bootstrap.zip"), "the script should say what it wrote:\n\(second.output)")

        // The zip's bootstrap: our loader, DT_RPATH (not DT_RUNPATH) $ORIGIN/lib first.
        let unzip = try PackageLayout.requireTool("unzip", package: "unzip")
        let readelf = try PackageLayout.requireTool("readelf", package: "binutils")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("packaged-elf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let unzipped = try ChildProcess.run(unzip, ["-q", PackageLayout.zip.path, "bootstrap", "lib/libstdc++.so.6", "-d", directory.path])
        try #require(unzipped.status == 0, "\(unzipped.output)")
        let bootstrap = directory.appendingPathComponent("bootstrap").path
        #expect(FileManager.default.isExecutableFile(atPath: bootstrap), "bootstrap must keep its execute bit")
        let headers = try ChildProcess.run(readelf, ["-l", bootstrap])
        #expect(headers.standardOutput.contains("[Requesting program interpreter: /var/task/lib/ld-linux-x86-64.so.2]"), "\(headers.output)")
        let dynamic = try ChildProcess.run(readelf, ["-d", bootstrap]).standardOutput
        let rpath = dynamic.split(separator: "\n").first { $0.contains("(RPATH)") }.map(String.init) ?? ""
        #expect(rpath.contains("[$ORIGIN/lib:/var/task/lib]"), "\(dynamic)")
        #expect(!dynamic.contains("(RUNPATH)"), "a DT_RUNPATH would let Lambda's LD_LIBRARY_PATH win:\n\(dynamic)")
        #expect(!dynamic.contains("libswift"), "the Swift runtime must be linked statically:\n\(dynamic)")
        #expect(!dynamic.contains("libcurl") && !dynamic.contains("libcrypto"), "libcurl and OpenSSL are linked statically:\n\(dynamic)")
        let cxx = try ChildProcess.run(readelf, ["-d", directory.appendingPathComponent("lib/libstdc++.so.6").path]).standardOutput
        #expect(!cxx.contains("(RUNPATH)"), "a bundled DT_RUNPATH switches off the executable's DT_RPATH for its dependencies:\n\(cxx)")
    }

    @Test("a missing tool stops it with a message naming the tool and its Debian package")
    func missingTool() throws {
        let bash = try PackageLayout.requireTool("bash", package: "bash")
        // A PATH with every command of ours except patchelf.
        let shadow = FileManager.default.temporaryDirectory.appendingPathComponent("path-without-patchelf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: shadow, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: shadow) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var linked = Set<String>()
        for directory in path.split(separator: ":").map(String.init) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name != "patchelf" {
                guard linked.insert(name).inserted else { continue }
                try FileManager.default.createSymbolicLink(atPath: shadow.appendingPathComponent(name).path,
                                                           withDestinationPath: "\(directory)/\(name)")
            }
        }
        var environment = Layout.childEnvironment
        environment["PATH"] = shadow.path
        let before = try? Data(contentsOf: PackageLayout.zip)
        let finished = try ChildProcess.run(bash, [PackageLayout.packageScript, "--no-install"], environment: environment, timeout: .seconds(60))
        #expect(finished.status != 0, "\(finished.output)")
        #expect(finished.standardError.contains("patchelf"), "the message should name patchelf:\n\(finished.output)")
        #expect(finished.standardError.contains("Debian package: patchelf"), "\(finished.output)")
        #expect(!finished.standardError.contains("swift build"), "it should stop before building:\n\(finished.output)")
        #expect((try? Data(contentsOf: PackageLayout.zip)) == before, "a failed run must leave the zip alone")
    }

    /// The entries of the zip, in archive order.
    private func zipListing() throws -> [String] {
        let unzip = try PackageLayout.requireTool("unzip", package: "unzip")
        let listed = try ChildProcess.run(unzip, ["-Z1", PackageLayout.zip.path])
        guard listed.status == 0 else { throw TestSetupError("unzip -Z1 failed:\n\(listed.output)") }
        return listed.standardOutput.split(separator: "\n").map(String.init)
    }
}
