/// Reads one HTTP/1.1 response (RFC 9112) from a connection's bytes, fed in pieces of any size as
/// they arrive: the status line and fields, interim `1xx` responses skipped, then the body as
/// `Content-Length`, chunked transfer coding or the connection's end delimits it.
///
/// Memory is bounded: the head (and a chunked body's trailer) at 100 KiB, as libcurl bounds it,
/// the body at 64 MiB (the Runtime API's largest event is 6 MB). Errors carry the libcurl code
/// libcurl gives for the same failure, so callers classify them as before.
struct HTTPResponseParser {
    static let headLimit = 100 * 1024
    static let bodyLimit = 64 * 1024 * 1024
    private static let chunkLineLimit = 4 * 1024

    /// The final status code, once the head is read.
    private(set) var status = 0
    /// The final response's fields: names lower-cased by bytes, values trimmed, folded lines joined.
    private(set) var headers: [HTTPHeader] = []
    private(set) var body: [UInt8] = []
    /// Whether the connection may carry the next request once this response is complete.
    private(set) var keepAlive = true
    /// Every byte fed so far, heads included.
    private(set) var received = 0

    private enum Stage {
        case statusLine
        case fields
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailer
        case untilClose
        case complete
    }

    private var stage = Stage.statusLine
    /// The line being read (status line, field, chunk size, trailer), without its line end.
    private var line: [UInt8] = []
    private var headBytes = 0
    private let bodyExpected: Bool
    private var contentLength: Int?
    private var chunked = false
    private var transferEncoded = false
    private var isHTTP10 = false
    private var connectionClose = false
    private var connectionKeepAlive = false

    /// - Parameter bodyExpected: `false` for the response to a `HEAD`, which has none whatever its
    ///   fields say.
    init(bodyExpected: Bool) {
        self.bodyExpected = bodyExpected
        headers.reserveCapacity(16)   // AWS answers carry 6–12 fields: one allocation, not five
    }

    /// The response is complete: nothing more is to be read for it.
    var isComplete: Bool {
        if case .complete = stage { return true }
        return false
    }

