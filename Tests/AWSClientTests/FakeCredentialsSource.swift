@testable import AWSClient

/// A credentials source that answers from a script and counts how often it was asked.
final class FakeCredentialsSource: CredentialsSource {
    let name: String
    let notConfiguredReason: String
    /// What each fetch answers, in order; the last answer repeats once the script runs out.
    var answers: [Result<AWSCredentials?, CredentialsError>]
    /// How many times `fetch()` was called.
    private(set) var fetchCount = 0

    init(name: String, notConfiguredReason: String = "not set up", answers: [Result<AWSCredentials?, CredentialsError>]) {
        self.name = name
        self.notConfiguredReason = notConfiguredReason
        self.answers = answers
    }

    /// A source that is not configured: it always answers `nil`.
    static func unconfigured(_ name: String, reason: String = "not set up") -> FakeCredentialsSource {
        FakeCredentialsSource(name: name, notConfiguredReason: reason, answers: [.success(nil)])
    }

    /// A source that answers these credentials, one per fetch, the last one repeating.
    static func answering(_ name: String, _ credentials: AWSCredentials...) -> FakeCredentialsSource {
        FakeCredentialsSource(name: name, answers: credentials.map { .success($0) })
    }

    /// A source that is configured but broken.
    static func failing(_ name: String, _ message: String) -> FakeCredentialsSource {
        FakeCredentialsSource(name: name, answers: [.failure(CredentialsError(message))])
    }

    func fetch() throws(CredentialsError) -> AWSCredentials? {
        fetchCount += 1
        return try answers[min(fetchCount, answers.count) - 1].get()
    }
}
