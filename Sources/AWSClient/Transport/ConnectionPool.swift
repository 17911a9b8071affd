import HTTP
import Synchronization

/// Kept-alive connections to one service, shared by every thread that sends to it.
///
/// A connection is used by one thread at a time: `withConnection` checks an idle one out (or opens a
/// new one when none is idle) and checks it back in afterwards. Sequential use therefore keeps exactly
/// one connection, reused from one invocation to the next; concurrent use grows the pool to the
/// number of requests in flight, and at most `maximumIdle` stay open once the burst is over.
final class ConnectionPool: Sendable {
    private let open: @Sendable () throws(HTTPError) -> any HTTPTransport
    private let state = Mutex(State())
    /// How many idle connections are kept for reuse; the others are closed when checked in.
    let maximumIdle: Int

    private struct State {
        var idle: [CheckedOut] = []
        var opened = 0
    }

    /// Creates an empty pool.
    /// - Parameters:
    ///   - maximumIdle: Idle connections kept for reuse.
    ///   - open: Opens a new connection (a libcurl handle; a scripted transport in tests).
    init(maximumIdle: Int = 8, open: @escaping @Sendable () throws(HTTPError) -> any HTTPTransport) {
        self.maximumIdle = maximumIdle
        self.open = open
    }

    /// Runs `body` with a connection no other thread is using.
    /// - Throws: ``HTTPError`` when a new connection was needed and could not be created.
    func withConnection<Result>(_ body: (any HTTPTransport) -> Result) throws(HTTPError) -> Result {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return body(connection.transport)
    }

    /// Connections opened so far.
    var openedCount: Int { state.withLock { $0.opened } }
    /// Connections waiting for reuse.
    var idleCount: Int { state.withLock { $0.idle.count } }

    private func checkOut() throws(HTTPError) -> CheckedOut {
        if let idle = state.withLock({ $0.idle.popLast() }) { return idle }
        let connection = CheckedOut(transport: try open())
        state.withLock { $0.opened += 1 }
        return connection
    }

    private func checkIn(_ connection: CheckedOut) {
        state.withLock { state in
            if state.idle.count < maximumIdle { state.idle.append(connection) }
        }
    }
}

/// A connection moving between the pool and the one thread that uses it.
/// `@unchecked`: a transport is not thread-safe, and the pool hands each to one thread at a time
/// (it sits either in the idle list, under the lock, or with the thread that checked it out).
private struct CheckedOut: @unchecked Sendable {
    let transport: any HTTPTransport
}
