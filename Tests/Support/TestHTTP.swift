import Foundation
import HTTP
import JSON

/// Plain HTTP calls to the local tools, on the project's own libcurl layer.
package enum TestHTTP {
    package struct Reply {
        package let status: Int
        package let headers: [HTTPHeader]
        package let body: [UInt8]

        package var text: String { String(decoding: body, as: UTF8.self) }

        package func json() throws -> JSONValue {
            do {
                return try JSONValue.parse(body)
            } catch {
                throw TestSetupError("expected JSON, got HTTP \(status): \(text.prefix(500)) (\(error))")
            }
        }

        package func header(_ name: String) -> String? { headers.value(for: name) }
    }

    package static func send(_ method: String, _ url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
                     timeoutMilliseconds: Int = 60_000) throws -> Reply {
        let connection = try HTTPConnection(trustStore: nil)
        let response = try connection.perform(HTTPRequest(
            method: method, url: url, headers: headers, body: body,
            timeouts: HTTPTimeouts(connectMilliseconds: 2_000, totalMilliseconds: timeoutMilliseconds)))
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    package static func postJSON(_ url: String, _ value: JSONValue) throws -> Reply {
        try send("POST", url, headers: [HTTPHeader("Content-Type", "application/json")], body: value.serializedBytes())
    }

    /// Like ``send(_:_:headers:body:timeoutMilliseconds:)`` but insists on a 2xx answer.
    package static func expectOK(_ method: String, _ url: String, json value: JSONValue? = nil) throws -> Reply {
        let reply = value.map { v in Result { try postJSON(url, v) } } ?? Result { try send(method, url) }
        let answered = try reply.get()
        guard (200..<300).contains(answered.status) else {
            throw TestSetupError("\(method) \(url) answered HTTP \(answered.status): \(answered.text.prefix(500))")
        }
        return answered
    }
}