    /// Takes the next bytes of the connection.
    /// - Throws: ``HTTPError`` naming what was expected and what came, for a response that is not
    ///   HTTP/1.x, conflicting lengths, a bad chunk, or a head or body over its bound.
    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        received += bytes.count
        var index = 0
        while index < bytes.count {
            switch stage {
            case .statusLine, .fields, .chunkSize, .chunkEnd, .trailer:
                guard let end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else {
                    try appendToLine(UnsafeBufferPointer(rebasing: bytes[index...]))
                    return
                }
                if line.isEmpty {
                    // The whole line is in this piece: read it where it is.
                    try checkLineLength(end - index)
                    try takeLine(Self.withoutCR(UnsafeBufferPointer(rebasing: bytes[index..<end])))
                } else {
                    try appendToLine(UnsafeBufferPointer(rebasing: bytes[index..<end]))
                    let whole = line
                    line.removeAll(keepingCapacity: true)
                    try whole.withUnsafeBufferPointer { buffer throws(HTTPError) in try takeLine(Self.withoutCR(buffer)) }
                }
                index = end + 1
            case .fixedBody(let remaining):
                let count = min(remaining, bytes.count - index)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<index + count]))
                index += count
                stage = count == remaining ? .complete : .fixedBody(remaining: remaining - count)
            case .chunkData(let remaining):
                let count = min(remaining, bytes.count - index)
                try appendToBody(UnsafeBufferPointer(rebasing: bytes[index..<index + count]))
                index += count
                stage = count == remaining ? .chunkEnd : .chunkData(remaining: remaining - count)
            case .untilClose:
                try appendToBody(UnsafeBufferPointer(rebasing: bytes[index...]))
                return
            case .complete:
                // Bytes after a complete response: nothing was asked for them, so the connection's
                // framing cannot be trusted any more.
                keepAlive = false
                return
            }
        }
    }

    /// The connection ended (the peer closed it). Completes a response delimited by the close.
    /// - Throws: ``HTTPError``: libcurl's 52 when nothing came at all, 56 for a cut head, 18 for a
    ///   cut body; all of them mean a broken connection to callers.
    mutating func finish() throws(HTTPError) {
        keepAlive = false
        switch stage {
        case .complete:
            return
        case .untilClose:
            stage = .complete
        case .statusLine where received == 0:
            throw HTTPError(.transport(curlCode: 52, message: "Empty reply from server"))
        case .statusLine, .fields:
            throw HTTPError(.transport(curlCode: 56, message: "the connection closed after \(received) bytes, in the middle of the response head"))
        case .fixedBody(let remaining):
            throw HTTPError(.transport(curlCode: 18, message: "transfer closed with \(remaining) bytes remaining to read"))
        case .chunkSize, .chunkData, .chunkEnd, .trailer:
            throw HTTPError(.transport(curlCode: 18, message: "transfer closed with outstanding read data remaining"))
        }
    }

    /// A line without the CR of its CR LF.
    private static func withoutCR(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        line.last == UInt8(ascii: "\r") ? UnsafeBufferPointer(rebasing: line.dropLast()) : line
    }

    /// Keeps the start of a line that goes on in the next piece.
    private mutating func appendToLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        try checkLineLength(line.count + bytes.count)
        line.append(contentsOf: bytes)
    }

    private func checkLineLength(_ length: Int) throws(HTTPError) {
        switch stage {
        case .chunkSize, .chunkEnd:
            if length > Self.chunkLineLimit {
                throw Self.weird("a chunk-size line over \(Self.chunkLineLimit) bytes")
            }
        default:
            if headBytes + length > Self.headLimit {
                throw Self.weird("a response head over \(Self.headLimit / 1024) KiB")
            }
        }
    }

    private mutating func appendToBody(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        guard body.count + bytes.count <= Self.bodyLimit else {
            throw HTTPError(.transport(curlCode: 63, message: "the response body exceeds \(Self.bodyLimit / (1024 * 1024)) MiB"))
        }
        body.append(contentsOf: bytes)
    }

    private mutating func takeLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        headBytes += line.count + 2
        switch stage {
        case .statusLine:
            try takeStatusLine(line)
            stage = .fields
        case .fields where line.isEmpty:
            try endOfHead()
        case .fields:
            try takeField(line)
        case .chunkSize:
            try takeChunkSize(line)
        case .chunkEnd:
            guard line.isEmpty else { throw Self.weird("CR LF after a chunk's data, got \(HeaderBytes.quoted(line))") }
            stage = .chunkSize
        case .trailer:
            // Trailer fields carry nothing the callers use; the empty line ends the message.
            if line.isEmpty { stage = .complete }
        default:
            break
        }
    }

    /// `HTTP/1.1 200 OK` (RFC 9112 §4): the version, a space, three digits, then anything.
    private mutating func takeStatusLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        let prefix = "HTTP/1.".utf8
        let digits = line.dropFirst(prefix.count + 2).prefix(3)
        guard line.starts(with: prefix), line.count >= prefix.count + 5,
              line[prefix.count] == UInt8(ascii: "0") || line[prefix.count] == UInt8(ascii: "1"),
              line[prefix.count + 1] == UInt8(ascii: " "),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              line.count == prefix.count + 5 || line[prefix.count + 5] == UInt8(ascii: " ") else {
            throw Self.weird("an HTTP/1.x status line, got \(HeaderBytes.quoted(line))")
        }
        isHTTP10 = line[prefix.count] == UInt8(ascii: "0")
        status = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// One field line. A line starting with whitespace continues the previous field's value
    /// (obs-fold, RFC 9112 §5.2), joined with one space; a line without a colon is ignored. The
    /// fields that delimit the body are read here, while their bytes are at hand.
    private mutating func takeField(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        if line[0] == 0x20 || line[0] == 0x09 {
            let piece = HeaderBytes.trimmed(line, from: 0, to: line.count)
            guard !piece.isEmpty, let last = headers.indices.last else { return }
            let continuation = String(decoding: line[piece], as: UTF8.self)
            headers[last].value = headers[last].value.isEmpty ? continuation : headers[last].value + " " + continuation
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = UnsafeBufferPointer(rebasing: line[..<colon])
        let value = UnsafeBufferPointer(rebasing: line[HeaderBytes.trimmed(line, from: colon + 1, to: line.count)])
        headers.append(HTTPHeader(HeaderBytes.lowercased(name), String(decoding: value, as: UTF8.self)))
        if HeaderBytes.equalIgnoringASCIICase(name, "content-length".utf8) {
            try takeContentLength(value)
        } else if HeaderBytes.equalIgnoringASCIICase(name, "transfer-encoding".utf8) {
            // Chunked must be the last coding applied; the value is a comma-separated list.
            transferEncoded = true
            chunked = value.split(separator: UInt8(ascii: ",")).last.map { HeaderBytes.equalIgnoringASCIICase(Self.trimmedToken($0), "chunked".utf8) } ?? false
        } else if HeaderBytes.equalIgnoringASCIICase(name, "connection".utf8) {
            for token in value.split(separator: UInt8(ascii: ",")) {
                let option = Self.trimmedToken(token)
                if HeaderBytes.equalIgnoringASCIICase(option, "close".utf8) { connectionClose = true }
                if HeaderBytes.equalIgnoringASCIICase(option, "keep-alive".utf8) { connectionKeepAlive = true }
            }
        }
    }

    /// One or more equal decimal lengths (a list, or the field repeated).
    private mutating func takeContentLength(_ value: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        var start = 0
        while start <= value.count {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.count
            let digits = Self.trimmedToken(value[start..<end])
            start = end + 1
            guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                throw Self.weird("a decimal Content-Length, got \(HeaderBytes.quoted(value))")
            }
            let length = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard contentLength == nil || contentLength == length else {
                throw Self.weird("one Content-Length, got \(contentLength ?? 0) and \(length)")
            }
            contentLength = length
        }
    }

    /// A list element without the spaces and tabs around it.
    private static func trimmedToken(_ element: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        element.drop { $0 == 0x20 || $0 == 0x09 }.prefix { $0 != 0x20 && $0 != 0x09 }
    }

    /// The empty line: skip an interim response, or decide how the body is delimited (RFC 9112 §6.3).
    private mutating func endOfHead() throws(HTTPError) {
        if status >= 100 && status < 200 && status != 101 {
            headers.removeAll(keepingCapacity: true)
            contentLength = nil
            chunked = false
            transferEncoded = false
            connectionClose = false
            connectionKeepAlive = false
            stage = .statusLine
            return
        }
        keepAlive = !connectionClose && (!isHTTP10 || connectionKeepAlive) && status != 101
        if !bodyExpected || status == 204 || status == 304 || status < 200 {
            stage = .complete
        } else if chunked {
            // Both a length and chunked: chunked wins, and the connection is not trusted after it.
            if contentLength != nil { keepAlive = false }
            stage = .chunkSize
        } else if let contentLength, !transferEncoded {
            guard contentLength <= Self.bodyLimit else {
                throw HTTPError(.transport(curlCode: 63, message: "the response body exceeds \(Self.bodyLimit / (1024 * 1024)) MiB (Content-Length \(contentLength))"))
            }
            body.reserveCapacity(min(contentLength, 1 << 20))   // a claimed length is not yet data
            stage = contentLength == 0 ? .complete : .fixedBody(remaining: contentLength)
        } else {
            keepAlive = false
            stage = .untilClose
        }
    }

    /// `1a2b;extension=x` (RFC 9112 §7.1): hexadecimal digits, then anything after a `;` or whitespace.
    private mutating func takeChunkSize(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        let digits = line.prefix { $0 != UInt8(ascii: ";") && $0 != 0x20 && $0 != 0x09 }
        var size = 0
        for digit in digits {
            let value: Int
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(digit - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(digit - UInt8(ascii: "A")) + 10
            default: throw Self.weird("a hexadecimal chunk size, got \(HeaderBytes.quoted(line))")
            }
            size = size * 16 + value
            guard size <= Self.bodyLimit else {
                throw HTTPError(.transport(curlCode: 63, message: "the response body exceeds \(Self.bodyLimit / (1024 * 1024)) MiB (a chunk of more)"))
            }
        }
        guard !digits.isEmpty else { throw Self.weird("a hexadecimal chunk size, got \(HeaderBytes.quoted(line))") }
        stage = size == 0 ? .trailer : .chunkData(remaining: size)
    }

    /// libcurl's code for a reply it cannot make sense of (8, "Weird server reply"), with what was expected.
    private static func weird(_ expected: String) -> HTTPError {
        HTTPError(.transport(curlCode: 8, message: "unexpected response: expected \(expected)"))
    }
}
