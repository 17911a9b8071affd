/// One event handed out by `/next`, with its context.
public struct Invocation: Sendable {
    /// What the Runtime API said about the invocation.
    public var context: InvocationContext
    /// The event payload exactly as delivered.
    public var event: [UInt8]

    /// Creates an invocation.
    public init(context: InvocationContext, event: [UInt8]) {
        self.context = context
        self.event = event
    }
}
