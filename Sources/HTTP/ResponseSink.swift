import CCurl

/// Collects the status line, headers and body that libcurl's callbacks deliver.
///
/// It travels to the C callbacks as userdata (`Unmanaged.passUnretained`); the connection keeps it
/// alive for the duration of `curl_easy_perform`.
final class ResponseSink {
    var headers: [HTTPHeader] = []
    var body: [UInt8] = []

    func reset() {
        headers.removeAll(keepingCapacity: true)
        body.removeAll(keepingCapacity: true)
    }

    /// Takes one raw header line (with its CRLF) as libcurl hands it over.
    func takeHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        // A new status line starts a new response: a `100 Continue` or a redirect came first.
        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        // Trim bytes, not Characters: "\r\n" is a single Character in Swift and would survive.
        var start = colon + 1
        var end = bytes.endIndex
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        headers.append(HTTPHeader(name, String(decoding: bytes[start..<end], as: UTF8.self)))
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}

@available(*, unavailable)
extension ResponseSink: Sendable {}

/// libcurl's write callback: append the body bytes to the sink given as userdata.
let responseBodyCallback: curl_write_callback = { data, size, count, userdata in
    let length = size * count
    guard let data, let userdata else { return length }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        sink.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length  // anything else tells libcurl to abort the transfer
}

/// libcurl's header callback: one complete header line per call.
let responseHeaderCallback: curl_write_callback = { data, size, count, userdata in
    let length = size * count
    guard let data, let userdata else { return length }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        sink.takeHeaderLine(UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}
