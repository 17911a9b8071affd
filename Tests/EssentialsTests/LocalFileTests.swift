import Essentials
import Foundation
import Testing

@Suite("LocalFile")
struct LocalFileTests {
    @Test("a file is read whole, across many read(2) calls")
    func readsWhole() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("localfile-\(UUID().uuidString)")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try LocalFile.read(url.path) == bytes)
    }

    @Test("an empty file is no bytes")
    func empty() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("localfile-\(UUID().uuidString)")
        try Data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try LocalFile.read(url.path).isEmpty)
    }

    @Test("a missing file or a directory is an error naming the path and the system's reason", arguments: [
        ("/nonexistent/order.json", "cannot read /nonexistent/order.json: No such file or directory"),
        ("/", "cannot read /: Is a directory"),
    ])
    func errors(_ path: String, _ message: String) {
        #expect(throws: LocalFile.ReadError.self) { try LocalFile.read(path) }
        do {
            _ = try LocalFile.read(path)
        } catch {
            #expect(error.description == message)
            #expect(error.path == path)
        }
    }
}
