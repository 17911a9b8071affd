import Foundation
import JSON
@testable import LambdaRuntime
import Testing

@Suite("FunctionError")
struct FunctionErrorTests {
    @Test("the error body is errorMessage, errorType and an empty stackTrace, exactly")
    func body() {
        let error = FunctionError(errorType: "InvalidOrderEvent", errorMessage: "expected price (a number) for order 124; found none")
        #expect(error.reportJSON.serialized()
            == #"{"errorMessage":"expected price (a number) for order 124; found none","errorType":"InvalidOrderEvent","stackTrace":[]}"#)
    }

    @Test("quotes, backslashes, newlines and control characters are escaped; non-ASCII stays UTF-8", arguments: [
        (#"order "123""#, #"order \"123\""#),
        (#"C:\orders\123"#, #"C:\\orders\\123"#),
        ("line one\nline two\r\n", #"line one\nline two\r\n"#),
        ("tab\there\u{1}", #"tab\there\u0001"#),
        ("Bestellung für 42 € – 注文", "Bestellung für 42 € – 注文"),
    ])
    func escaping(_ message: String, _ escaped: String) throws {
        let body = FunctionError(errorType: "OrderConflict", errorMessage: message).reportJSON.serialized()
        #expect(body == #"{"errorMessage":"\#(escaped)","errorType":"OrderConflict","stackTrace":[]}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(parsed["errorMessage"] as? String == message, "a JSON reader gets the message back unchanged")
        #expect(parsed["errorType"] as? String == "OrderConflict")
        #expect((parsed["stackTrace"] as? [Any])?.isEmpty == true)
    }

    @Test("the description is errorType: errorMessage")
    func description() {
        #expect(FunctionError(errorType: "OrderInProgress", errorMessage: "retry later").description == "OrderInProgress: retry later")
    }
}
