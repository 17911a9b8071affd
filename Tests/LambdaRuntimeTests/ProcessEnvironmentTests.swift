#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import LambdaRuntime
import Testing

@Suite("ProcessEnvironment")
struct ProcessEnvironmentTests {
    @Test("the snapshot holds every variable, split at the first '=' byte, even before a combining mark")
    func snapshot() {
        setenv("ORDER_PIPELINE_TEST_PLAIN", "a=b", 1)
        setenv("ORDER_PIPELINE_TEST_MARK", "\u{301}x", 1)  // "=" + U+0301 is one Character
        setenv("ORDER_PIPELINE_TEST_EMPTY", "", 1)
        defer {
            unsetenv("ORDER_PIPELINE_TEST_PLAIN")
            unsetenv("ORDER_PIPELINE_TEST_MARK")
            unsetenv("ORDER_PIPELINE_TEST_EMPTY")
        }
        let values = ProcessEnvironment.snapshot()
        #expect(values["ORDER_PIPELINE_TEST_PLAIN"] == "a=b")
        #expect(values["ORDER_PIPELINE_TEST_MARK"]?.unicodeScalars.elementsEqual("\u{301}x".unicodeScalars) == true)
        #expect(values["ORDER_PIPELINE_TEST_EMPTY"] == "")
        #expect(values["PATH"] != nil)
    }
}
