import LambdaRuntime
@testable import OrderPipeline
import Testing

@Suite("OrderPipelineError")
struct OrderPipelineErrorTests {
    @Test("each error has exactly the contract's type name", arguments: [
        (OrderPipelineError.invalidOrderEvent("m"), "InvalidOrderEvent"),
        (.orderConflict("m"), "OrderConflict"),
        (.orderInProgress("m"), "OrderInProgress"),
        (.dependencyFailure("m"), "DependencyFailure"),
    ])
    func errorType(_ error: OrderPipelineError, _ name: String) {
        #expect(error.errorType == name)
    }

    @Test("the function error carries the type name and the message unchanged", arguments: [
        OrderPipelineError.invalidOrderEvent(#"expected price (a number) for order "124"; found none"#),
        .orderConflict("order \"123\" not written"),
        .orderInProgress("retry later"),
        .dependencyFailure("DynamoDB PutItem failed: ThrottlingException (HTTP 400) [4 attempts, retries exhausted]"),
    ])
    func functionError(_ error: OrderPipelineError) {
        #expect(error.functionError == FunctionError(errorType: error.errorType, errorMessage: error.message))
        #expect(error.description == "\(error.errorType): \(error.message)")
    }

    @Test("the message is the text the error was made with")
    func message() {
        #expect(OrderPipelineError.orderInProgress("held by r-1").message == "held by r-1")
        #expect(OrderPipelineError.dependencyFailure("").message == "")
    }

    @Test("errors of different types with the same text are not equal")
    func equality() {
        #expect(OrderPipelineError.orderConflict("x") != .orderInProgress("x"))
        #expect(OrderPipelineError.orderConflict("x") == .orderConflict("x"))
    }
}
