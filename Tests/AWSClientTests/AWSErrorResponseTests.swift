@testable import AWSClient
import HTTP
import JSON
import Testing

@Suite("AWSErrorResponse")
struct AWSErrorResponseTests {
    static func response(_ status: Int, _ body: String = "", headers: [HTTPHeader] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    // MARK: - DynamoDB (JSON 1.0)

    @Test("DynamoDB's JSON error gives the code without its namespace, the message and the request ID")
    func dynamoDB() {
        let error = AWSErrorResponse(Self.response(400, """
            {"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",\
            "message":"The level of configured provisioned throughput for the table was exceeded."}
            """, headers: [HTTPHeader("x-amzn-requestid", "7Q3ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKL")]))
        #expect(error.code == "ProvisionedThroughputExceededException")
        #expect(error.message == "The level of configured provisioned throughput for the table was exceeded.")
        #expect(error.requestID == "7Q3ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKL")
    }

    @Test("the message is read from `message` or `Message`", arguments: [
        #"{"__type":"com.amazon.coral.validate#ValidationException","Message":"1 validation error detected"}"#,
        #"{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected"}"#,
    ])
    func messageSpellings(_ body: String) {
        let error = AWSErrorResponse(Self.response(400, body))
        #expect(error.code == "ValidationException")
        #expect(error.message == "1 validation error detected")
    }

    @Test("a failed condition keeps the ALL_OLD item in the parsed body")
    func conditionalCheckItem() throws {
        let error = AWSErrorResponse(Self.response(400, """
            {"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed",\
            "Item":{"order_id":{"S":"123"},"status":{"S":"COMPLETED"},"payload_hash":{"S":"abc"}}}
            """))
        #expect(error.code == "ConditionalCheckFailedException")
        #expect(error.message == "The conditional request failed")
        let item = try #require(error.json?["Item"])
        #expect(item["order_id"] == ["S": "123"])
        #expect(item["status"] == ["S": "COMPLETED"])
        #expect(item["payload_hash"] == ["S": "abc"])
    }

    @Test("a code given as `code` or `Code` is read too", arguments: [#"{"code":"ThrottlingException"}"#, #"{"Code":"ThrottlingException"}"#])
    func otherCodeSpellings(_ body: String) {
        #expect(AWSErrorResponse(Self.response(400, body)).code == "ThrottlingException")
    }

    @Test("the type's URI suffix and namespace are both removed, as the awsJson protocols specify", arguments: [
        "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        "aws.protocoltests.restjson#FooError",
        "FooError",
    ])
    func typeWithURI(_ type: String) {
        let error = AWSErrorResponse(Self.response(400, JSONValue.object(["__type": .string(type)]).serialized()))
        #expect(error.code == "FooError")
        #expect(error.message == "")
    }

    // MARK: - S3 and moto (XML)

    @Test("S3's XML error gives the code, the message and the request ID")
    func s3() {
        let error = AWSErrorResponse(Self.response(404, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>\
            <BucketName>orders-bucket</BucketName><RequestId>4442587FB7D0A2F9</RequestId>\
            <HostId>9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg=</HostId></Error>
            """))
        #expect(error.code == "NoSuchBucket")
        #expect(error.message == "The specified bucket does not exist")
        #expect(error.requestID == "4442587FB7D0A2F9")
        #expect(error.json == nil)
    }

    @Test("XML entities in the message are decoded", arguments: [
        ("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;", #"a <b> & "c" 'd'"#),
        ("&amp;lt; stays an escaped &amp;lt;", "&lt; stays an escaped &lt;"),
        ("no entities", "no entities"),
    ])
    func entities(_ escaped: String, _ decoded: String) {
        let error = AWSErrorResponse(Self.response(400, "<Error><Code>InvalidArgument</Code><Message>\(escaped)</Message></Error>"))
        #expect(error.message == decoded)
    }

    @Test("moto's 403 for a bad S3 signature names SignatureDoesNotMatch")
    func motoS3Signature() {
        // Recorded from moto 5.2 (`python3 -m moto.server`, INITIAL_NO_AUTH_ACTION_COUNT set).
        let error = AWSErrorResponse(Self.response(403, """
            <?xml version="1.0" encoding="utf-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you \
            provided. Check your key and signing method.</Message><RequestId>YKgfj1yES7E5WE7Da0aXF0C76ow9KV0kr10QJunoeRW20qONwla4</RequestId>\
            <HostId>9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg=</HostId></Error>
            """, headers: [HTTPHeader("x-amzn-requestid", "YKgfj1yES7E5WE7Da0aXF0C76ow9KV0kr10QJunoeRW20qONwla4")]))
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.message == "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        #expect(error.requestID == "YKgfj1yES7E5WE7Da0aXF0C76ow9KV0kr10QJunoeRW20qONwla4")
        #expect(FailureKind.classify(status: 403, code: error.code, message: error.message) == .permanent)
    }

    @Test("moto's 403 for a bad DynamoDB signature is XML too, and names SignatureDoesNotMatch")
    func motoDynamoDBSignature() {
        // Recorded from moto 5.2: the JSON protocol's auth failure comes back as an XML ErrorResponse.
        let error = AWSErrorResponse(Self.response(403, """
            <?xml version="1.0" encoding="utf-8"?>
            <ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not \
            match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation \
            for details.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>
            """, headers: [HTTPHeader("x-amzn-requestid", "NgBTpqrH6nxSIB7Wh4v4XFhmOyuFD34i5NWkN7hDMzdKHnWcngMh")]))
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.message.hasPrefix("The request signature we calculated does not match"))
        #expect(error.requestID == "NgBTpqrH6nxSIB7Wh4v4XFhmOyuFD34i5NWkN7hDMzdKHnWcngMh")
    }

    // MARK: - Headers and status only

    @Test("the x-amzn-ErrorType header names the code when the body does not", arguments: [
        ("ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "ValidationException"),
        ("com.amazonaws.dynamodb.v20120810#ThrottlingException", "ThrottlingException"),
        ("SerializationException", "SerializationException"),
    ])
    func errorTypeHeader(_ header: String, _ code: String) {
        let error = AWSErrorResponse(Self.response(400, "", headers: [HTTPHeader("x-amzn-errortype", header)]))
        #expect(error.code == code)
        let withEmptyJSON = AWSErrorResponse(Self.response(400, "{}", headers: [HTTPHeader("X-Amzn-ErrorType", header)]))
        #expect(withEmptyJSON.code == code)
    }

    @Test("a bodiless error is named by its status", arguments: [
        (412, "PreconditionFailed"), (404, "NotFound"), (503, "ServiceUnavailable"), (500, "InternalError"), (429, "TooManyRequests"),
        (403, "Forbidden"), (409, "Conflict"), (400, "BadRequest"), (304, "NotModified"), (418, "HTTP418"),
    ])
    func bodiless(_ status: Int, _ code: String) {
        let error = AWSErrorResponse(Self.response(status))
        #expect(error.code == code)
        #expect(error.message == "")
        #expect(error.requestID == nil)
        #expect(error.json == nil)
    }

    @Test("a body that is neither JSON nor XML is named by its status", arguments: ["Service Unavailable", "{not json", "   "])
    func unreadableBody(_ body: String) {
        let error = AWSErrorResponse(Self.response(503, body))
        #expect(error.code == "ServiceUnavailable")
        #expect(error.json == nil)
    }

    @Test("request IDs come from x-amzn-RequestId or x-amz-request-id", arguments: [
        HTTPHeader("x-amzn-requestid", "ddb-1"), HTTPHeader("X-Amzn-RequestId", "ddb-1"), HTTPHeader("x-amz-request-id", "ddb-1"),
    ])
    func requestIDHeaders(_ header: HTTPHeader) {
        #expect(AWSErrorResponse(Self.response(412, "", headers: [header])).requestID == "ddb-1")
    }

    @Test("a request ID header wins over the one in the XML body")
    func headerRequestIDWins() {
        let error = AWSErrorResponse(Self.response(403, "<Error><Code>AccessDenied</Code><RequestId>from-body</RequestId></Error>",
                                                   headers: [HTTPHeader("x-amz-request-id", "from-header")]))
        #expect(error.requestID == "from-header")
        #expect(error.code == "AccessDenied")
        #expect(error.message == "")
    }
}
