import LambdaRuntime
@testable import OrderPipeline
import Testing

@Suite("ConfigurationError")
struct ConfigurationErrorTests {
    @Test("the description names the variable first")
    func description() {
        #expect(ConfigurationError("BUCKET", "is required").description == "BUCKET: is required")
    }

    @Test("the init error Lambda shows is an InvalidConfiguration naming the variable")
    func functionError() {
        let error = ConfigurationError("IDEMPOTENCY_TTL_SECONDS", "expected a whole number from 0 to 315360000, found \"-1\"")
        #expect(error.functionError == FunctionError(
            errorType: "InvalidConfiguration",
            errorMessage: "IDEMPOTENCY_TTL_SECONDS: expected a whole number from 0 to 315360000, found \"-1\""))
    }
}
