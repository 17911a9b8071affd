import JSON
@testable import OrderPipeline
import Testing
import TransportDoubles

/// A seeded generator of hostile envelopes for the normalizer: each case is built with the answer it
/// must get (an order with a known key, or an `InvalidOrderEvent`), so the target checks the verdict,
/// not only that nothing crashed. Deterministic: a failure names its case number and reproduces.
@Suite("EnvelopeNormalizer fuzz")
struct EnvelopeFuzzTests {
    typealias Random = SeededRandom

    /// What a case must give.
    enum Expected {
        case order(String)
        case s3Orders([String?])  // nil: that record fails on its own
        case invalid
    }

    /// Hostile text for values and names: controls, escapes, marks, separators, long runs.
    static let hostilePieces = [
        "\\r", "\\n", "\\u001b[2J", "\\u0007", "\\u000b", "\\u000c", "\\u007f", "\\u009b", "\\u0085", "\\u2028", "\u{301}\u{316}",
        "e\u{301}", "\\u00e9", "/", "\\/", "%2F", "..", "\\\"", "\\\\", "注文", "😀", "\\ud83d\\ude00", " ", "\\t",
    ]

    static func hostileString(_ random: inout Random, maxPieces: Int = 6, runs: Bool = true) -> String {
        var text = ""
        for _ in 0..<random.next(maxPieces + 1) {
            text += !runs || random.chance(60) ? random.pick(hostilePieces)
                : String(repeating: random.pick(["a", "\u{301}", "\\u0316", "-"]), count: random.next(300))
        }
        return "\"" + text + "\""
    }

    static func extraMembers(_ random: inout Random, taken: Set<String>) -> [String] {
        var members: [String] = []
        var names = taken
        for index in 0..<random.next(4) {
            let name = random.chance(50) ? "x\(index)" : "x\(index)\(random.pick(["\u{301}", "\\u0301", "\u{E9}", "e\u{301}"]))"
            guard names.insert(name).inserted else { continue }
            let value = random.pick(["null", "[1,2,3]", "{\"a\":{\"b\":[]}}", hostileString(&random), "-0.0e5", "true"])
            members.append("\"\(name)\":\(value)")
        }
        return members
    }

    static func object(_ members: [String], _ random: inout Random) -> String {
        var shuffled = members
        for index in shuffled.indices.reversed() where index > 0 { shuffled.swapAt(index, random.next(index + 1)) }
        let space = random.pick(["", " ", "\n\t", "\r\n "])
        return "{" + space + shuffled.joined(separator: "," + space) + space + "}"
    }

