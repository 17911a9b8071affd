import CCurl

/// `curl_global_init` must run once, before any handle exists, and is not thread-safe itself.
/// A Swift global is initialised exactly once, on first use, under a lock.
let curlGlobalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// The message libcurl gives for a code.
/// - Parameter code: A libcurl result code.
/// - Returns: `curl_easy_strerror`'s text.
func curlMessage(_ code: CURLcode) -> String {
    guard let text = curl_easy_strerror(code) else { return "unknown curl error" }
    return String(cString: text)
}
