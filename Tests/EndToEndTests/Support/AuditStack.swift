import Foundation
import JSON
import TestSupport

/// A test stack's own audit and totals tables (AUDIT_TABLE, TOTALS_TABLE), created in the shared
/// moto as the template makes them: the audit table keyed by `order_id`, the totals by `day`.
struct AuditTables {
    let audit: String
    let totals: String
    private let localStack: LocalStack

    init(_ stack: TestStack) throws {
        localStack = stack.localStack
        audit = "audit-" + stack.table
        totals = "totals-" + stack.table
        _ = try TestHTTP.expectOK("POST", localStack.admin + "/resources",
                                  json: ["audit_table": .string(audit), "totals_table": .string(totals)])
    }

    /// The variables that turn the audit trail on.
    var environment: [String: String?] { ["AUDIT_TABLE": audit, "TOTALS_TABLE": totals] }

    /// Every audit item.
    func auditItems() throws -> [JSONValue] {
        try items(audit)
    }

    /// The audit items of one order (one, once it completed).
    func auditItems(of orderID: String) throws -> [JSONValue] {
        try auditItems().filter { $0["order_id"]?["S"]?.stringValue == orderID }
    }

    /// The totals by day: the order count and the revenue exactly as DynamoDB stored them.
    func totalsByDay() throws -> [String: (orders: String?, revenue: String?)] {
        var totals: [String: (orders: String?, revenue: String?)] = [:]
        for item in try items(self.totals) {
            guard let day = item["day"]?["S"]?.stringValue else { continue }
            totals[day] = (item["orders"]?["N"]?.stringValue, item["revenue"]?["N"]?.stringValue)
        }
        return totals
    }

    /// The only day's totals (the tests run within one UTC day, or fail saying otherwise).
    func singleDay() throws -> (orders: String?, revenue: String?)? {
        let all = try totalsByDay()
        guard all.count <= 1 else { throw TestSetupError("orders were counted on several days: \(all.keys.sorted())") }
        return all.values.first
    }

    private func items(_ table: String) throws -> [JSONValue] {
        try TestHTTP.expectOK("GET", localStack.admin + "/state?table=\(table)").json()["items"]?.arrayValue ?? []
    }
}

/// A decimal number's text without the zeros that do not change its value (`20.00` → `20`,
/// `27.80` → `27.8`): DynamoDB normalises, moto keeps the scale; the value is what counts.
func normalizedDecimal(_ text: String?) -> String? {
    guard var text, text.contains(".") else { return text }
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// The proxy's record of DynamoDB's ClientRequestTokens.
extension FaultProxy {
    /// The tokens it remembers, with their state (`in_flight` or `done`).
    func clientTokens() throws -> [(token: String, state: String)] {
        let tokens = try TestHTTP.expectOK("GET", admin + "/client-tokens").json()["tokens"]?.arrayValue ?? []
        return tokens.compactMap { entry in
            guard let token = entry["token"]?.stringValue, let state = entry["state"]?.stringValue else { return nil }
            return (token, state)
        }
    }

    /// Forgets the completed tokens, as DynamoDB does when its 10-minute window has passed.
    @discardableResult
    func expireClientTokens() throws -> [String] {
        (try TestHTTP.expectOK("POST", admin + "/client-tokens/expire", json: [:]).json()["expired"]?.arrayValue ?? [])
            .compactMap(\.stringValue)
    }
}
