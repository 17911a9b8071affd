#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Essentials
import Testing

@Suite("LogSink")
struct LogSinkTests {
    @Test("a descriptor sink writes each line whole with a newline, large lines included")
    func descriptor() async throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let readEnd = ends[0]
        defer { close(readEnd) }
        let long = String(repeating: "é", count: 20_000)  // 40 KB: more than one pipe buffer's worth of writes in a go
        let reader = Task.detached { () -> [UInt8] in
            var collected: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if count <= 0 { return collected }
                collected += chunk[..<count]
            }
        }
        let sink = LogSink.fileDescriptor(ends[1])
        sink.write("first line")
        sink.write(long)
        close(ends[1])
        let text = String(decoding: await reader.value, as: UTF8.self)
        #expect(text == "first line\n" + long + "\n")
    }

    @Test("a closure sink gets each line as written")
    func closure() {
        let lines = CollectingLogSink()
        lines.sink.write("a")
        lines.sink.write("b\tc")
        #expect(lines.lines == ["a", "b\tc"])
    }
}