    /// One case: the event's text and what it must give.
    static func makeCase(_ random: inout Random) -> (String, Expected) {
        let id = "o\(random.next(1_000_000))"
        let validID = random.pick(["\"\(id)\"", String(random.next(1_000_000))])
        let idText = validID.hasPrefix("\"") ? id : validID
        // Bad keys: each is refused, as a key or as the value of order_id.
        let badID = random.pick(["\"a/b\"", "\"\"", "\".\"", "\"..\"", "\"x\\u0001\"", "\"x\\u009f\"", "1.5", "true", "null", "{}", "[]",
                                 "\"" + String(repeating: "\u{301}", count: 300) + "\"", "\"" + String(repeating: "k", count: 600) + "\""])
        let price = random.pick(["42", "0", "19.99", "\"7.50\"", "\" 7.50\\n\"", "1e2"])
        let badPrice = random.pick(["-1", "\"abc\"", "null", "true", "[]", "{}", "\"1e999\""])
        switch random.next(9) {
        case 0:  // raw order, possibly with a `detail` or `Records` string of its own (still a raw order)
            var members = ["\"order_id\":\(validID)", "\"price\":\(price)"]
            if random.chance(50) { members.append("\"detail\":" + hostileString(&random)) }
            if random.chance(50) { members.append("\"Records\":" + random.pick([hostileString(&random), "[]", "[null]", "{}"])) }
            if random.chance(30) { members.append("\"source\":\"s\"") }
            return (object(members + extraMembers(&random, taken: ["order_id", "price"]), &random), .order(idText))
        case 1:  // EventBridge
            var detail = ["\"order_id\":\(validID)", "\"price\":\(price)"]
            detail += extraMembers(&random, taken: ["order_id", "price"])
            let members = ["\"detail-type\":" + hostileString(&random, maxPieces: 3, runs: false), "\"source\":\"demo.orders\"",
                           "\"detail\":" + object(detail, &random), "\"id\":\"e-1\""]
            return (object(members, &random), .order(idText))
        case 2:  // S3 with one to three records, some bad on their own
            var expected: [String?] = []
            var records: [String] = []
            for index in 0..<(1 + random.next(3)) {
                let good = index == 0 || random.chance(60)
                let key = good ? "incoming%2F\(id)-\(index).json".replacingOccurrences(of: "%2F", with: "/")
                    : random.pick(["incoming/", "a/%01.json", "a/%FF.json", "a/...json", "a/100%.json"])
                let name = good || random.chance(50) ? "ObjectCreated:Put" : "ObjectRemoved:Delete"
                let keyForRecord = good ? key : (name == "ObjectRemoved:Delete" ? "a/\(id).json" : key)
                records.append(object(["\"eventSource\":\"aws:s3\"", "\"eventName\":\"\(name)\"",
                                       "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"\(keyForRecord)\",\"size\":1}}"], &random))
                expected.append(good ? "\(id)-\(index)" : nil)
            }
            return ("{\"Records\":[" + records.joined(separator: ",") + "]}", .s3Orders(expected))
        case 3:  // a bad key
            return (random.chance(50) ? object(["\"order_id\":\(badID)", "\"price\":1"], &random)
                        : object(["\"detail-type\":\"t\"", "\"source\":\"s\"", "\"detail\":{\"order_id\":\(badID),\"price\":1}"], &random),
                    .invalid)
        case 4:  // a bad or missing price
            return (object(["\"order_id\":\(validID)"] + (random.chance(70) ? ["\"price\":\(badPrice)"] : []), &random), .invalid)
        case 5:  // not JSON: cut short, or broken somewhere
            let (text, _) = makeCase(&random)
            var bytes = Array(text.utf8)
            if random.chance(50) {
                bytes = Array(bytes.prefix(max(0, bytes.count - 1 - random.next(max(1, bytes.count / 2)))))
            } else {
                bytes.insert(random.pick([UInt8(ascii: ","), UInt8(ascii: "}"), 0x01, UInt8(ascii: "'")]), at: random.next(bytes.count + 1))
            }
            // A cut can leave valid JSON of another shape (or a cut UTF-8 sequence that decoding repairs):
            // then only check that it is answered, not which way.
            let broken = String(decoding: bytes, as: UTF8.self)
            return (broken, (try? JSONValue.parse(broken)) == nil ? .invalid : .order("?"))
        case 6:  // duplicate members, by code points
            // Swift's `==` on these would be canonical equivalence; the spellings are chosen by bytes.
            let name = random.pick(["price", "\u{E9}", "e\u{301}"])
            let spelled = name.utf8.elementsEqual("\u{E9}".utf8) ? random.pick(["\u{E9}", "\\u00e9", "\\u00E9"]) : name
            let members = name.utf8.elementsEqual("price".utf8)
                ? ["\"order_id\":\(validID)", "\"price\":1", "\"price\":2"]
                : ["\"order_id\":\(validID)", "\"price\":1", "\"\(name)\":1", "\"\(spelled)\":2"]
            return (object(members, &random), .invalid)
        case 7:  // EventBridge-ish but not an envelope, and no order_id
            let broken = random.pick([
                ["\"detail-type\":7", "\"source\":\"s\"", "\"detail\":{\"order_id\":\"1\",\"price\":1}"],
                ["\"detail-type\":\"t\"", "\"detail\":{\"order_id\":\"1\",\"price\":1}"],
                ["\"detail-type\":\"t\"", "\"source\":\"s\"", "\"detail\":" + hostileString(&random)],
                ["\"detail-type\":\"t\"", "\"source\":\"" + String(repeating: "s", count: 300) + "\"", "\"detail\":{\"order_id\":\"1\",\"price\":1}"],
                ["\"Records\":[null,1,\"x\"]"], ["\"Records\":" + hostileString(&random)],
            ])
            return (object(broken + extraMembers(&random, taken: ["detail-type", "source", "detail", "Records"]), &random), .invalid)
        default:  // JSON text holding a raw or EventBridge order (one level only)
            var inner = makeCase(&random)
            while true {
                if case .order(let key) = inner.1, key != "?", !inner.0.hasPrefix("\"") { break }
                inner = makeCase(&random)
            }
            return (JSONString.quoted(inner.0), inner.1)
        }
    }

    static func check(message: String, _ label: String) {
        #expect(message.utf8.count <= 4_096, "\(label): a message of \(message.utf8.count) bytes")
        let raw = message.unicodeScalars.filter { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 }
        #expect(raw.isEmpty, "\(label): raw control characters in \(message)")
    }

    @Test("4,000 seeded hostile envelopes: never a crash; invalid gives a bounded InvalidOrderEvent, valid the expected order")
    func hostileEnvelopes() {
        var random = Random(seed: 0x14_2026)
        for number in 0..<4_000 {
            let (text, expected) = Self.makeCase(&random)
            let label = "case \(number): \(text.prefix(300))"
            let result = Result { () throws(OrderPipelineError) in try EnvelopeNormalizer.normalize(Array(text.utf8)) }
            switch (expected, result) {
            case (.invalid, .failure(.invalidOrderEvent(let message))):
                Self.check(message: message, label)
            case (.order(let key), .success(.single(let order))):
                #expect(key == "?" || order.orderID == key, "\(label)")
                #expect(OrderKey.problem(with: order.orderID) == nil, "\(label)")
                #expect(order.canonicalOrderBytes == order.canonicalOrder.canonicalSerializedBytes(), "\(label)")
            case (.order("?"), .failure(.invalidOrderEvent(let message))):
                Self.check(message: message, label)
            case (.order("?"), .success(.s3Notification)):
                break
            case (.s3Orders(let keys), .success(.s3Notification(let records))):
                #expect(records.count == keys.count, "\(label)")
                for (key, record) in zip(keys, records) {
                    switch (key, record) {
                    case (let key?, .success(let order)): #expect(order.orderID == key, "\(label)")
                    case (nil, .failure(.invalidOrderEvent(let message))): Self.check(message: message, label)
                    default: Issue.record("\(label): expected \(String(describing: key)), got \(record)")
                    }
                }
            default:
                Issue.record("\(label): expected \(expected), got \(result)")
            }
        }
    }
}
