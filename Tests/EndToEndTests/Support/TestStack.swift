import Foundation
import JSON
import TestSupport

/// One test's world: its own table and bucket in the shared moto, its own Runtime API emulator,
/// optionally a fault proxy between the function and moto, and the bootstrap processes it starts.
final class TestStack {
    let localStack: LocalStack
    let table: String
    let bucket: String
    let emulator: RuntimeEmulator
    let proxy: FaultProxy?
    private(set) var bootstraps: [BootstrapProcess] = []

    /// - Parameters:
    ///   - versioning: Turn on bucket versioning (to count object versions).
    ///   - withProxy: Route the function's AWS calls through a fault proxy.
    ///   - invocationTimeoutMilliseconds: The emulator's default invocation deadline.
    ///   - invocationIDs: Whether the emulator sends `Lambda-Runtime-Invocation-Id` (`false`: a Runtime API before 2026).
    init(versioning: Bool = true, withProxy: Bool = false, invocationTimeoutMilliseconds: Int = 5_000,
         invocationIDs: Bool = true) throws {
        localStack = try LocalStack.shared()
        let suffix = UUID().uuidString.lowercased().prefix(8)
        table = "orders-\(suffix)"
        bucket = "orders-\(suffix)"
        try localStack.createResources(table: table, bucket: bucket, versioning: versioning)
        emulator = try RuntimeEmulator(timeoutMilliseconds: invocationTimeoutMilliseconds, invocationIDs: invocationIDs)
        proxy = withProxy ? try FaultProxy(upstream: localStack.endpoint) : nil
    }

    deinit {
        for bootstrap in bootstraps { bootstrap.stop() }
    }

    /// Where the function sends its AWS calls.
    var awsEndpoint: String { proxy?.endpoint ?? localStack.endpoint }

    /// The environment a deployed function would have, pointed at the local stack.
    var functionEnvironment: [String: String] {
        [
            "AWS_LAMBDA_RUNTIME_API": emulator.runtimeAPI,
            "BUCKET": bucket,
            "TABLE": table,
            "AWS_REGION": localStack.region,
            "AWS_ACCESS_KEY_ID": localStack.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": localStack.secretAccessKey,
            "AWS_ENDPOINT_URL": awsEndpoint,
            "AWS_LAMBDA_FUNCTION_NAME": "order-pipeline-test",
            "HOME": FileManager.default.temporaryDirectory.path,
        ]
    }

    /// Starts a `bootstrap` and waits until it polls `/next`.
    /// - Parameter changes: Variables to set (a value) or remove (`nil`).
    @discardableResult
    func startBootstrap(_ changes: [String: String?] = [:], waitUntilPolling: Bool = true) throws -> BootstrapProcess {
        var environment = functionEnvironment
        for (name, value) in changes { environment[name] = value }
        let pollersBefore = try emulator.state()["pollers_waiting"]?.numberValue?.int64Value ?? 0
        let bootstrap = try BootstrapProcess(environment: environment)
        bootstraps.append(bootstrap)
        if waitUntilPolling { try emulator.waitForPollers(Int(pollersBefore) + 1) }
        return bootstrap
    }

    func invoke(_ event: JSONValue, requestID: String? = nil, timeoutMilliseconds: Int? = nil) throws -> RuntimeEmulator.Invocation {
        try emulator.invoke(event, requestID: requestID, timeoutMilliseconds: timeoutMilliseconds)
    }

    func state() throws -> StackState {
        try localStack.state(table: table, bucket: bucket)
    }

    /// The contents of a file in events/.
    static func eventFile(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Layout.eventsDirectory.appendingPathComponent(name)))
    }
}

/// Sample events built in tests.
enum Events {
    static func eventBridge(orderID: JSONValue, price: JSONValue = 42) -> JSONValue {
        [
            "version": "0", "id": .string(UUID().uuidString.lowercased()), "detail-type": "order.created",
            "source": "demo.orders", "account": "123456789012", "time": "2026-11-25T18:43:48Z",
            "region": "us-east-1", "resources": [], "detail": ["order_id": orderID, "price": price],
        ]
    }

    static func raw(orderID: JSONValue, price: JSONValue = 42) -> JSONValue {
        ["order_id": orderID, "price": price]
    }

    static func s3(bucket: String = "incoming-orders", keys: [String]) -> JSONValue {
        .object(["Records": .array(keys.enumerated().map { index, key in
            [
                "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
                "eventTime": "2026-11-25T18:45:10.123Z", "eventName": "ObjectCreated:Put",
                "s3": ["bucket": ["name": .string(bucket)],
                       "object": ["key": .string(key), "size": .number(JSONNumber(100 + index)),
                                  "eTag": .string("etag-\(key)"), "sequencer": .string("00\(index)")]],
            ]
        })])
    }

    /// A fresh order ID, so tests never share orders.
    static func uniqueOrderID(_ prefix: String = "order") -> String {
        "\(prefix)-\(UUID().uuidString.lowercased().prefix(12))"
    }
}
