/// Writes an HTTP/1.1 request head (RFC 9112 §3) for a request and says where it goes.
///
/// The request line carries the URL's path and query exactly as written (the SigV4 signature of S3
/// requests covers those bytes); the fields follow as given, then what the transport adds, as
/// libcurl did: `Host` unless given (the URL's authority without the scheme's default port), and
/// `Content-Length` for a body and for every `POST` and `PUT`. Never `Expect` or chunked uploads:
/// bodies are small and sized. Everything is checked on bytes as it is written, once.
enum RequestHead {
    /// Where a request goes: the URL's `scheme://authority`, which a kept connection must match.
    struct Destination {
        /// The URL's first bytes up to the end of the authority, e.g. `https://s3.amazonaws.com`.
        var origin: [UInt8]
        /// The scheme is `https`.
        var isTLS: Bool
    }

    /// Appends the head for `request` to `output`.
    /// - Returns: Where the request goes.
    /// - Throws: ``HTTPError``, before anything is sent: libcurl's codes 1 and 3 for a URL that is
    ///   not `http(s)://host[:port][/path][?query]` or holds a space, a control byte or user
    ///   information; 43 for a method or field name that is not a token, a value with CR, LF or NUL
    ///   in it, or a `Content-Length` other than the body's. Each message quotes what came.
    static func write(_ request: HTTPRequest, into output: inout [UInt8]) throws(HTTPError) -> Destination {
        var url = request.url
        let result = url.withUTF8 { bytes in
            Result { () throws(HTTPError) in try write(request, url: bytes, into: &output) }
        }
        return try result.get()
    }

    private static func write(_ request: HTTPRequest, url: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) throws(HTTPError) -> Destination {
        // scheme "://" authority [ "/" path ] [ "?" query ]
        var separator = 0
        while separator + 2 < url.count && !(url[separator] == UInt8(ascii: ":") && url[separator + 1] == UInt8(ascii: "/") && url[separator + 2] == UInt8(ascii: "/")) {
            separator += 1
        }
        guard separator + 2 < url.count else {
            throw HTTPError(.transport(curlCode: 3, message: "URL rejected: expected http://host/… or https://host/…, got \(HeaderBytes.quoted(url))"))
        }
        let scheme = UnsafeBufferPointer(rebasing: url[..<separator])
        let isTLS = HeaderBytes.equalIgnoringASCIICase(scheme, "https".utf8)
        guard isTLS || HeaderBytes.equalIgnoringASCIICase(scheme, "http".utf8) else {
            throw HTTPError(.transport(curlCode: 1, message: "Protocol \(HeaderBytes.quoted(scheme)) not supported: expected http or https in \(HeaderBytes.quoted(url))"))
        }
        let authorityStart = separator + 3
        var authorityEnd = authorityStart
        var acceptable = true
        while authorityEnd < url.count && url[authorityEnd] != UInt8(ascii: "/") && url[authorityEnd] != UInt8(ascii: "?") {
            acceptable = acceptable && !isForbiddenInURL(url[authorityEnd]) && url[authorityEnd] != UInt8(ascii: "@")
            authorityEnd += 1
        }
        var index = authorityEnd
        while acceptable && index < url.count {
            acceptable = !isForbiddenInURL(url[index])
            index += 1
        }
        guard acceptable, authorityEnd > authorityStart else {
            throw HTTPError(.transport(curlCode: 3, message: "URL rejected: expected a host and a path without spaces, control bytes or user information, got \(HeaderBytes.quoted(url))"))
        }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw badArgument("method \(HeaderBytes.quoted(request.method.utf8)): expected a token such as GET or PUT")
        }

        appendUTF8(request.method, to: &output)
        output.append(UInt8(ascii: " "))
        if authorityEnd == url.count || url[authorityEnd] == UInt8(ascii: "?") { output.append(UInt8(ascii: "/")) }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: url[authorityEnd...]))
        output.append(contentsOf: " HTTP/1.1\r\n".utf8)
        var hasHost = false
        var hasLength = false
        for header in request.headers {
            let nameStart = output.count
            appendUTF8(header.name, to: &output)
            let nameEnd = output.count
            output.append(UInt8(ascii: ":"))
            output.append(UInt8(ascii: " "))
            let valueStart = output.count
            appendUTF8(header.value, to: &output)
            let field = output.withUnsafeBufferPointer { bytes in
                checkField(name: UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), value: UnsafeBufferPointer(rebasing: bytes[valueStart...]))
            }
            switch field {
            case .invalidName:
                throw badArgument("header name \(HeaderBytes.quoted(header.name.utf8)): expected a token")
            case .invalidValue:
                throw badArgument("header \(HeaderBytes.quoted(header.name.utf8)): its value has a CR, LF or NUL in it")
            case .host:
                hasHost = true
            case .contentLength:
                guard header.value.utf8.elementsEqual(String(request.body.count).utf8) else {
                    throw badArgument("header Content-Length is \(HeaderBytes.quoted(header.value.utf8)) but the body has \(request.body.count) bytes")
                }
                hasLength = true
            case .other:
                break
            }
            output.append(UInt8(ascii: "\r"))
            output.append(UInt8(ascii: "\n"))
        }
        if !hasHost {
            output.append(contentsOf: "Host: ".utf8)
            let defaultPort = isTLS ? ":443".utf8 : ":80".utf8
            let authority = UnsafeBufferPointer(rebasing: url[authorityStart..<authorityEnd])
            let hasDefaultPort = authority.count > defaultPort.count && authority.suffix(defaultPort.count).elementsEqual(defaultPort)
            output.append(contentsOf: hasDefaultPort ? UnsafeBufferPointer(rebasing: authority.dropLast(defaultPort.count)) : authority)
            output.append(contentsOf: "\r\n".utf8)
        }
        if !hasLength && (!request.body.isEmpty || request.method == "POST" || request.method == "PUT") {
            output.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(request.body.count, to: &output)
            output.append(contentsOf: "\r\n".utf8)
        }
        output.append(contentsOf: "\r\n".utf8)
        return Destination(origin: Array(url[..<authorityEnd]), isTLS: isTLS)
    }

    private enum Field {
        case host, contentLength, other, invalidName, invalidValue
    }

    /// Checks a field as written and says whether it is one the transport would otherwise add.
    private static func checkField(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Field {
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .invalidName }
        for byte in value where byte == 0x0D || byte == 0x0A || byte == 0 {
            return .invalidValue
        }
        if HeaderBytes.equalIgnoringASCIICase(name, "host".utf8) { return .host }
        if HeaderBytes.equalIgnoringASCIICase(name, "content-length".utf8) { return .contentLength }
        return .other
    }

    /// Bytes a URL may not carry as they are: a space or a control byte would break the request line.
    private static func isForbiddenInURL(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F
    }

    /// tchar (RFC 9110 §5.6.2): what a method or a field name is made of.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Appends a string's UTF-8 bytes with one copy (the generic `append(contentsOf: utf8)` costs
    /// more than the copy for the short strings of a head).
    private static func appendUTF8(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
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
