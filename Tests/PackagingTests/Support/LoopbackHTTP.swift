import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A minimal HTTP/1.1 client over a plain socket, for the local tools on 127.0.0.1 only: no proxy
/// settings, no connection reuse (`Connection: close`), a receive timeout on every read.
enum LoopbackHTTP {
    struct Response {
        let status: Int
        let headers: [String: String]   // lower-cased names
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object.
        func jsonObject() throws -> [String: Any] {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw PackagingTestError("expected a JSON object, got HTTP \(status): \(text.prefix(500))")
            }
            return object
        }
    }

    /// Sends one request.
    /// - Parameters:
    ///   - method: `GET`, `POST`, ...
    ///   - url: `http://127.0.0.1:PORT/path?query`.
    ///   - json: A JSON body (sent with `Content-Type: application/json`).
    ///   - timeoutSeconds: The longest wait for any single read or write.
    /// - Returns: The response.
    /// - Throws: ``PackagingTestError`` for a bad URL or a socket failure.
    static func send(_ method: String, _ url: String, json: Any? = nil, timeoutSeconds: Int = 30) throws -> Response {
        guard let components = URLComponents(string: url), components.scheme == "http",
              let host = components.host, let port = components.port else {
            throw PackagingTestError("not an http://HOST:PORT URL: \(url)")
        }
        let address = host == "localhost" ? "127.0.0.1" : host
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        if json != nil { head += "Content-Type: application/json\r\n" }
        head += "\r\n"

        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw PackagingTestError("socket() failed: \(String(cString: strerror(errno)))") }
        defer { close(socketFD) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw PackagingTestError("not an IPv4 address: \(address) (only loopback tools are called)")
        }
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw PackagingTestError("connect to \(url) failed: \(String(cString: strerror(errno)))") }

        var request = Data(head.utf8)
        request.append(body)
        try request.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(socketFD, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw PackagingTestError("write to \(url) failed: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(socketFD, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw PackagingTestError("read from \(url) failed: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return try parse(received, url: url)
    }

    private static func parse(_ data: Data, url: String) throws -> Response {
        guard let separator = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw PackagingTestError("\(url) sent no complete HTTP response: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let lines = String(decoding: data[..<separator.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw PackagingTestError("\(url) sent a bad status line: \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[separator.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try dechunk(body, url: url)
        } else if let length = headers["content-length"].flatMap(Int.init), length < body.count {
            body = body.prefix(length)
        }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data, url: String) throws -> Data {
        var result = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw PackagingTestError("\(url) sent a bad chunk size: \(sizeText)")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { break }
            let end = rest.index(start, offsetBy: size)
            result.append(rest[start..<end])
            rest = rest[min(rest.index(end, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex, rest.endIndex)...]
        }
        return result
    }
}
