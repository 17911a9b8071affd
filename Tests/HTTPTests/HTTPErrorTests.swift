@testable import HTTP
import Testing

@Suite("HTTPError")
struct HTTPErrorTests {
    @Test("libcurl codes are classified: timeouts, connection failures, and the rest", arguments: [
        (Int32(28), true, false),
        (6, false, true), (7, false, true), (18, false, true), (35, false, true), (52, false, true), (55, false, true), (56, false, true),
        (3, false, false), (22, false, false), (60, false, false), (77, false, false),
    ])
    func classification(_ code: Int32, _ timeout: Bool, _ connection: Bool) {
        let error = HTTPError(.transport(curlCode: code, message: "m"))
        #expect(error.isTimeout == timeout)
        #expect(error.isConnectionFailure == connection)
    }

    @Test("errors that are not transport failures are neither", arguments: [
        HTTPError(.handleCreationFailed), HTTPError(.optionRejected(option: "URL", curlCode: 43, message: "A libcurl function was given a bad argument")),
    ])
    func notTransport(_ error: HTTPError) {
        #expect(!error.isTimeout)
        #expect(!error.isConnectionFailure)
    }

    @Test("the description names libcurl's code and message", arguments: [
        (HTTPError.Code.transport(curlCode: 7, message: "Couldn't connect to server"), "Couldn't connect to server (curl error 7)"),
        (.handleCreationFailed, "curl_easy_init failed (out of memory?)"),
        (.optionRejected(option: "URL", curlCode: 43, message: "A libcurl function was given a bad argument"),
         "curl_easy_setopt(URL) failed: A libcurl function was given a bad argument (curl error 43)"),
    ])
    func description(_ code: HTTPError.Code, _ text: String) {
        #expect(HTTPError(code).description == text)
    }
}
