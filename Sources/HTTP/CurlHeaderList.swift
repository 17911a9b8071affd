import CCurl

/// Owns a `curl_slist` of request headers; libcurl reads it during the transfer, so the
/// list must outlive the call (the connection keeps it in a local across `perform`).
final class CurlHeaderList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    /// Builds the list from header fields, each written once as `name: value`, then complete lines.
    /// - Parameters:
    ///   - headers: The fields, in order.
    ///   - lines: Complete lines after them, e.g. `Expect:` to suppress a header libcurl would add.
    init(_ headers: [HTTPHeader], then lines: [String]) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        for header in headers {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: header.name.utf8)
            line.append(UInt8(ascii: ":"))
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: header.value.utf8)
            line.append(0)
            line.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { append($0.baseAddress) }
            }
        }
        for line in lines {
            append(line)
        }
    }

    private func append(_ line: UnsafePointer<CChar>?) {
        // curl_slist_append copies the string; on allocation failure it returns NULL and
        // leaves the old list intact, so keep what we had rather than leak it.
        if let appended = curl_slist_append(pointer, line) { pointer = appended }
    }

    deinit {
        curl_slist_free_all(pointer)
    }
}

@available(*, unavailable)
extension CurlHeaderList: Sendable {}
