/// Something the end-to-end harness could not do (start a process, reach a tool, wait for a condition).
struct TestSetupError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
