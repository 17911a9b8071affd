@testable import Essentials
import Testing

@Suite("LogLevel")
struct LogLevelTests {
    @Test("Lambda's level names are read in any case", arguments: [
        ("TRACE", LogLevel.trace), ("trace", .trace), ("DEBUG", .debug), ("Info", .info), ("INFO", .info), ("WARN", .warn),
        ("WARNING", .warn), ("warning", .warn), ("ERROR", .error), ("fatal", .fatal),
    ])
    func names(_ name: String, _ level: LogLevel) {
        #expect(LogLevel(awsName: name) == level)
    }

    @Test("anything else is not a level", arguments: ["", "VERBOSE", "INF", " INFO", "3", "CRITICAL"])
    func unknown(_ name: String) {
        #expect(LogLevel(awsName: name) == nil)
    }

    @Test("each level prints as Lambda names it and reads back", arguments: LogLevel.allCases)
    func roundTrip(_ level: LogLevel) {
        #expect(LogLevel(awsName: level.awsName) == level)
    }

    @Test("the printed names are Lambda's")
    func printedNames() {
        #expect(LogLevel.allCases.map(\.awsName) == ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"])
    }

    @Test("levels are ordered from TRACE to FATAL")
    func ordering() {
        #expect(LogLevel.allCases == LogLevel.allCases.sorted())
        #expect(LogLevel.trace < .debug)
        #expect(LogLevel.warn < .error)
        #expect(!(LogLevel.fatal < .error))
    }

    @Test("log formats are Text and JSON, in any case", arguments: [
        ("Text", Optional(LogFormat.text)), ("TEXT", .text), ("text", .text), ("JSON", .json), ("json", .json), ("Json", .json),
        ("xml", nil), ("", nil), ("plain", nil),
    ])
    func formats(_ name: String, _ format: LogFormat?) {
        #expect(LogFormat(awsName: name) == format)
    }
}
