import Foundation
import Testing
import TestSupport

/// template.yaml: lint-clean, transforms like CloudFormation's SAM transform, and grants nothing
/// beyond what the function calls.
@Suite("template.yaml")
struct TemplateTests {
    /// What the function role may do, and nothing else.
    static let allowedActions: Set<String> = [
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
        "s3:PutObject", "sqs:SendMessage", "logs:CreateLogStream", "logs:PutLogEvents",
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
    ]

    @Test("cfn-lint reports nothing")
    func cfnLintIsClean() async throws {
        guard let cfnLint = PackageLayout.tool("cfn-lint") else {
            throw TestSetupError("cfn-lint is not installed: scripts/test installs it (pip install cfn-lint)")
        }
        let linted = try ChildProcess.run(cfnLint, [PackageLayout.template], timeout: .seconds(120))
        #expect(linted.status == 0, "\(linted.output)")
        #expect(linted.standardOutput.isEmpty && linted.standardError.isEmpty, "\(linted.output)")
    }

    @Test("the function: provided.al2023, handler bootstrap, x86_64, the packaged zip, JSON logs")
    func function() async throws {
        let function = try await Self.transformed().resource("OrderFunction", type: "AWS::Lambda::Function")
        #expect(function["Runtime"] as? String == "provided.al2023")
        #expect(function["Handler"] as? String == "bootstrap")
        #expect(function["Architectures"] as? [String] == ["x86_64"])
        #expect((function["Code"] as? [String: Any])?["S3Key"] as? String == ".build/lambda/bootstrap.zip")
        let logging = function["LoggingConfig"] as? [String: Any] ?? [:]
        #expect(logging["LogFormat"] as? String == "JSON")
        #expect(Self.same(logging["LogGroup"], ["Ref": "OrderFunctionLogGroup"]))
        let variables = (function["Environment"] as? [String: Any])?["Variables"] as? [String: Any] ?? [:]
        for name in ["BUCKET", "RAW_PREFIX", "TABLE", "IDEMPOTENCY_TTL_SECONDS", "METRICS_NAMESPACE"] {
            #expect(variables[name] != nil, "\(name) is not set")
        }
        #expect(Self.same(variables["RAW_PREFIX"], ["Ref": "RawPrefix"]))
        #expect(Self.same(variables["TABLE"], ["Ref": "OrdersTable"]))
        // The longest failure path: complete and then release each exhausting DynamoDB's 4 attempts
        // (with their backoff), plus the margin kept to report the error (see the template's comment).
        let timeout = function["Timeout"] as? Int ?? 0
        let attempt = Int(variables["AWS_ATTEMPT_TIMEOUT_MS"] as? String ?? "") ?? 3_000
        let margin = Int(variables["DEADLINE_MARGIN_MS"] as? String ?? "") ?? 500
        let budget = 2 * (4 * attempt + 25 + 50 + 100) + margin
        #expect(timeout * 1_000 > budget, "timeout \(timeout) s is below the retry budget of \(budget) ms")
    }

    @Test("the role grants exactly the function's calls, with no wildcard beyond the prefix and log streams")
    func leastPrivilege() async throws {
        let template = try await Self.transformed()
        let role = try template.resource("OrderFunctionRole", type: "AWS::IAM::Role")
        #expect(role["ManagedPolicyArns"] == nil, "no managed policy (AWSLambdaBasicExecutionRole allows logs on *)")
        let function = try template.resource("OrderFunction", type: "AWS::Lambda::Function")
        #expect(Self.same(function["Role"], ["Fn::GetAtt": ["OrderFunctionRole", "Arn"]]))
        #expect(template.resources(ofType: "AWS::IAM::Policy").isEmpty && template.resources(ofType: "AWS::IAM::ManagedPolicy").isEmpty,
                "no other policy may attach to the role")

