import HTTP
// Stage 1 of SigV4: the canonical request, as in the IAM user guide, "Create a signed AWS API
// request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).

extension SigV4 {
    /// Builds the canonical request (Stage 1):
    /// method, canonical URI, canonical query, canonical headers, signed headers and payload hash,
    /// one per line, the header block followed by an empty line.
    /// - Parameters:
    ///   - request: The request; *every* header in it is signed (``sign(_:credentials:region:service:at:options:)``
    ///     filters out the ones that must not be before calling this).
    ///   - options: Whether the S3 path rules apply and whether to normalise the path.
    /// - Returns: The canonical request text.
    public static func canonicalRequest(_ request: SignableRequest, options: SigningOptions) -> String {
        canonicalRequest(request, normalizedHeaders: normalizedHeaders(request.headers), options: options)
    }

    static func canonicalRequest(_ request: SignableRequest, normalizedHeaders headers: [HTTPHeader], options: SigningOptions) -> String {
        var out: [UInt8] = []
        _ = appendCanonicalRequest(request, normalizedHeaders: headers, options: options, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the canonical request's bytes (the same text as ``canonicalRequest(_:options:)``).
    /// - Parameters:
    ///   - headers: The headers to sign, normalized and sorted by name.
    /// - Returns: Where the signed-header list is in `out`, for the `Authorization` value.
    static func appendCanonicalRequest(_ request: SignableRequest, normalizedHeaders headers: [HTTPHeader],
                                       options: SigningOptions, to out: inout [UInt8]) -> Range<Int> {
        let newline = UInt8(ascii: "\n")
        out.append(contentsOf: request.method.utf8)
        out.append(newline)
        appendCanonicalURI(path: request.path, isS3: options.isS3, normalize: options.normalizePath, to: &out)
        out.append(newline)
        if !request.query.isEmpty {
            out.append(contentsOf: canonicalQuery(request.query).utf8)
        }
        out.append(newline)
        for header in headers {
            out.append(contentsOf: header.name.utf8)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: header.value.utf8)
            out.append(newline)
        }
        out.append(newline)
        let signedStart = out.count
        for (index, header) in headers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ";")) }
            out.append(contentsOf: header.name.utf8)
        }
        let signed = signedStart..<out.count
        out.append(newline)
        out.append(contentsOf: request.payloadSHA256.utf8)
        return signed
    }

    // MARK: - URI

    /// The canonical URI of a wire path.
    ///
    /// S3 signs the wire path exactly as sent: no normalisation and no re-encoding ("You do not
    /// normalize URI paths for requests to Amazon S3"; the key is `UriEncode`d once when the path is
    /// built). Every other service optionally normalises the path and then URI-encodes the already
    /// encoded path *again*, keeping `/`, as botocore's `SigV4Auth` does: wire `/a%20b` → `/a%2520b`.
    /// - Parameters:
    ///   - path: The percent-encoded wire path; empty means `/`.
    ///   - isS3: Whether the S3 rules apply.
    ///   - normalize: For other services, whether to remove `.`/`..` segments and duplicate slashes first.
    /// - Returns: The canonical URI.
    public static func canonicalURI(path: String, isS3: Bool, normalize: Bool) -> String {
        var out: [UInt8] = []
        appendCanonicalURI(path: path, isS3: isS3, normalize: normalize, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendCanonicalURI(path: String, isS3: Bool, normalize: Bool, to out: inout [UInt8]) {
        let path = path.isEmpty ? "/" : path
        if isS3 {
            out.append(contentsOf: path.utf8)
            return
        }
        let normalized = normalize && !isNormalized(path) ? removingDotSegments(path) : path
        for byte in normalized.utf8 {
            if URIEncoding.isUnreserved(byte) || byte == UInt8(ascii: "/") {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigits[Int(byte >> 4)])
                out.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
    }

    /// Whether ``removingDotSegments(_:)`` would leave the path as it is: no `.` or `..` segment and
    /// no empty one except before a leading or after a trailing slash (most paths, `/` for DynamoDB).
    static func isNormalized(_ path: String) -> Bool {
        let bytes = path.utf8
        var segmentStart = bytes.startIndex
        var index = bytes.startIndex
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || bytes[index] == UInt8(ascii: "/") {
                let segment = bytes[segmentStart..<index]
                let isFirst = segmentStart == bytes.startIndex
                if segment.isEmpty {
                    // Only `/x` (leading) and `x/` (trailing) may have an empty segment; a bare "" or "//" may not.
                    if !(isFirst && !atEnd) && !(atEnd && !isFirst) { return false }
                } else if segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8) {
                    return false
                }
                if atEnd { return true }
                segmentStart = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
    }

    private static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 §5.2.4 dot-segment removal, plus the collapsing of empty segments (`//`) that AWS
    /// services expect; a trailing slash is kept. Mirrors botocore's `normalize_url_path`:
    /// `/example/..` → `/`, `//example//` → `/example/`, `/./example` → `/example`.
    static func removingDotSegments(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let leading = path.hasPrefix("/") ? "/" : ""
        let trailing = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return leading + segments.joined(separator: "/") + trailing
    }

    // MARK: - Query

    /// The canonical query string of a raw wire query.
    ///
    /// Each `&`-separated parameter is split at its first `=`; a parameter without `=` gets an empty
    /// value (`acl` → `acl=`). Names and values are percent-decoded first (text that does not decode
    /// is taken literally) and then encoded strictly with UriEncode, `/` included, so `+` is `%2B`
    /// and a space `%20`. Parameters are sorted by encoded name, then encoded value, byte-wise: the
    /// sorting happens after encoding, and `select=` comes before `select-type=2`. Empty parameters
    /// (`a=1&&b=2`, a trailing `&`) are dropped.
    /// - Parameter raw: The wire query without `?`.
    /// - Returns: The canonical query, empty when there are no parameters.
    public static func canonicalQuery(_ raw: String) -> String {
        guard !raw.isEmpty else { return "" }
        var parameters: [(name: String, value: String)] = []
        for parameter in raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = parameter.firstIndex(of: UInt8(ascii: "="))
            let name = parameter[..<(equals ?? parameter.endIndex)]
            let value = equals.map { parameter[parameter.index(after: $0)...] } ?? parameter[parameter.endIndex...]
            parameters.append((strictlyEncoded(name), strictlyEncoded(value)))
        }
        parameters.sort { lhs, rhs in
            lhs.name == rhs.name ? precedesByteWise(lhs.value, rhs.value) : precedesByteWise(lhs.name, rhs.name)
        }
        return parameters.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    private static func strictlyEncoded(_ component: Substring.UTF8View.SubSequence) -> String {
        let bytes = URIEncoding.decodeBytes(component, plusIsSpace: false) ?? Array(component)
        return URIEncoding.encode(bytes: bytes, keepingSlash: false)
    }

    // MARK: - Headers

    /// The canonical header block: one `name:value\n` line per header name, sorted by name.
    /// - Parameter headers: The headers to sign, names in any case.
    /// - Returns: The block, e.g. `"host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"`.
    public static func canonicalHeaders(_ headers: [HTTPHeader]) -> String {
        format(canonicalHeaders: normalizedHeaders(headers))
    }

    /// The signed-header list: the lower-cased names, sorted, without repeats, joined with `;`.
    /// - Parameter headers: The headers to sign, names in any case.
    /// - Returns: The list, e.g. `host;x-amz-date`.
    public static func signedHeaders(_ headers: [HTTPHeader]) -> String {
        format(signedHeaders: normalizedHeaders(headers))
    }

    /// Lower-cases the names; trims each value and turns every inner run of whitespace, including
    /// the line breaks of a folded (multi-line) value, into one space, inside quotes too; joins the
    /// values of a repeated name with `,` in arrival order; and sorts by name, byte-wise.
    static func normalizedHeaders(_ headers: [HTTPHeader], sorted: Bool = true) -> [HTTPHeader] {
        var merged: [HTTPHeader] = []
        merged.reserveCapacity(headers.count + 3)
        for header in headers {
            let name = asciiLowercased(trimmedAndCollapsed(header.name))
            let value = trimmedAndCollapsed(header.value)
            // A request has a handful of headers: a linear scan costs less than hashing the names.
            if let index = merged.firstIndex(where: { $0.name == name }) {
                merged[index].value += "," + value
            } else {
                merged.append(HTTPHeader(name, value))
            }
        }
        if sorted { sortByName(&merged) }
        return merged
    }

    /// Sorts by name, byte-wise; names are unique once normalized.
    static func sortByName(_ headers: inout [HTTPHeader]) {
        headers.sort { precedesByteWise($0.name, $1.name) }
    }

    static func format(canonicalHeaders headers: [HTTPHeader]) -> String {
        var out: [UInt8] = []
        for header in headers {
            out.append(contentsOf: header.name.utf8)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: header.value.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func format(signedHeaders headers: [HTTPHeader]) -> String {
        headers.map(\.name).joined(separator: ";")
    }

    /// Removes leading and trailing whitespace and collapses inner runs of it (space, tab, CR, LF) to one space.
    static func trimmedAndCollapsed(_ text: String) -> String {
        // Most header names and values are clean already: check before copying (over the bytes in
        // place: every header of every request passes here).
        let clean = text.utf8.withContiguousStorageIfAvailable(isTrimmedAndCollapsed) ?? isTrimmedAndCollapsed(Array(text.utf8))
        if clean { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether text has no tab, CR or LF, no leading or trailing space and no two spaces in a row.
    private static func isTrimmedAndCollapsed(_ bytes: some Collection<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
                || (byte == UInt8(ascii: " ") && (previous == 0 || previous == UInt8(ascii: " "))) {
                return false
            }
            previous = byte
        }
        return previous != UInt8(ascii: " ")
    }

    static func asciiLowercased(_ text: String) -> String {
        let hasUppercase = text.utf8.withContiguousStorageIfAvailable { $0.contains { $0 &- UInt8(ascii: "A") < 26 } }
            ?? text.utf8.contains { $0 &- UInt8(ascii: "A") < 26 }
        guard hasUppercase else { return text }
        return String(unsafeUninitializedCapacity: text.utf8.count) { buffer in
            var count = 0
            for byte in text.utf8 {
                buffer[count] = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
                count += 1
            }
            return count
        }
    }

    /// Byte-wise (UTF-8) ordering, the order SigV4 sorts in; independent of Unicode collation.
    static func precedesByteWise(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
