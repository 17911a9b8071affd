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

    @Test("lines written by many threads at once come out whole, each line once, lines far longer than PIPE_BUF included")
    func concurrentWriters() async throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let readEnd = ends[0]
        defer { close(readEnd) }
        let reader = Task.detached { () -> [UInt8] in
            var collected: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if count <= 0 { return collected }
                collected += chunk[..<count]
            }
        }
        let sink = LogSink.fileDescriptor(ends[1])
        let writers = 8
        let linesEach = 40
        // 20 000 bytes: five times PIPE_BUF, so one write(2) alone would not keep a line whole.
        @Sendable func line(_ writer: Int, _ index: Int) -> String {
            let tag = "w\(writer)-\(index):"
            return tag + String(repeating: Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(writer))), count: 20_000 - tag.utf8.count)
        }
        let threads = try (0..<writers).map { writer in
            try WorkerThread.start(name: "writer-\(writer)") {
                for index in 0..<linesEach { sink.write(line(writer, index)) }
            }
        }
        for thread in threads { thread.join() }
        close(ends[1])
        let text = String(decoding: await reader.value, as: UTF8.self)
        let written = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(written.count == writers * linesEach)
        let expected = Set((0..<writers).flatMap { writer in (0..<linesEach).map { line(writer, $0) } })
        #expect(Set(written) == expected, "every line arrives whole, none mixed with another")
        for writer in 0..<writers {
            let own = written.filter { $0.hasPrefix("w\(writer)-") }
            #expect(own == (0..<linesEach).map { line(writer, $0) }, "one writer's lines keep their order")
        }
    }
}
