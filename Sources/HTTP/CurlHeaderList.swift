import CCurl

/// Owns a `curl_slist` of request headers; libcurl reads it during `curl_easy_perform`, so the
/// list must outlive the call (the connection keeps it in a local across `perform`).
final class CurlHeaderList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    /// Builds the list.
    /// - Parameter lines: Complete header lines, e.g. `Content-Type: application/json`.
    init(_ lines: [String]) {
        for line in lines {
            // curl_slist_append copies the string; on allocation failure it returns NULL and
            // leaves the old list intact, so keep what we had rather than leak it.
            if let appended = curl_slist_append(pointer, line) { pointer = appended }
        }
    }

    deinit {
        curl_slist_free_all(pointer)
    }
}

@available(*, unavailable)
extension CurlHeaderList: Sendable {}
