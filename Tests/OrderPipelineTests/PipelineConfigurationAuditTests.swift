import Testing
@testable import OrderPipeline

/// `AUDIT_TABLE` and `TOTALS_TABLE`.
@Suite("PipelineConfiguration: the audit trail")
struct PipelineConfigurationAuditTests {
    typealias Base = PipelineConfigurationTests

    @Test("neither set: no audit trail (orders complete with one UpdateItem)")
    func off() throws {
        #expect(try Base.configuration().auditTrail == nil)
        #expect(try Base.configuration(["AUDIT_TABLE": " ", "TOTALS_TABLE": ""]).auditTrail == nil, "blank is unset")
    }

    @Test("either or both set", arguments: [
        (["AUDIT_TABLE": "order-audit"], AuditTrailTables(audit: "order-audit", totals: nil)),
        (["TOTALS_TABLE": "order_totals.v2"], AuditTrailTables(audit: nil, totals: "order_totals.v2")),
        (["AUDIT_TABLE": "a-t", "TOTALS_TABLE": "t-t"], AuditTrailTables(audit: "a-t", totals: "t-t")),
        (["AUDIT_TABLE": "arn:aws:dynamodb:eu-west-1:123456789012:table/order-audit"],
         AuditTrailTables(audit: "arn:aws:dynamodb:eu-west-1:123456789012:table/order-audit", totals: nil)),
    ])
    func on(_ environment: [String: String], _ expected: AuditTrailTables?) throws {
        #expect(try Base.configuration(environment).auditTrail == expected)
    }

    @Test("what is refused, naming the variable", arguments: [
        (["AUDIT_TABLE": "ab"], "AUDIT_TABLE", #"expected a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ - .) or a table ARN, found "ab""#),
        (["TOTALS_TABLE": "totals by day"], "TOTALS_TABLE", #"found "totals by day""#),
        (["AUDIT_TABLE": "arn:aws:dynamodb:eu-west-1:123456789012:index/x"], "AUDIT_TABLE", "or a table ARN"),
        (["AUDIT_TABLE": String(repeating: "a", count: 256)], "AUDIT_TABLE", "3 to 255"),
        (["AUDIT_TABLE": "processed-orders"], "AUDIT_TABLE", #""processed-orders" is the claim table (TABLE)"#),
        (["TABLE": "claims", "TOTALS_TABLE": "claims"], "TOTALS_TABLE", "is the claim table (TABLE)"),
        (["AUDIT_TABLE": "same", "TOTALS_TABLE": "same"], "TOTALS_TABLE", #""same" is also AUDIT_TABLE"#),
    ])
    func refused(_ environment: [String: String], _ variable: String, _ message: String) throws {
        let error = try #require(Base.error(environment))
        #expect(error.variable == variable)
        #expect(error.message.contains(message), "\(error.message)")
    }
}
