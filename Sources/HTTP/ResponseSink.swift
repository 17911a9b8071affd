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
        guard let first = bytes.first else { return }
        if first == 0x20 || first == 0x09 {
            // obs-fold (RFC 9112 §5.2): a line that starts with whitespace continues the previous
            // field's value; it is joined with one space. libcurl passes such lines on as they came.
            let piece = HeaderBytes.trimmed(bytes, from: 0, to: bytes.count)
            guard !piece.isEmpty, let last = headers.indices.last else { return }
            let continuation = String(decoding: bytes[piece], as: UTF8.self)
            headers[last].value = headers[last].value.isEmpty ? continuation : headers[last].value + " " + continuation
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = HeaderBytes.lowercased(bytes[..<colon])
        let value = HeaderBytes.trimmed(bytes, from: colon + 1, to: bytes.endIndex)
        headers.append(HTTPHeader(name, String(decoding: bytes[value], as: UTF8.self)))
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
