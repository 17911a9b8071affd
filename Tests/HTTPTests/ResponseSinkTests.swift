@testable import HTTP
import Testing

/// Header lines exactly as libcurl's header callback hands them over, one per call.
@Suite("ResponseSink")
struct ResponseSinkTests {
    static func headers(_ lines: [String]) -> [HTTPHeader] {
        let sink = ResponseSink()
        for line in lines {
            Array(line.utf8).withUnsafeBufferPointer { sink.takeHeaderLine($0) }
        }
        return sink.headers
    }

    @Test("names are lower-cased by bytes; values lose spaces, tabs and the CR LF around them")
    func parsing() {
        #expect(Self.headers(["HTTP/1.1 200 OK\r\n", "Content-TYPE:\t application/json \r\n", "X-É: é\r\n", "\r\n"])
            == [HTTPHeader("content-type", "application/json"), HTTPHeader("x-É", "é")])
    }

    @Test("a line without a colon, the blank line and an empty line are ignored")
    func ignored() {
        #expect(Self.headers(["HTTP/1.1 200 OK\r\n", "garbage\r\n", "", "\r\n", "A: 1\r\n"]) == [HTTPHeader("a", "1")])
    }

    @Test("a folded line continues the previous value with one space; one before any field is dropped")
    func folding() {
        #expect(Self.headers([" orphan\r\n", "A: x\r\n", "  y \r\n", "\tz\r\n", "   \r\n", "B:\r\n", " w\r\n"])
            == [HTTPHeader("a", "x y z"), HTTPHeader("b", "w")])
    }

    @Test("each status line starts over: headers of an interim or redirect response are dropped")
    func statusLineResets() {
        #expect(Self.headers(["HTTP/1.1 100 Continue\r\n", "X-Interim: 1\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "X-Final: 2\r\n"])
            == [HTTPHeader("x-final", "2")])
    }

    @Test("reset empties headers and body")
    func reset() {
        let sink = ResponseSink()
        Array("A: 1\r\n".utf8).withUnsafeBufferPointer { sink.takeHeaderLine($0) }
        sink.body = [1, 2]
        sink.reset()
        #expect(sink.headers.isEmpty)
        #expect(sink.body.isEmpty)
    }
}

@Suite("HTTPHeader")
struct HTTPHeaderTests {
    @Test("look-up ignores ASCII case only, and takes the first match", arguments: [
        ("content-type", "a"), ("CONTENT-TYPE", "a"), ("Content-Type", "a"), ("x-k", nil), ("content-typ", nil), ("content-typee", nil),
    ] as [(String, String?)])
    func lookUp(_ name: String, _ value: String?) {
        let headers = [HTTPHeader("Content-Type", "a"), HTTPHeader("content-type", "b"), HTTPHeader("X-K\u{212A}", "kelvin")]
        #expect(headers.value(for: name) == value)
    }

    @Test("a non-ASCII letter is not folded: the Kelvin sign is not a K")
    func noUnicodeFolding() {
        #expect([HTTPHeader("X-\u{212A}", "v")].value(for: "x-k") == nil)
        #expect(HTTPHeader("X-\u{212A}É", "v").lowercasedName == HTTPHeader("x-\u{212A}É", "v"))
    }

    @Test("the body as text replaces invalid UTF-8")
    func bodyText() {
        #expect(HTTPResponse(status: 200, headers: [], body: [0x6F, 0x6B, 0xFF]).bodyText == "ok\u{FFFD}")
    }
}
