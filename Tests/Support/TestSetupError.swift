/// Something the end-to-end harness could not do (start a process, reach a tool, wait for a condition).
package struct TestSetupError: Error, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}
