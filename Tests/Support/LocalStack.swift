import Foundation
import JSON

/// moto server with signature checking on (scripts/lib/local_stack.py), shared by every test of
/// the run; each test creates its own table and bucket in it.
package final class LocalStack: @unchecked Sendable {
    package let endpoint: String
    package let admin: String
    package let region: String
    package let accessKeyID: String
    package let secretAccessKey: String
    private let process: ChildProcess

    private static let started: Result<LocalStack, TestSetupError> = {
        do {
            return .success(try LocalStack())
        } catch let error as TestSetupError {
            return .failure(error)
        } catch {
            return .failure(TestSetupError("\(error)"))
        }
    }()

    /// The run's stack, started on first use.
    package static func shared() throws -> LocalStack {
        try started.get()
    }

    private init() throws {
        let (process, ready) = try Python.startTool("local_stack.py", ["--port", "0", "--admin-port", "0"])
        guard let endpoint = ready["endpoint"] as? String, let admin = ready["admin"] as? String,
              let key = ready["access_key_id"] as? String, let secret = ready["secret_access_key"] as? String
        else { throw TestSetupError("local_stack.py ready line lacks endpoint/admin/keys: \(ready)") }
        self.process = process
        self.endpoint = endpoint
        self.admin = admin
        self.region = ready["region"] as? String ?? "us-east-1"
        self.accessKeyID = key
        self.secretAccessKey = secret
    }

    /// Creates a table (key `order_id`, TTL on `expiry_time`) and a bucket.
    package func createResources(table: String, bucket: String, versioning: Bool) throws {
        _ = try TestHTTP.expectOK("POST", admin + "/resources",
                                  json: ["table": .string(table), "bucket": .string(bucket), "versioning": .bool(versioning)])
    }

    /// Every item and every object version.
    package func state(table: String, bucket: String) throws -> StackState {
        let reply = try TestHTTP.expectOK("GET", admin + "/state?table=\(table)&bucket=\(bucket)")
        return try StackState(try reply.json())
    }

    /// Puts an item as given (DynamoDB JSON), e.g. an expired COMPLETED claim.
    package func putItem(table: String, item: JSONValue) throws {
        _ = try TestHTTP.expectOK("POST", admin + "/items", json: ["table": .string(table), "item": item])
    }

    /// Temporary credentials of the test role (ASIA… key and a session token).
    package func session() throws -> (accessKeyID: String, secretAccessKey: String, sessionToken: String) {
        let json = try TestHTTP.expectOK("POST", admin + "/session", json: [:]).json()
        guard let key = json["access_key_id"]?.stringValue, let secret = json["secret_access_key"]?.stringValue,
              let token = json["session_token"]?.stringValue
        else { throw TestSetupError("unexpected /session answer: \(json.serialized())") }
        return (key, secret, token)
    }
}

/// What moto holds for one test's table and bucket.
package struct StackState {
    package let items: [JSONValue]
    package let objects: [(key: String, versions: [JSONValue])]

    package init(_ json: JSONValue) throws {
        items = json["items"]?.arrayValue ?? []
        objects = (json["objects"]?.arrayValue ?? []).compactMap { object in
            guard let key = object["key"]?.stringValue else { return nil }
            return (key, object["versions"]?.arrayValue ?? [])
        }
    }

    /// The claim item of an order.
    package func item(_ orderID: String) -> JSONValue? {
        items.first { $0["order_id"]?["S"]?.stringValue == orderID }
    }

    /// A string attribute of an order's item.
    package func attribute(_ name: String, of orderID: String) -> String? {
        guard let value = item(orderID)?[name] else { return nil }
        return value["S"]?.stringValue ?? value["N"]?.stringValue
    }

    /// The versions of an object (one per write on a versioned bucket).
    package func versions(of key: String) -> [JSONValue] {
        objects.first { $0.key == key }?.versions ?? []
    }

    /// The current body of an object, parsed.
    package func document(_ key: String) throws -> JSONValue? {
        guard let body = versions(of: key).first(where: { $0["is_latest"]?.boolValue ?? true })?["body"]?.stringValue else { return nil }
        return try JSONValue.parse(body)
    }

    package var objectKeys: [String] { objects.map(\.key) }
}
