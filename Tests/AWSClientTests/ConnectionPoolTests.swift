import Foundation
import HTTP
import Synchronization
import Testing
import TransportDoubles
@testable import AWSClient

/// The per-service pool, and the shared sender under several threads at once.
@Suite("ConnectionPool")
struct ConnectionPoolTests {
    /// A pool whose connections are scripted, counting what it opened.
    static func pool(maximumIdle: Int = 8, script: ScriptedService) -> ConnectionPool {
        let open: @Sendable (AWSService) throws(HTTPError) -> any HTTPTransport = script.factory()
        return ConnectionPool(maximumIdle: maximumIdle) { () throws(HTTPError) in try open(.dynamoDB) }
    }

    @Test("sequential use reuses the one connection")
    func sequentialReuse() throws {
        let script = ScriptedService()
        let pool = Self.pool(script: script)
        var seen: [ObjectIdentifier] = []
        for _ in 0..<4 { try pool.withConnection { seen.append(ObjectIdentifier($0)) } }
        #expect(Set(seen).count == 1)
        #expect(pool.openedCount == 1)
        #expect(pool.idleCount == 1)
    }

    @Test("a connection in use is never handed out again until it is back")
    func overlappingUseOpensAnother() throws {
        let script = ScriptedService()
        let pool = Self.pool(script: script)
        let (outer, inner) = try pool.withConnection { outer in
            (ObjectIdentifier(outer), try? pool.withConnection { ObjectIdentifier($0) })
        }
        #expect(inner != nil)
        #expect(outer != inner)
        #expect(pool.openedCount == 2)
        #expect(pool.idleCount == 2)
    }

    @Test("after a burst, at most maximumIdle connections stay open")
    func idleBounded() throws {
        let script = ScriptedService()
        let pool = Self.pool(maximumIdle: 1, script: script)
        try pool.withConnection { _ in try? pool.withConnection { _ in try? pool.withConnection { _ in } } }
        #expect(pool.openedCount == 3)
        #expect(pool.idleCount == 1)
    }

    @Test("a connection that cannot be opened is an error, and nothing is kept")
    func openFailure() {
        let pool = ConnectionPool { () throws(HTTPError) -> any HTTPTransport in throw HTTPError(.handleCreationFailed) }
        #expect(throws: HTTPError(.handleCreationFailed)) { try pool.withConnection { _ in } }
        #expect(pool.idleCount == 0)
    }

    @Test("one sender shared by eight threads: every request answered and counted, no connection used by two at once")
    func sharedSenderUnderThreads() throws {
        let threads = 8
        let requestsPerThread = 50
        let fixture = AWSRequestSenderTests.Fixture([], fallback: { request in
            HTTPResponse(status: 200, headers: [], body: Array(#"{"echo":"\#(request.headers.value(for: "x-amz-target") ?? "")"}"#.utf8))
        })
        let attempts = AttemptCounter()
        let failures = Mutex(0)
        let group = DispatchGroup()
        for index in 0..<threads {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                for _ in 0..<requestsPerThread {
                    do {
                        let response = try fixture.sender.send(fixture.request("Op\(index)"), fixture.call(attempts: attempts))
                        guard case .success(let answer) = response,
                              answer.bodyText == #"{"echo":"DynamoDB_20120810.Op\#(index)"}"# else {
                            failures.withLock { $0 += 1 }
                            continue
                        }
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
            }
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success, "the threads finished")
        #expect(failures.withLock { $0 } == 0)
        #expect(attempts.count == threads * requestsPerThread)
        #expect(fixture.script.requests.count == threads * requestsPerThread)
        #expect(fixture.sender.connectionsOpened(to: .dynamoDB) <= threads)
        #expect(fixture.script.overlappingUses == 0)
        #expect(fixture.script.maximumInFlight <= fixture.sender.connectionsOpened(to: .dynamoDB))
    }
}
