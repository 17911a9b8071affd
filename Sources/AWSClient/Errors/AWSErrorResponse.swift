import HTTP
import JSON

/// The code, message and request ID read from an AWS error response, whichever protocol it used:
/// JSON 1.0 (DynamoDB: `__type`, `message`), REST-XML (S3 and moto's auth errors: `<Code>`,
/// `<Message>`, `<RequestId>`), or only headers and a status (HEAD requests, empty 412s).
public struct AWSErrorResponse: Sendable, Equatable {
    /// The error code with any namespace (`com.amazonaws.dynamodb.v20120810#`) removed.
    public var code: String
    /// The message, possibly empty.
    public var message: String
    /// The AWS request ID, if any.
    public var requestID: String?
    /// The parsed JSON body, if it was JSON.
    public var json: JSONValue?

    /// Reads an error response.
    /// - Parameter response: A response with a non-2xx status.
    public init(_ response: HTTPResponse) {
        requestID = Self.requestID(in: response)
        var code: String?
        var message: String?
        let body = response.body
        if let first = body.first(where: { !$0.isWhitespaceByte }) {
            if first == UInt8(ascii: "{"), let parsed = try? JSONValue.parse(body) {
                json = parsed
                code = (parsed["__type"] ?? parsed["code"] ?? parsed["Code"])?.stringValue
                message = (parsed["message"] ?? parsed["Message"] ?? parsed["errorMessage"])?.stringValue
            } else if first == UInt8(ascii: "<") {
                let text = String(decoding: body, as: UTF8.self)
                code = Self.xmlElement("Code", in: text)
                message = Self.xmlElement("Message", in: text)
                if requestID == nil { requestID = Self.xmlElement("RequestId", in: text) }
            }
        }
        if code == nil, let header = response.header("x-amzn-errortype") {
            // `ValidationException:http://internal.amazon.com/coral/…`: the part before ':' is the code.
            code = String(header.split(separator: ":", maxSplits: 1).first ?? Substring(header))
        }
        self.code = Self.stripNamespace(code ?? Self.codeForStatus(response.status))
        self.message = message ?? ""
    }

    private static func stripNamespace(_ code: String) -> String {
        // awsJson `__type` may be `namespace#Name:http://…`: keep what is before ':' and after '#'.
        let name = code.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(code)
        guard let hash = name.lastIndex(of: "#") else { return String(name) }
        return String(name[name.index(after: hash)...])
    }

    private static func requestID(in response: HTTPResponse) -> String? {
        response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
    }

    /// Names for bodiless errors, as the SDKs name them.
    private static func codeForStatus(_ status: Int) -> String {
        switch status {
        case 304: "NotModified"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 409: "Conflict"
        case 412: "PreconditionFailed"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }

    /// The text of the first `<name>…</name>`, XML entities decoded. AWS error documents are flat
    /// and small, so a scan is enough.
    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.firstRange(of: "<\(name)>"),
              let close = text[open.upperBound...].firstRange(of: "</\(name)>")
        else { return nil }
        return decodeEntities(String(text[open.upperBound..<close.lowerBound]))
    }

    private static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text
            .replacing("&lt;", with: "<")
            .replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"")
            .replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }
}

extension UInt8 {
    fileprivate var isWhitespaceByte: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D
    }
}