        let statements = (role["Policies"] as? [[String: Any]] ?? []).flatMap {
            Self.statements(($0["PolicyDocument"] as? [String: Any])?["Statement"])
        }
        try #require(!statements.isEmpty)
        var granted: [String: Any] = [:]
        var grantedOn: [String: [Any]] = [:]
        for statement in statements {
            #expect(statement["Effect"] as? String == "Allow")
            #expect(statement["NotAction"] == nil && statement["NotResource"] == nil)
            let actions = Self.strings(statement["Action"])
            for action in actions {
                #expect(!action.contains("*"), "wildcard action \(action)")
                #expect(Self.allowedActions.contains(action), "unexpected action \(action)")
                granted[action] = statement["Resource"]
                grantedOn[action, default: []].append(statement["Resource"] as Any)
            }
            let resource = Self.resourceText(statement["Resource"])
            if resource.contains("*") {
                let allowed = resource == "arn:${AWS::Partition}:s3:::${Bucket}/${RawPrefix}*"
                    || resource == "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${OrderFunctionLogGroup}:*"
                #expect(allowed, "wildcard resource \(resource) for \(actions)")
            }
        }
        #expect(Set(granted.keys) == Self.allowedActions)
        // Item actions on exactly the tables that need them: the claim table for claim, complete and
        // release; the audit table for its one Put, the totals table for its one Update (the completing
        // transaction is authorised per item action).
        let expectedTables: [String: [String]] = [
            "dynamodb:PutItem": ["OrdersTable", "AuditTable"],
            "dynamodb:UpdateItem": ["OrdersTable", "TotalsTable"],
            "dynamodb:DeleteItem": ["OrdersTable"],
        ]
        for (action, tables) in expectedTables {
            let resources = grantedOn[action] ?? []
            #expect(resources.count == tables.count, "\(action) on \(resources)")
            for table in tables {
                #expect(resources.contains { Self.same($0, ["Fn::GetAtt": [table, "Arn"]]) }, "\(action) must be granted on \(table)")
            }
        }
        for action in ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] {
            #expect(Self.same(granted[action], ["Fn::GetAtt": ["OrderQueue", "Arn"]]), "\(action) must be on the order queue only")
        }
        #expect(Self.same(granted["sqs:SendMessage"], ["Fn::GetAtt": ["AsyncFailureQueue", "Arn"]]))

        // s3:PutObject: exactly RAW_PREFIX* in the order bucket (the same name expression as the bucket's).
        let put = try #require(granted["s3:PutObject"] as? [String: Any])
        let sub = try #require(put["Fn::Sub"] as? [Any])
        #expect(sub.first as? String == "arn:${AWS::Partition}:s3:::${Bucket}/${RawPrefix}*")
        let bucket = try template.resource("OrdersBucket", type: "AWS::S3::Bucket")
        #expect(Self.same((sub.last as? [String: Any])?["Bucket"], bucket["BucketName"]), "the PutObject bucket must be the order bucket")
    }

    @Test("no Allow statement anywhere in the template has a wildcard action")
    func noWildcardAllows() async throws {
        let template = try await Self.transformed()
        var documents: [(String, [String: Any])] = []
        for (name, resource) in template.resources {
            let properties = resource["Properties"] as? [String: Any] ?? [:]
            for key in ["PolicyDocument", "AssumeRolePolicyDocument"] {
                if let document = properties[key] as? [String: Any] { documents.append((name, document)) }
            }
            for policy in properties["Policies"] as? [[String: Any]] ?? [] {
                if let document = policy["PolicyDocument"] as? [String: Any] { documents.append((name, document)) }
            }
        }
        #expect(documents.count >= 4)
        for (name, document) in documents {
            for statement in document["Statement"] as? [[String: Any]] ?? [] where statement["Effect"] as? String == "Allow" {
                for action in Self.strings(statement["Action"]) {
                    #expect(!action.contains("*"), "\(name): wildcard action \(action)")
                }
                #expect(!Self.same(statement["Principal"], "*") && !Self.same(statement["Principal"], ["AWS": "*"]), "\(name): Allow to everyone")
            }
        }
        for resource in template.resources(ofType: "AWS::Lambda::Permission") {
            let principal = (resource["Properties"] as? [String: Any])?["Principal"] as? String ?? ""
            #expect(principal.hasSuffix(".amazonaws.com"), "invoke permission for \(principal)")
            #expect((resource["Properties"] as? [String: Any])?["SourceArn"] != nil, "invoke permission without SourceArn")
        }
    }

    @Test("the EventBridge rule: demo.orders / order.created, retries for 24 h, dead letters to SQS")
    func rule() async throws {
        let template = try await Self.transformed()
        let rule = try template.resource("OrderCreatedRule", type: "AWS::Events::Rule")
        let pattern = rule["EventPattern"] as? [String: Any] ?? [:]
        #expect(pattern["source"] as? [String] == ["demo.orders"])
        #expect(pattern["detail-type"] as? [String] == ["order.created"])
        // The function's target (no queue) and the queue's: the same retries and dead letters.
        let branches = try #require((rule["Targets"] as? [String: Any])?["Fn::If"] as? [Any])
        let queueTarget = try #require((branches[1] as? [[String: Any]])?.first)
        let target = try #require((branches[2] as? [[String: Any]])?.first)
        #expect(Self.same(target["Arn"], ["Fn::GetAtt": ["OrderFunction", "Arn"]]))
        for target in [target, queueTarget] {
            #expect((target["RetryPolicy"] as? [String: Any])?["MaximumEventAgeInSeconds"] as? Int == 86_400)
            #expect((target["RetryPolicy"] as? [String: Any])?["MaximumRetryAttempts"] != nil)
            #expect(Self.same((target["DeadLetterConfig"] as? [String: Any])?["Arn"], ["Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]]))
        }
        let queuePolicy = try template.resource("EventsDeadLetterQueuePolicy", type: "AWS::SQS::QueuePolicy")
        let statement = try #require(((queuePolicy["PolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]])?.first)
        #expect(Self.same(statement["Principal"], ["Service": "events.amazonaws.com"]))
        #expect(Self.same((statement["Condition"] as? [String: Any])?["ArnEquals"], ["aws:SourceArn": ["Fn::GetAtt": ["OrderCreatedRule", "Arn"]]]))

        let invokeConfig = try #require(template.resources(ofType: "AWS::Lambda::EventInvokeConfig").first?["Properties"] as? [String: Any])
        #expect(invokeConfig["MaximumRetryAttempts"] as? Int == 2)
        #expect(invokeConfig["MaximumEventAgeInSeconds"] as? Int == 21_600)
        let onFailure = ((invokeConfig["DestinationConfig"] as? [String: Any])?["OnFailure"] as? [String: Any])?["Destination"]
        #expect(Self.same(onFailure, ["Fn::GetAtt": ["AsyncFailureQueue", "Arn"]]))
    }

    @Test("the table: order_id key, on demand, TTL on expiry_time, point-in-time recovery")
    func table() async throws {
        let table = try await Self.transformed().resource("OrdersTable", type: "AWS::DynamoDB::Table")
        #expect(Self.same(table["KeySchema"], [["AttributeName": "order_id", "KeyType": "HASH"]]))
        #expect(Self.same(table["AttributeDefinitions"], [["AttributeName": "order_id", "AttributeType": "S"]]))
        #expect(table["BillingMode"] as? String == "PAY_PER_REQUEST")
        #expect(Self.same(table["TimeToLiveSpecification"], ["AttributeName": "expiry_time", "Enabled": true]))
        #expect(Self.same(table["PointInTimeRecoverySpecification"], ["PointInTimeRecoveryEnabled": true]))
    }

    @Test("the bucket: private, encrypted, versioned, TLS only")
    func bucket() async throws {
        let template = try await Self.transformed()
        let bucket = try template.resource("OrdersBucket", type: "AWS::S3::Bucket")
        #expect(Self.same(bucket["PublicAccessBlockConfiguration"], [
            "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
        ]))
        #expect(bucket["BucketEncryption"] != nil)
        #expect(Self.same(bucket["VersioningConfiguration"], ["Status": "Enabled"]))
        #expect(Self.same(bucket["OwnershipControls"], ["Rules": [["ObjectOwnership": "BucketOwnerEnforced"]]]))
        let policy = try template.resource("OrdersBucketPolicy", type: "AWS::S3::BucketPolicy")
        let statements = (policy["PolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]] ?? []
        #expect(statements.contains {
            $0["Effect"] as? String == "Deny" && Self.same($0["Condition"], ["Bool": ["aws:SecureTransport": "false"]])
        }, "\(statements)")
    }

    @Test("the optional S3 trigger listens on incoming/, which RAW_PREFIX can never start with")
    func s3TriggerCannotRecurse() async throws {
        let template = try await Self.transformed()
        let bucket = try template.resource("OrdersBucket", type: "AWS::S3::Bucket")
        let branches = try #require((bucket["NotificationConfiguration"] as? [String: Any])?["Fn::If"] as? [Any])
        #expect(branches.first as? String == "S3TriggerToFunction")
        let configurations = (branches.dropFirst().first as? [String: Any])?["LambdaConfigurations"] as? [[String: Any]] ?? []
        let configuration = try #require(configurations.first)
        #expect(configuration["Event"] as? String == "s3:ObjectCreated:*")
        let rules = ((configuration["Filter"] as? [String: Any])?["S3Key"] as? [String: Any])?["Rules"] as? [[String: Any]] ?? []
        let triggerPrefix = try #require(rules.first { $0["Name"] as? String == "prefix" }?["Value"] as? String)
        #expect(triggerPrefix == "incoming/")
        // With the queue, the same notification goes to the queue instead, on the same prefix.
        let queueBranches = try #require((branches.last as? [String: Any])?["Fn::If"] as? [Any])
        #expect(queueBranches.first as? String == "S3TriggerToQueue")
        let queueConfiguration = try #require(((queueBranches[1] as? [String: Any])?["QueueConfigurations"] as? [[String: Any]])?.first)
        #expect(Self.same(queueConfiguration["Queue"], ["Fn::GetAtt": ["OrderQueue", "Arn"]]))
        #expect(Self.same(queueConfiguration["Filter"], configuration["Filter"]))

        let parameter = try #require(template.parameters["RawPrefix"])
        let defaultPrefix = try #require(parameter["Default"] as? String)
        #expect(defaultPrefix == "raw/events/")
        #expect(!defaultPrefix.hasPrefix(triggerPrefix) && !triggerPrefix.hasPrefix(defaultPrefix))
        // CloudFormation checks AllowedPattern with Java regular expressions; ICU's agree on these.
        let pattern = try NSRegularExpression(pattern: try #require(parameter["AllowedPattern"] as? String))
        func allowed(_ value: String) -> Bool {
            pattern.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        }
        #expect(allowed(defaultPrefix))
        #expect(allowed("orders/raw/"))
        for value in [triggerPrefix, "\(triggerPrefix)raw/", "\(triggerPrefix)a/b/", "/raw/events/", "raw/events", "raw events/"] {
            #expect(!allowed(value), "RawPrefix \"\(value)\" must be refused")
        }
        let assertions = (template.rules["RawPrefixIsNotTheTriggerPrefix"] as? [String: Any])?["Assertions"] as? [[String: Any]] ?? []
        #expect(Self.same(assertions.first?["Assert"], ["Fn::Not": [["Fn::Equals": [["Ref": "RawPrefix"], triggerPrefix]]]]))

        let permission = try template.resource("S3InvokePermission", type: "AWS::Lambda::Permission")
        #expect(permission["Principal"] as? String == "s3.amazonaws.com")
        #expect(template.resources["S3InvokePermission"]?["Condition"] as? String == "S3TriggerToFunction")
    }

    @Test("alarms: function errors, the three queues, and the duplicate rate from the EMF metrics")
    func alarms() async throws {
        let template = try await Self.transformed()
        let alarms = template.resources(ofType: "AWS::CloudWatch::Alarm").compactMap { $0["Properties"] as? [String: Any] }
        #expect(alarms.contains { $0["Namespace"] as? String == "AWS/Lambda" && $0["MetricName"] as? String == "Errors" })
        let queueAlarms = alarms.filter { $0["MetricName"] as? String == "ApproximateNumberOfMessagesVisible" }
        #expect(queueAlarms.count == 3, "the events DLQ, the async failure queue and the order queue's DLQ")
        let rate = try #require(alarms.first { $0["Metrics"] != nil })
        let metrics = rate["Metrics"] as? [[String: Any]] ?? []
        let names = metrics.compactMap { (($0["MetricStat"] as? [String: Any])?["Metric"] as? [String: Any]) }
        #expect(Set(names.compactMap { $0["MetricName"] as? String }) == ["DuplicatesSkipped", "OrdersProcessed"])
        #expect(names.allSatisfy { $0["Namespace"] as? String == "OrderPipeline" })
        #expect(names.allSatisfy { Self.same($0["Dimensions"], [["Name": "FunctionName", "Value": ["Ref": "OrderFunction"]]]) })
        let expression = metrics.compactMap { $0["Expression"] as? String }.first ?? ""
        #expect(expression.contains("duplicates") && expression.contains("processed"), "\(expression)")
    }

    @Test("the audit and totals tables: on by default, on demand, point-in-time recovery, deletion protection, retained")
    func auditTrailTables() async throws {
        let template = try await Self.transformed()
        #expect(template.parameters["EnableAuditTrail"]?["Default"] as? String == "true")
        for (name, key) in [("AuditTable", "order_id"), ("TotalsTable", "day")] {
            let table = try template.resource(name, type: "AWS::DynamoDB::Table")
            #expect(template.resources[name]?["Condition"] as? String == "AuditTrailEnabled")
            #expect(template.resources[name]?["DeletionPolicy"] as? String == "Retain", "\(name) must outlive the stack")
            #expect(Self.same(table["KeySchema"], [["AttributeName": key, "KeyType": "HASH"]]))
            #expect(Self.same(table["AttributeDefinitions"], [["AttributeName": key, "AttributeType": "S"]]))
            #expect(table["BillingMode"] as? String == "PAY_PER_REQUEST")
            #expect(table["DeletionProtectionEnabled"] as? Bool == true)
            #expect(table["TimeToLiveSpecification"] == nil, "\(name) keeps its items")
            #expect(Self.same(table["PointInTimeRecoverySpecification"], ["PointInTimeRecoveryEnabled": true]))
        }
        let function = try template.resource("OrderFunction", type: "AWS::Lambda::Function")
        let variables = (function["Environment"] as? [String: Any])?["Variables"] as? [String: Any] ?? [:]
        #expect(Self.same(variables["AUDIT_TABLE"], ["Fn::If": ["AuditTrailEnabled", ["Ref": "AuditTable"], ["Ref": "AWS::NoValue"]]]))
        #expect(Self.same(variables["TOTALS_TABLE"], ["Fn::If": ["AuditTrailEnabled", ["Ref": "TotalsTable"], ["Ref": "AWS::NoValue"]]]))
    }

    @Test("the optional queue: rule and bucket send to it, partial batch responses, 6x visibility, redrive to an alarmed DLQ")
    func optionalQueue() async throws {
        let template = try await Self.transformed()
        #expect(template.parameters["EnableQueue"]?["Default"] as? String == "false")
        let queue = try template.resource("OrderQueue", type: "AWS::SQS::Queue")
        let function = try template.resource("OrderFunction", type: "AWS::Lambda::Function")
        let timeout = try #require(function["Timeout"] as? Int)
        let mapping = try template.resource("OrderQueueEventSource", type: "AWS::Lambda::EventSourceMapping")
        let window = try #require(mapping["MaximumBatchingWindowInSeconds"] as? Int)
        #expect((queue["VisibilityTimeout"] as? Int ?? 0) >= 6 * timeout + window,
                "visibility timeout below 6x the function timeout plus the batching window")
        let variables = (function["Environment"] as? [String: Any])?["Variables"] as? [String: Any] ?? [:]
        let concurrency = try #require((variables["BATCH_CONCURRENCY"] as? String).flatMap { Int($0) })
        #expect((1...64).contains(concurrency), "BATCH_CONCURRENCY within what the function accepts")
        let redrive = queue["RedrivePolicy"] as? [String: Any] ?? [:]
        #expect(Self.same(redrive["deadLetterTargetArn"], ["Fn::GetAtt": ["OrderQueueDeadLetterQueue", "Arn"]]))
        #expect((redrive["maxReceiveCount"] as? Int ?? 0) > 1)

        #expect(template.resources["OrderQueueEventSource"]?["Condition"] as? String == "QueueEnabled")
        #expect(Self.same(mapping["EventSourceArn"], ["Fn::GetAtt": ["OrderQueue", "Arn"]]))
        #expect(mapping["FunctionResponseTypes"] as? [String] == ["ReportBatchItemFailures"])
        #expect(mapping["MaximumBatchingWindowInSeconds"] != nil)
        #expect((mapping["ScalingConfig"] as? [String: Any])?["MaximumConcurrency"] != nil)

        // The rule targets the queue when it exists, the function otherwise.
        let rule = try template.resource("OrderCreatedRule", type: "AWS::Events::Rule")
        let targets = try #require((rule["Targets"] as? [String: Any])?["Fn::If"] as? [Any])
        #expect(targets.first as? String == "QueueEnabled")
        #expect(Self.same(((targets[1] as? [[String: Any]])?.first)?["Arn"], ["Fn::GetAtt": ["OrderQueue", "Arn"]]))
        #expect(Self.same(((targets[2] as? [[String: Any]])?.first)?["Arn"], ["Fn::GetAtt": ["OrderFunction", "Arn"]]))

        // Only the rule and this account's bucket may send to the queue.
        let policy = try template.resource("OrderQueuePolicy", type: "AWS::SQS::QueuePolicy")
        let statements = (policy["PolicyDocument"] as? [String: Any])?["Statement"] as? [[String: Any]] ?? []
        #expect(statements.count == 2)
        for statement in statements {
            #expect(Self.strings(statement["Action"]) == ["sqs:SendMessage"])
            #expect(statement["Condition"] != nil, "queue policy statement without a source condition")
        }

        let alarms = template.resources.filter { $0.value["Type"] as? String == "AWS::CloudWatch::Alarm" }
        let dlqAlarm = try #require(alarms["OrderQueueDeadLetterQueueAlarm"]?["Properties"] as? [String: Any])
        #expect(Self.same((dlqAlarm["Dimensions"] as? [[String: Any]])?.first?["Value"], ["Fn::GetAtt": ["OrderQueueDeadLetterQueue", "QueueName"]]))
    }

    // MARK: - the transformed template

    struct Transformed: @unchecked Sendable {   // immutable once parsed
        let json: [String: Any]

        var resources: [String: [String: Any]] { json["Resources"] as? [String: [String: Any]] ?? [:] }
        var parameters: [String: [String: Any]] { json["Parameters"] as? [String: [String: Any]] ?? [:] }
        var rules: [String: Any] { json["Rules"] as? [String: Any] ?? [:] }

        func resources(ofType type: String) -> [[String: Any]] {
            resources.values.filter { $0["Type"] as? String == type }
        }

        /// A resource's properties, checking its type.
        func resource(_ name: String, type: String) throws -> [String: Any] {
            guard let resource = resources[name] else { throw TestSetupError("no resource \(name) in the transformed template") }
            guard resource["Type"] as? String == type else {
                throw TestSetupError("\(name) is a \(resource["Type"] as? String ?? "?"), expected \(type)")
            }
            return resource["Properties"] as? [String: Any] ?? [:]
        }
    }

    /// template.yaml through scripts/lib/sam_transform.py (aws-sam-translator), once per test run.
    static func transformed() async throws -> Transformed {
        try await TransformCache.shared.value { try await runTransform() }
    }

    private static func runTransform() async throws -> Transformed {
        guard let python = PackageLayout.tool("python3") else {
            throw TestSetupError("python3 is not installed (Debian package python3); scripts/test installs it")
        }
        let run = try ChildProcess.run(python, [Layout.script("sam_transform.py"), PackageLayout.template], timeout: .seconds(120))
        if run.status == 2 {
            throw TestSetupError("aws-sam-translator is not installed: scripts/test installs it (pip install aws-sam-translator)\n\(run.standardError)")
        }
        guard run.status == 0 else { throw TestSetupError("the SAM transform failed:\n\(run.output)") }
        guard let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any] else {
            throw TestSetupError("the SAM transform printed no JSON object:\n\(run.standardOutput.prefix(500))")
        }
        return Transformed(json: json)
    }

    /// JSON equality of two decoded values.
    static func same(_ value: Any?, _ expected: Any?) -> Bool {
        guard let value, let expected,
              let left = try? JSONSerialization.data(withJSONObject: [value], options: .sortedKeys),
              let right = try? JSONSerialization.data(withJSONObject: [expected], options: .sortedKeys) else { return false }
        return left == right
    }

    /// A policy's statements, with each conditional one (`Fn::If` [condition, statement, AWS::NoValue])
    /// taken as the statement it grants when its condition holds.
    static func statements(_ value: Any?) -> [[String: Any]] {
        (value as? [Any] ?? []).compactMap { item in
            guard let object = item as? [String: Any] else { return nil }
            if let branches = object["Fn::If"] as? [Any], branches.count == 3 { return branches[1] as? [String: Any] }
            return object
        }
    }

    /// A string, or the strings of a list.
    static func strings(_ value: Any?) -> [String] {
        if let string = value as? String { return [string] }
        return value as? [String] ?? []
    }

    /// A policy resource as text: the ARN string, Fn::Sub's template, or Fn::GetAtt as `Name.Attribute`.
    static func resourceText(_ value: Any?) -> String {
        if let string = value as? String { return string }
        if let list = value as? [Any] { return list.map { resourceText($0) }.joined(separator: ",") }
        guard let object = value as? [String: Any] else { return "" }
        if let sub = object["Fn::Sub"] as? String { return sub }
        if let sub = object["Fn::Sub"] as? [Any], let text = sub.first as? String { return text }
        if let getAtt = object["Fn::GetAtt"] as? [String] { return getAtt.joined(separator: ".") }
        if let ref = object["Ref"] as? String { return "Ref:\(ref)" }
        return "\(object)"
    }
}

/// The transformed template, computed by the first test that asks for it.
actor TransformCache {
    static let shared = TransformCache()
    private var task: Task<TemplateTests.Transformed, any Error>?

    func value(_ compute: @escaping @Sendable () async throws -> TemplateTests.Transformed) async throws -> TemplateTests.Transformed {
        if let task { return try await task.value }
        let task = Task { try await compute() }
        self.task = task
        return try await task.value
    }
}
