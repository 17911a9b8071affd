import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An otherwise empty root directory holding the unzipped package at `var/task`, as Lambda lays it
/// out, plus decoys where Lambda keeps its own libraries.
///
/// The decoys: Lambda's `LD_LIBRARY_PATH` starts with `/lib64:/usr/lib64`, where Amazon Linux keeps
/// its own glibc, OpenSSL and friends. Here those directories hold a junk file under the name of
/// every bundled library, and the bootstrap runs with Lambda's `LD_LIBRARY_PATH`: if the loader
/// looked there before `/var/task/lib` (a DT_RUNPATH instead of a DT_RPATH would), it would fail
/// with "file too short". No real library of this machine is present.
final class ChrootRoot {
    /// The root directory (what `chroot` gets).
    let url: URL
    /// The bundled library file names (`lib/` in the zip).
    let libraries: [String]

    /// Lambda's library path for OS-only runtimes (LAMBDA_RUNTIME_DIR=/var/runtime, LAMBDA_TASK_ROOT=/var/task).
    static let lambdaLibraryPath = "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"

    /// Unzips `zip` into a fresh root at `<root>/var/task`.
    /// - Throws: ``TestSetupError`` when unzip is missing or fails.
    init(unpacking zip: URL) throws {
        let unzip = try PackageLayout.requireTool("unzip", package: "unzip")
        url = FileManager.default.temporaryDirectory.appendingPathComponent("packaged-bootstrap-\(UUID().uuidString)", isDirectory: true)
        let task = url.appendingPathComponent("var/task", isDirectory: true)
        try FileManager.default.createDirectory(at: task, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: url.appendingPathComponent("proc"), withIntermediateDirectories: true)
        let unzipped = try ChildProcess.run(unzip, ["-q", zip.path, "-d", task.path], timeout: .seconds(60))
        guard unzipped.status == 0 else { throw TestSetupError("unzip failed (\(unzipped.status)):\n\(unzipped.output)") }
        libraries = try FileManager.default.contentsOfDirectory(atPath: task.appendingPathComponent("lib").path).sorted()
        for directory in ["lib64", "usr/lib64"] {
            let decoys = url.appendingPathComponent(directory, isDirectory: true)
            try FileManager.default.createDirectory(at: decoys, withIntermediateDirectories: true)
            for library in libraries {
                _ = FileManager.default.createFile(atPath: decoys.appendingPathComponent(library).path,
                                               contents: Data("decoy: not a shared library\n".utf8))
            }
        }
        chmod(url.path, 0o755)
    }

    /// Every file under the root, relative to it, sorted.
    func files() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: url.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// Removes the root. `proc` is only ever mounted inside the bootstrap's private mount namespace,
    /// which is gone once it exits; it is removed with rmdir, which refuses a mount point.
    func remove() {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] where entry != "proc" {
            try? FileManager.default.removeItem(at: url.appendingPathComponent(entry))
        }
        rmdir(url.appendingPathComponent("proc").path)
        rmdir(url.path)
    }

    /// The command that runs `/var/task/bootstrap` inside the root with `/proc` mounted (as on
    /// Lambda) in a private mount namespace, so nothing is left mounted when it exits.
    ///
    /// As root: `unshare --mount`, then `mount -t proc` and `chroot`. Otherwise: a user namespace
    /// mapping us to root, with its own PID namespace (mounting proc needs one).
    /// - Throws: ``TestSetupError`` when unshare, mount or chroot is not installed.
    func launchCommand() throws -> (executable: String, arguments: [String]) {
        let unshare = try PackageLayout.requireTool("unshare", package: "util-linux")
        let mount = try PackageLayout.requireTool("mount", package: "mount")
        let chroot = try PackageLayout.requireTool("chroot", package: "coreutils")
        let shell = try PackageLayout.requireTool("sh", package: "dash")
        let script = "\(mount) -t proc proc \"$1/proc\" && exec \(chroot) \"$1\" /var/task/bootstrap"
        let namespaces = geteuid() == 0
            ? ["--mount", "--propagation", "private"]
            : ["--user", "--map-root-user", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child"]
        return (unshare, namespaces + ["--", shell, "-c", script, "sh", url.path])
    }

    /// Words for a failure to enter the root, by who we are.
    static var privilegeHint: String {
        geteuid() == 0
            ? "running as root: unshare --mount, mount -t proc and chroot must work"
            : "not root: this needs unprivileged user namespaces (unshare --user --map-root-user); run the tests as root or enable them"
    }
}
