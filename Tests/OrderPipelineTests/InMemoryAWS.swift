import TransportDoubles
import AWSClient
import HTTP
import JSON
import Synchronization
@testable import OrderPipeline
#if canImport(Glibc)
import Glibc
#endif

/// DynamoDB's conditional claim and S3's `If-None-Match: *` in memory, answering by request rather
/// than by script order: the double for records processed concurrently, where the order of requests
/// is not known in advance. Thread-safe; the `ScriptedService` it answers for counts what was in flight.
final class InMemoryAWS: Sendable {
    private struct State {
        var items: [String: JSONValue] = [:]
        var objects: [String] = []
        var arrived = 0
        var gateOpen = false
    }
    private let state = Mutex(State())
    /// Requests hold until this many are in flight together (or the bound passes): proves overlap without timing.
    private let gate: Int
    /// S3 answers 403 AccessDenied for keys containing this text.
    private let refuseKeysContaining: Mutex<String?>

    init(gate: Int = 0, refuseKeysContaining: String? = nil) {
        self.gate = gate
        self.refuseKeysContaining = Mutex(refuseKeysContaining)
    }

    /// Object keys written (the URL paths), in the order they were written.
    var objects: [String] { state.withLock { $0.objects } }
    /// The claim items by order ID.
    var items: [String: JSONValue] { state.withLock { $0.items } }
    /// Whether the gate saw `gate` requests in flight together.
    var gateOpened: Bool { state.withLock { $0.gateOpen } }

    /// Stops refusing writes.
    func acceptWrites() { refuseKeysContaining.withLock { $0 = nil } }

    /// Stores a claim item as if an earlier invocation had left it.
    func seed(_ record: ClaimRecord) {
        state.withLock { $0.items[record.orderID] = record.item.json }
    }

    /// The fallback of a `ScriptedService` with no steps.
    var answer: @Sendable (HTTPRequest) -> HTTPResponse {
        { [self] request in
            waitAtGate()
            if let target = request.headers.value(for: "x-amz-target") {
                return dynamoDB(String(target.dropFirst("DynamoDB_20120810.".count)), request)
            }
            return s3(request)
        }
    }

    private func waitAtGate() {
        guard gate > 1 else { return }
        let open = state.withLock { state in
            state.arrived += 1
            if state.arrived >= gate { state.gateOpen = true }
            return state.gateOpen
        }
        guard !open else { return }
        // Bounded: 5 s at most, then the request goes on and the test's overlap assertion fails.
        for _ in 0..<5_000 {
            if state.withLock({ $0.gateOpen }) { return }
            usleep(1_000)
        }
    }

    private func dynamoDB(_ operation: String, _ request: HTTPRequest) -> HTTPResponse {
        guard let body = try? JSONValue.parse(request.body) else { return Self.response(400, "{}") }
        return state.withLock { state in
            switch operation {
            case "PutItem":
                guard let item = body["Item"], let orderID = item["order_id"]?["S"]?.stringValue else { return Self.response(400, "{}") }
                if let existing = state.items[orderID] {
                    return Self.response(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":\#(existing.serialized())}"#)
                }
                state.items[orderID] = item
                return Self.response(200, "{}")
            case "UpdateItem":
                guard let orderID = body["Key"]?["order_id"]?["S"]?.stringValue, let json = state.items[orderID],
                      var item = DynamoDBItem.fromJSON(json) else { return Self.response(400, "{}") }
                item["status"] = .string("COMPLETED")
                state.items[orderID] = item.json
                return Self.response(200, "{}")
            case "DeleteItem":
                guard let orderID = body["Key"]?["order_id"]?["S"]?.stringValue else { return Self.response(400, "{}") }
                state.items[orderID] = nil
                return Self.response(200, "{}")
            default:
                return Self.response(400, "{}")
            }
        }
    }

    private func s3(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(3).first.map(String.init) ?? request.url
        if let refused = refuseKeysContaining.withLock({ $0 }), path.contains(refused) {
            return HTTPResponse(status: 403, headers: [],
                                body: Array("<Error><Code>AccessDenied</Code><Message>refused</Message><RequestId>R</RequestId></Error>".utf8))
        }
        return state.withLock { state in
            if state.objects.contains(path) {
                return HTTPResponse(status: 412, headers: [],
                                    body: Array("<Error><Code>PreconditionFailed</Code><Message>exists</Message><RequestId>R</RequestId></Error>".utf8))
            }
            state.objects.append(path)
            return HTTPResponse(status: 200, headers: [HTTPHeader("ETag", "\"e\"")], body: [])
        }
    }

    private static func response(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [], body: Array(body.utf8))
    }
}
