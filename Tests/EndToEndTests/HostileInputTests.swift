import Foundation
import JSON
import Testing
import TestSupport

extension EndToEnd {
    /// The large hostile events, through the real binary (`bootstrap invoke FILE`), with AWS on a closed
    /// port: each is decided (invalid → InvalidOrderEvent; valid → it reaches DynamoDB, which is not
    /// there, so DependencyFailure), with a bounded answer, bounded log records free of raw control
    /// characters, and a peak RSS of at most 64 MB read from the child's own rusage. The only time
    /// bound is a generous timeout on the wait.
    @Suite("Hostile input (bootstrap invoke, AWS on a closed port)")
    struct HostileInputTests {
        /// The peak resident set allowed for deciding any event of up to 6 MB.
        static let peakLimitKilobytes = 64 * 1_024
        /// The longest error message and log record allowed.
        static let messageLimitBytes = 4_096
        static let logRecordLimitBytes = 10_000

        struct Outcome {
            var answer: JSONValue
            var standardError: String
            var peakKilobytes: Int
            var errorType: String? { answer["errorType"]?.stringValue }
            var errorMessage: String { answer["errorMessage"]?.stringValue ?? "" }
        }

        /// Runs `bootstrap invoke FILE` on `event` and waits for it, with its own rusage.
        static func invoke(_ event: [UInt8], logFormat: String = "Text") throws -> Outcome {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let eventPath = directory.appendingPathComponent("event.json").path
            let stdoutPath = directory.appendingPathComponent("stdout").path
            let stderrPath = directory.appendingPathComponent("stderr").path
            try Data(event).write(to: URL(fileURLWithPath: eventPath))

            var environment = Layout.childEnvironment
            for (name, value) in [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "dummy-secret",
                "AWS_REGION": "us-east-1", "BUCKET": "hostile-input-bucket", "AWS_LAMBDA_LOG_LEVEL": "INFO",
                "AWS_LAMBDA_LOG_FORMAT": logFormat, "AWS_MAX_ATTEMPTS": "1",
            ] {
                environment[name] = value
            }
            environment["AWS_SESSION_TOKEN"] = nil
            environment["AWS_PROFILE"] = nil
            let (status, peak) = try SpawnedProcess.run(try Layout.bootstrapBinary(), ["invoke", eventPath], environment: environment,
                                                        standardOutput: stdoutPath, standardError: stderrPath, timeout: .seconds(60))
            let output = try Data(contentsOf: URL(fileURLWithPath: stdoutPath))
            let errors = String(decoding: try Data(contentsOf: URL(fileURLWithPath: stderrPath)), as: UTF8.self)
            guard let answer = try? JSONValue.parse(Array(output)) else {
                throw TestSetupError("bootstrap invoke (status \(status)) printed no JSON answer: \(String(decoding: output.prefix(2_000), as: UTF8.self))\n\(errors.prefix(2_000))")
            }
            return Outcome(answer: answer, standardError: errors, peakKilobytes: peak)
        }

        /// The checks every event gets: bounded memory, a bounded message, bounded clean log records.
        static func expectBounded(_ outcome: Outcome, _ label: String) {
            #expect(outcome.peakKilobytes > 1_024, "\(label): the child's peak RSS was measured (\(outcome.peakKilobytes) KB)")
            #expect(outcome.peakKilobytes <= peakLimitKilobytes, "\(label): peak RSS \(outcome.peakKilobytes) KB")
            #expect(outcome.errorMessage.utf8.count <= messageLimitBytes, "\(label): message of \(outcome.errorMessage.utf8.count) bytes")
            for line in outcome.standardError.split(separator: "\n", omittingEmptySubsequences: true) {
                #expect(line.utf8.count <= logRecordLimitBytes, "\(label): a log record of \(line.utf8.count) bytes")
                let raw = line.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
                #expect(raw.isEmpty, "\(label): raw control characters \(raw.map { $0.value }) in a log record")
            }
        }

