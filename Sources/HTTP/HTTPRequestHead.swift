/// Where a request goes, from its URL: the origin to connect to and the request target to send.
///
/// Only `http` and `https` URLs with a host (and optional port) are taken; the path and query
/// are sent exactly as written (the SigV4 signature of S3 requests covers those bytes).
struct RequestTarget {
    /// `scheme://authority`, the scheme lower-cased: what a connection is kept for.
    let origin: String
    /// The request is sent over TLS.
    let isTLS: Bool
    /// The `Host` field to send when the request has none: the authority without the scheme's
    /// default port, as libcurl sends it.
    let hostHeader: Substring.UTF8View
    /// The origin-form target: the path and query, `/` when the URL has none.
    let target: Substring.UTF8View

    /// Splits a URL.
    /// - Throws: ``HTTPError`` (libcurl's codes 1 and 3) naming what came, for another scheme or a
    ///   URL with a space, a control byte or user information in it.
    init(url: String) throws(HTTPError) {
        let bytes = url.utf8
        guard let separator = bytes.firstRange(of: "://".utf8) else {
            throw HTTPError(.transport(curlCode: 3, message: "URL rejected: expected http://host/… or https://host/…, got \(HeaderBytes.quoted(url.utf8))"))
        }
        let scheme = HeaderBytes.lowercased(bytes[..<separator.lowerBound])
        guard scheme == "http" || scheme == "https" else {
            throw HTTPError(.transport(curlCode: 1, message: "Protocol \(HeaderBytes.quoted(scheme.utf8)) not supported: expected http or https in \(HeaderBytes.quoted(url.utf8))"))
        }
        let authorityStart = separator.upperBound
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? bytes.endIndex
        let authority = url[authorityStart..<authorityEnd]
        guard !authority.isEmpty, !authority.utf8.contains(where: { Self.isForbiddenInURL($0) || $0 == UInt8(ascii: "@") }),
              !bytes[authorityEnd...].contains(where: Self.isForbiddenInURL) else {
            throw HTTPError(.transport(curlCode: 3, message: "URL rejected: expected a host and a path without spaces, control bytes or user information, got \(HeaderBytes.quoted(url.utf8))"))
        }
        isTLS = scheme == "https"
        origin = scheme + "://" + authority
        let defaultPort = isTLS ? ":443" : ":80"
        let hasDefaultPort = authority.utf8.count > defaultPort.utf8.count && authority.utf8.suffix(defaultPort.utf8.count).elementsEqual(defaultPort.utf8)
        hostHeader = hasDefaultPort ? authority.utf8.dropLast(defaultPort.utf8.count) : authority.utf8
        target = authorityEnd == bytes.endIndex ? Substring("/").utf8
            : bytes[authorityEnd] == UInt8(ascii: "?") ? Substring("/" + url[authorityEnd...]).utf8
            : url[authorityEnd...].utf8
    }

    /// Bytes a URL may not carry as they are: a space or a control byte would break the request line.
    private static func isForbiddenInURL(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F
    }
}

/// Writes an HTTP/1.1 request head (RFC 9112 §3): the request line, the fields as given, and
/// what the transport adds, as libcurl did: `Host` unless given, and `Content-Length` for a body
/// (and for every `POST` and `PUT`). Never `Expect` or chunked uploads: bodies are small and sized.
enum RequestHead {
    /// Appends the head for a request to `output`.
    /// - Throws: ``HTTPError`` (libcurl's code 43) naming the method or field that could break the
    ///   framing: a name that is not a token, a value with CR, LF or NUL in it, or a `Content-Length`
    ///   other than the body's.
    static func write(_ request: HTTPRequest, to target: RequestTarget, into output: inout [UInt8]) throws(HTTPError) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw badArgument("method \(HeaderBytes.quoted(request.method.utf8)): expected a token such as GET or PUT")
        }
        output.append(contentsOf: request.method.utf8)
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: target.target)
        output.append(contentsOf: " HTTP/1.1\r\n".utf8)
        var hasHost = false
        var hasLength = false
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenByte) else {
                throw badArgument("header name \(HeaderBytes.quoted(header.name.utf8)): expected a token")
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw badArgument("header \(header.name): its value has a CR, LF or NUL in it")
            }
            if HeaderBytes.equalIgnoringASCIICase(header.name.utf8, "host".utf8) {
                hasHost = true
            } else if HeaderBytes.equalIgnoringASCIICase(header.name.utf8, "content-length".utf8) {
                guard header.value.utf8.elementsEqual(String(request.body.count).utf8) else {
                    throw badArgument("header Content-Length is \(HeaderBytes.quoted(header.value.utf8)) but the body has \(request.body.count) bytes")
                }
                hasLength = true
            }
        }
        if !hasHost {
            output.append(contentsOf: "Host: ".utf8)
            output.append(contentsOf: target.hostHeader)
            output.append(contentsOf: "\r\n".utf8)
        }
        for header in request.headers {
            output.append(contentsOf: header.name.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: header.value.utf8)
            output.append(contentsOf: "\r\n".utf8)
        }
        if !hasLength && (!request.body.isEmpty || request.method == "POST" || request.method == "PUT") {
            output.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(request.body.count, to: &output)
            output.append(contentsOf: "\r\n".utf8)
        }
        output.append(contentsOf: "\r\n".utf8)
    }

    /// tchar (RFC 9110 §5.6.2): what a method or a field name is made of.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func badArgument(_ message: String) -> HTTPError {
        HTTPError(.transport(curlCode: 43, message: "request not sent: " + message))
    }
}
