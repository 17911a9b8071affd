import Foundation
import JSON
import TestSupport

/// Faults as AWS serves them, and the proxy calls the resilience tests need beyond ``FaultProxy``'s own.
extension FaultProxy {
    /// Clears the rules, the log and the counters, and lets held requests go: the fault is over.
    func reset() throws {
        _ = try TestHTTP.expectOK("POST", admin + "/reset", json: [:])
    }

    /// The number of client connections the proxy has accepted since it started (or its last reset).
    func connectionsAccepted() throws -> Int {
        Int(try stats()["connections_accepted"]?.numberValue?.int64Value ?? -1)
    }

    /// Answers matching requests with an AWS error instead of forwarding them.
    /// - Parameters:
    ///   - service: `dynamodb` or `s3`.
    ///   - operation: e.g. `PutItem`, `PutObject`; `nil` for every operation of the service.
    ///   - error: The status, headers and body.
    ///   - times: How many requests get it (-1: until the proxy is reset).
    func respond(_ service: String, _ operation: String?, with error: AWSFault, times: Int) throws {
        var match: JSONObject = ["service": .string(service)]
        if let operation { match["operation"] = .string(operation) }
        try add(["match": .object(match), "action": "respond", "times": .number(JSONNumber(times)),
                 "status": .number(JSONNumber(error.status)), "headers": .object(error.headers), "body": .string(error.body)])
    }

    /// Applies another action (`reset`, `drop_after_forward`, `delay`, `hold`) to matching requests.
    func inject(_ action: String, on service: String, _ operation: String, times: Int = 1, extra: JSONObject = [:]) throws {
        var rule: JSONObject = ["match": ["service": .string(service), "operation": .string(operation)],
                                "action": .string(action), "times": .number(JSONNumber(times))]
        for (key, value) in extra { rule[key] = value }
        try add(.object(rule))
    }
}

/// An AWS error response, exactly as the service would send it.
struct AWSFault {
    let status: Int
    let headers: JSONObject
    let body: String

    /// An S3 REST-XML error (`<Error><Code>…`).
    static func s3(_ status: Int, _ code: String, _ message: String, headers: JSONObject = [:]) -> AWSFault {
        let requestID = "FAULT\(UUID().uuidString.prefix(8))"
        var all = headers
        all["x-amz-request-id"] = .string(requestID)
        return AWSFault(status: status, headers: all, body: """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>\(requestID)</RequestId><HostId>fault-proxy</HostId></Error>
            """)
    }

    /// A DynamoDB JSON 1.0 error (`{"__type": "com.amazonaws.dynamodb.v20120810#Code", "message": …}`).
    static func dynamoDB(_ status: Int, _ code: String, _ message: String, headers: JSONObject = [:]) -> AWSFault {
        let requestID = "FAULT\(UUID().uuidString.prefix(8))"
        var all = headers
        all["x-amzn-RequestId"] = .string(requestID)
        let body: JSONValue = ["__type": .string("com.amazonaws.dynamodb.v20120810#\(code)"), "message": .string(message)]
        return AWSFault(status: status, headers: all, body: body.serialized())
    }

    static let slowDown = s3(503, "SlowDown", "Please reduce your request rate.")
    static let s3Unavailable = s3(503, "ServiceUnavailable", "Service is unable to handle request.")
    static let dynamoDBUnavailable = dynamoDB(503, "ServiceUnavailable", "The service is currently unavailable.")
}

extension JSONValue {
    /// A number field of a proxy log entry (`started_ms`, `status`, …).
    func int(_ key: String) -> Int64? { self[key]?.numberValue?.int64Value }

    /// A request header from a proxy log entry, any case.
    func header(_ name: String) -> String? {
        self["headers"]?.objectValue?.first { $0.key.lowercased() == name.lowercased() }?.value.stringValue
    }
}

/// The emulator's record of one invocation (`/emulator/state`).
extension RuntimeEmulator {
    func record(of requestID: String) throws -> JSONValue? {
        try state()["invocations"]?.arrayValue?.last { $0["request_id"]?.stringValue == requestID }
    }
}