        /// 128 Ki alternating combining marks (U+0301 class 230, U+0316 class 220): 256 KB that
        /// canonical reordering would sort quadratically.
        static let combiningMarks = String(String.UnicodeScalarView((0..<131_072).map { $0 % 2 == 0 ? "\u{301}" : "\u{316}" }))

        @Test("a raw order with a 256 KB member name of alternating combining marks is valid and reaches DynamoDB")
        func combiningMarkName() throws {
            let event = Array(#"{"order_id":"marks-1","price":1,"\#(Self.combiningMarks)":1}"#.utf8)
            let outcome = try Self.invoke(event)
            #expect(outcome.errorType == "DependencyFailure", "\(outcome.answer)")
            #expect(outcome.errorMessage.contains("DynamoDB PutItem"))
            Self.expectBounded(outcome, "combining marks")
        }

        @Test("the same 256 KB name twice is a duplicate member: InvalidOrderEvent with an excerpt of the name")
        func combiningMarkDuplicate() throws {
            let event = Array(#"{"order_id":"marks-2","price":1,"\#(Self.combiningMarks)":1,"\#(Self.combiningMarks)":2}"#.utf8)
            let outcome = try Self.invoke(event)
            #expect(outcome.errorType == "InvalidOrderEvent", "\(outcome.answer)")
            #expect(outcome.errorMessage.contains("duplicate object member"))
            Self.expectBounded(outcome, "duplicate combining marks")
        }

        @Test("an S3 key whose file name starts with a combining mark names the order after the '/'")
        func combiningMarkFileName() throws {
            let event = Array(#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"incoming/%CC%B8abc.json"}}}]}"#.utf8)
            let outcome = try Self.invoke(event)
            #expect(outcome.errorType == "DependencyFailure", "\(outcome.answer)")
            #expect(outcome.errorMessage.contains("\u{338}abc"), "the order key is the file name: \(outcome.errorMessage)")
            Self.expectBounded(outcome, "combining mark file name")
        }

        /// About 6 MB: `prefix`, then `element` joined by commas until the event is 6,000,000 bytes, then `suffix`.
        static func sixMegabytes(_ prefix: String, _ element: String, _ suffix: String) -> [UInt8] {
            let count = (6_000_000 - prefix.utf8.count - suffix.utf8.count) / (element.utf8.count + 1)
            var bytes = Array(prefix.utf8)
            bytes.reserveCapacity(6_000_100)
            for index in 0..<count {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: element.utf8)
            }
            bytes.append(contentsOf: suffix.utf8)
            return bytes
        }

        @Test("6 MB of S3 records that are all null: InvalidOrderEvent in one short message")
        func sixMegabytesOfNullRecords() throws {
            let outcome = try Self.invoke(Self.sixMegabytes(#"{"Records":["#, "null", "]}"))
            #expect(outcome.errorType == "InvalidOrderEvent", "\(outcome.answer)")
            Self.expectBounded(outcome, "6 MB of null records")
        }

        @Test("6 MB of S3 records, the first a real one: refused as a whole (at most 100 records), in one short message")
        func sixMegabytesOfRecords() throws {
            let record = #"{"s3":{"bucket":{"name":"b"},"object":{"key":"k.json"}}}"#
            let outcome = try Self.invoke(Self.sixMegabytes(#"{"Records":["#, record, "]}"))
            #expect(outcome.errorType == "InvalidOrderEvent", "\(outcome.answer)")
            #expect(outcome.errorMessage.contains("at most 100"))
            Self.expectBounded(outcome, "6 MB of records")
        }

        @Test("a valid order carrying 6 MB of extra data is decided within 64 MB", arguments: [
            ("numbers", "1"), ("small objects", #"{"a":1}"#), ("nulls", "null"), ("strings", #""é\u0301""#),
        ])
        func sixMegabyteOrder(_ label: String, _ element: String) throws {
            let outcome = try Self.invoke(Self.sixMegabytes(#"{"order_id":"big-1","price":1,"extra":["#, element, "]}"))
            #expect(outcome.errorType == "DependencyFailure", "\(label): \(outcome.answer)")
            #expect(outcome.errorMessage.contains("DynamoDB PutItem"))
            Self.expectBounded(outcome, label)
        }

        @Test("a 6 MB invalid event (not JSON at its end) is refused within 64 MB, naming the byte")
        func sixMegabytesThenGarbage() throws {
            let outcome = try Self.invoke(Self.sixMegabytes(#"{"order_id":"big-2","price":1,"extra":["#, "[1,{}]", "]x"))
            #expect(outcome.errorType == "InvalidOrderEvent", "\(outcome.answer)")
            #expect(outcome.errorMessage.contains("invalid JSON at byte"))
            Self.expectBounded(outcome, "garbage after 6 MB")
        }

        @Test("a 1 MB EventBridge source is refused with an excerpt, not echoed", arguments: ["Text", "JSON"])
        func megabyteSource(_ logFormat: String) throws {
            let source = String(repeating: "s", count: 1_048_576)
            let outcome = try Self.invoke(Array(#"{"detail-type":"order.created","source":"\#(source)","detail":{"order_id":"1","price":1}}"#.utf8),
                                          logFormat: logFormat)
            #expect(outcome.errorType == "InvalidOrderEvent", "\(outcome.answer)")
            #expect(outcome.errorMessage.contains("source"))
            Self.expectBounded(outcome, "1 MB source")
        }

        @Test("control characters in the event never reach a Text log record raw")
        func controlCharacters() throws {
            let hostile = #"a\r\u001b[2J\u0007\u000b\u000c\u007f\u009b31m\nb"#
            let events = [
                #"{"detail-type":"order.created","source":"\#(hostile)","detail":{"price":1}}"#,
                #"{"Records":[{"eventSource":"aws:s3","eventName":"\#(hostile)","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#,
                #"{"order_id":"\#(hostile)","price":1}"#,
                #"{"\#(hostile)":1}"#,
            ]
            for event in events {
                let outcome = try Self.invoke(Array(event.utf8))
                #expect(outcome.errorType == "InvalidOrderEvent", "\(outcome.answer)")
                #expect(outcome.standardError.contains("Invocation failed: InvalidOrderEvent"))
                Self.expectBounded(outcome, event)
            }
        }
    }
}

/// Runs a child and reads its own peak RSS from `wait4`, through a small Python parent.
///
/// Linux carries a process's peak RSS across `exec`, and a child spawned straight from the test
/// runner would start with the runner's (often over 100 MB). Spawned from a small Python process
/// instead, the figure is the larger of that process's (about 10 MB) and the child's own: an upper
/// bound on the child's, which is what a "at most 64 MB" check needs.
enum SpawnedProcess {
    static let waiter = """
        import os, sys
        out, err, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
        pid = os.fork()
        if pid == 0:
            fd_in = os.open("/dev/null", os.O_RDONLY)
            fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd_in, 0); os.dup2(fd_out, 1); os.dup2(fd_err, 2)
            os.execv(argv[0], argv)
        _, status, usage = os.wait4(pid, 0)
        print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
        """

    /// Runs `executable` to completion.
    /// - Returns: Its exit status and (an upper bound of) its peak resident set in kilobytes.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    standardOutput: String, standardError: String, timeout: Duration) throws -> (status: Int32, peakKilobytes: Int) {
        let finished = try ChildProcess.run(Python.executable, ["-c", waiter, standardOutput, standardError, executable] + arguments,
                                            environment: environment, timeout: timeout)
        let fields = finished.standardOutput.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard finished.status == 0, fields.count == 2, let status = Int32(fields[0]), let peak = Int(fields[1]) else {
            throw TestSetupError("the wait4 helper failed: \(finished.output)")
        }
        return (status, peak)
    }
}
