@testable import HTTP
import Testing

/// The response parser on bytes, fed whole and in every split: what the connection hands it.
@Suite("HTTPResponseParser")
struct HTTPResponseParserTests {
    /// Parses `text` fed in pieces cut at `cuts`, then the end of the connection when `close` says.
    static func parse(_ text: String, cuts: [Int] = [], bodyExpected: Bool = true, close: Bool = false) throws(HTTPError) -> HTTPResponseParser {
        let bytes = Array(text.utf8)
        var parser = HTTPResponseParser(bodyExpected: bodyExpected)
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            let piece = Array(bytes[start..<end])
            try piece.withUnsafeBufferPointer { buffer throws(HTTPError) in try parser.consume(buffer) }
            start = end
        }
        if close { try parser.finish() }
        return parser
    }

    static func failure(_ text: String, bodyExpected: Bool = true, close: Bool = false) -> HTTPError? {
        do {
            _ = try parse(text, bodyExpected: bodyExpected, close: close)
            return nil
        } catch {
            return error
        }
    }

    @Test("status, fields and a Content-Length body, complete and kept alive")
    func contentLength() throws {
        let parser = try Self.parse("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello")
        #expect(parser.isComplete)
        #expect(parser.status == 201)
        #expect(parser.headers == [HTTPHeader("content-length", "5"), HTTPHeader("x-a", "1")])
        #expect(parser.body == Array("hello".utf8))
        #expect(parser.keepAlive)
    }

    @Test("names are lower-cased by bytes; values lose spaces, tabs and the CR LF around them")
    func fieldParsing() throws {
        let parser = try Self.parse("HTTP/1.1 200 OK\r\nContent-TYPE:\t application/json \r\nX-É: é\r\nContent-Length: 0\r\n\r\n")
        #expect(parser.headers == [HTTPHeader("content-type", "application/json"), HTTPHeader("x-É", "é"), HTTPHeader("content-length", "0")])
    }

    @Test("a field line without a colon is ignored; bare LF line ends are taken")
    func ignoredLines() throws {
        let parser = try Self.parse("HTTP/1.1 200 OK\ngarbage\nA: 1\nContent-Length: 2\n\nok")
        #expect(parser.headers == [HTTPHeader("a", "1"), HTTPHeader("content-length", "2")])
        #expect(parser.body == Array("ok".utf8))
    }

    @Test("a folded line continues the previous value with one space; one before any field is dropped")
    func folding() throws {
        let parser = try Self.parse("HTTP/1.1 204 No Content\r\n orphan\r\nA: x\r\n  y \r\n\tz\r\n   \r\nB:\r\n w\r\n\r\n")
        #expect(parser.headers == [HTTPHeader("a", "x y z"), HTTPHeader("b", "w")])
        #expect(parser.isComplete)
    }

    @Test("interim 1xx responses are skipped: status and fields are the final response's")
    func interim() throws {
        let parser = try Self.parse("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nX-Final: 2\r\nContent-Length: 0\r\n\r\n")
        #expect(parser.status == 200)
        #expect(parser.headers == [HTTPHeader("x-final", "2"), HTTPHeader("content-length", "0")])
    }

    @Test("a chunked body is decoded: extensions ignored, trailer fields skipped, upper and lower case hex")
    func chunked() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n5;ext=1\r\nhello\r\nA \r\n, chunked!\r\nb\r\n and more..\r\n0\r\nX-Trailer: t\r\n\r\n"
        let parser = try Self.parse(text)
        #expect(parser.isComplete)
        #expect(String(decoding: parser.body, as: UTF8.self) == "hello, chunked! and more..")
        #expect(parser.keepAlive)
    }

    @Test("every way of cutting a response into two pieces, and byte by byte, gives the same result")
    func everySplit() throws {
        let responses = [
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nA: b\r\n c\r\n\r\n0123456789",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x\r\nde\r\n0\r\nT: 1\r\n\r\n",
        ]
        for text in responses {
            let whole = try Self.parse(text)
            let count = text.utf8.count
            for cut in 0...count {
                let split = try Self.parse(text, cuts: [cut])
                #expect(split.isComplete && split.status == whole.status && split.headers == whole.headers && split.body == whole.body, "cut at \(cut)")
            }
            let bytewise = try Self.parse(text, cuts: Array(1..<count))
            #expect(bytewise.isComplete && bytewise.body == whole.body && bytewise.headers == whole.headers)
        }
    }

    @Test("no body for HEAD, 204 and 304, whatever the fields say")
    func noBody() throws {
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", bodyExpected: false).isComplete)
        #expect(try Self.parse("HTTP/1.1 204 No Content\r\nContent-Length: 42\r\n\r\n").isComplete)
        #expect(try Self.parse("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n").isComplete)
    }

    @Test("without a length the body runs to the end of the connection, which is then not kept")
    func untilClose() throws {
        var parser = try Self.parse("HTTP/1.1 200 OK\r\nX: y\r\n\r\npart one, ")
        #expect(!parser.isComplete)
        try Array("part two".utf8).withUnsafeBufferPointer { buffer throws(HTTPError) in try parser.consume(buffer) }
        try parser.finish()
        #expect(parser.isComplete)
        #expect(String(decoding: parser.body, as: UTF8.self) == "part one, part two")
        #expect(!parser.keepAlive)
    }

    @Test("keep-alive: HTTP/1.1 unless Connection says close; HTTP/1.0 only when it says keep-alive", arguments: [
        ("HTTP/1.1 200 OK\r\n", true), ("HTTP/1.1 200 OK\r\nConnection: Close\r\n", false),
        ("HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\n", false), ("HTTP/1.0 200 OK\r\n", false),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", true),
    ])
    func keepAlive(_ head: String, _ kept: Bool) throws {
        #expect(try Self.parse(head + "Content-Length: 0\r\n\r\n").keepAlive == kept)
    }

    @Test("the end of the connection before the end of the response is a broken connection, by libcurl's codes", arguments: [
        ("", Int32(52)), ("HTTP/1.1 200 OK\r\nContent-Le", 56), ("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 18),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 18),
    ])
    func cutShort(_ text: String, _ code: Int32) throws {
        let error = try #require(Self.failure(text, close: true))
        guard case .transport(let curlCode, let message) = error.code else { Issue.record("\(error)"); return }
        #expect(curlCode == code, "\(message)")
        #expect(error.isConnectionFailure)
    }

    @Test("what is not an HTTP/1.x response is an error naming what was expected and what came", arguments: [
        ("SSH-2.0-OpenSSH_9.2\r\n", "an HTTP/1.x status line, got \"SSH-2.0-OpenSSH_9.2\""),
        ("HTTP/2 200\r\n", "an HTTP/1.x status line"), ("HTTP/1.1 2000 OK\r\n", "an HTTP/1.x status line"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n", "a decimal Content-Length, got \"12x\""),
        ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "one Content-Length, got 3 and 4"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a hexadecimal chunk size, got \"zz\""),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", "CR LF after a chunk's data, got \"b\""),
        ("HTTP/1.1 200 OK\r\n\u{1b}[31m: x\r\nContent-Length: 1x\r\n\r\n", "a decimal Content-Length, got \"1x\""),
    ])
    func malformed(_ text: String, _ expected: String) throws {
        let error = try #require(Self.failure(text))
        #expect(error.description.contains("expected " + expected), "\(error)")
        #expect(!error.isConnectionFailure && !error.isTimeout)
    }

    @Test("control bytes in what came are escaped in the message")
    func escapedExcerpt() throws {
        let error = try #require(Self.failure("\u{1b}]0;owned\u{07}\r\n"))
        #expect(error.description.contains("\\x1b]0;owned\\x07"), "\(error)")
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("a head over 100 KiB and a body over 64 MiB are refused before they are read whole")
    func bounds() throws {
        let longHead = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: HTTPResponseParser.headLimit) + "\r\n\r\n"
        #expect(try #require(Self.failure(longHead)).description.contains("a response head over 100 KiB"))
        let bigLength = "HTTP/1.1 200 OK\r\nContent-Length: \(HTTPResponseParser.bodyLimit + 1)\r\n\r\n"
        #expect(try #require(Self.failure(bigLength)).description.contains("exceeds 64 MiB"))
        let bigChunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n"
        #expect(try #require(Self.failure(bigChunk)).description.contains("exceeds 64 MiB"))
    }

    @Test("bytes after a complete response make the connection unfit for the next request")
    func trailingBytes() throws {
        let parser = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n")
        #expect(parser.isComplete)
        #expect(parser.body == Array("ok".utf8))
        #expect(!parser.keepAlive)
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
