import Essentials
@testable import LambdaRuntime
import Testing

@Suite("RuntimeConcurrency")
struct RuntimeConcurrencyTests {
    @Test("AWS_LAMBDA_MAX_CONCURRENCY unset means one worker")
    func unset() throws {
        #expect(try RuntimeConcurrency(environment: [:]) == .single)
        #expect(RuntimeConcurrency.single.workers == 1)
        #expect(!RuntimeConcurrency.single.isConcurrent)
    }

    @Test("a whole number from 1 to 1600 is the number of workers", arguments: [("1", 1), ("4", 4), ("16", 16), ("1600", 1_600), ("0008", 8)])
    func valid(_ text: String, _ workers: Int) throws {
        let concurrency = try RuntimeConcurrency(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": text])
        #expect(concurrency.workers == workers)
        #expect(concurrency.isConcurrent == (workers > 1))
    }

    @Test("anything else is an init error naming the variable, what it expects and what came", arguments: [
        ("0", #""0""#), ("-1", #""-1""#), ("+4", #""+4""#), (" 4", #"" 4""#), ("4 ", #""4 ""#), ("four", #""four""#), ("", #""""#),
        ("1601", #""1601""#), ("4.0", #""4.0""#), ("0x10", #""0x10""#), ("٤", #""٤""#),
        ("99999999999999999999", #""99999999999999999999""#), ("4\n", #""4\n""#),
    ])
    func invalid(_ text: String, _ shown: String) {
        #expect(throws: FunctionError(errorType: "InvalidConfiguration", errorMessage:
            "AWS_LAMBDA_MAX_CONCURRENCY: expected a whole number from 1 to 1600 (invocations served at once), found \(shown)")) {
            try RuntimeConcurrency(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": text])
        }
    }

    @Test("logs are JSON whenever invocations overlap, whatever was asked; one worker keeps the format asked for", arguments: [
        (1, LogFormat.text, LogFormat.text), (1, .json, .json), (2, .text, .json), (4, .json, .json),
    ])
    func logFormat(_ workers: Int, _ requested: LogFormat, _ written: LogFormat) {
        #expect(RuntimeConcurrency(workers: workers).logFormat(requested: requested) == written)
    }

    @Test("it describes itself in workers")
    func description() {
        #expect(RuntimeConcurrency(workers: 1).description == "1 worker")
        #expect(RuntimeConcurrency(workers: 4).description == "4 workers")
    }
}
