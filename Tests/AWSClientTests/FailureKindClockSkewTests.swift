@testable import AWSClient
import Testing

/// DynamoDB (and the other JSON-protocol services) refuse a signature made with a clock that is off
/// with `InvalidSignatureException`, worded by direction; both words mean "correct the clock".
@Suite("FailureKind: clock skew by InvalidSignatureException message")
struct FailureKindClockSkewTests {
    @Test("our clock ahead of the service's: \"Signature not yet current\" is clock skew", arguments: [
        // DynamoDB, a client clock about 3 h ahead (aws/aws-sdk-js#2565).
        "Signature not yet current: 20190305T002809Z is still later than 20190304T214315Z (20190304T212815Z + 15 min.)",
        // Kinesis, 5-minute window.
        "Signature not yet current: 20181017T093750Z is still later than 20181017T093639Z (20181017T093139Z + 5 min.)",
    ])
    func clockAhead(_ message: String) {
        #expect(FailureKind.classify(status: 400, code: "InvalidSignatureException", message: message) == .clockSkew)
    }

    @Test("our clock behind the service's: \"Signature expired\" is clock skew")
    func clockBehind() {
        let message = "Signature expired: 20140325T143453Z is now earlier than 20140325T143751Z (20140325T145251Z - 15 min.)"
        #expect(FailureKind.classify(status: 400, code: "InvalidSignatureException", message: message) == .clockSkew)
    }

    @Test("the words only count on InvalidSignatureException; a wrong signature stays permanent")
    func onlyThatCode() {
        #expect(FailureKind.classify(status: 400, code: "ValidationException", message: "Signature not yet current") == .permanent)
        #expect(FailureKind.classify(status: 400, code: "InvalidSignatureException",
                                     message: "The request signature we calculated does not match the signature you provided.") == .permanent)
    }
}
