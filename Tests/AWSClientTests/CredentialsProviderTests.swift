@testable import AWSClient
import Testing

@Suite("CredentialsProvider")
struct CredentialsProviderTests {
    static let start: Int64 = 1_795_633_746_000
    static let hour: Int64 = 3_600_000
    static let minute: Int64 = 60_000

    static func keys(_ id: String, expiring expiration: Int64? = nil) -> AWSCredentials {
        AWSCredentials(accessKeyID: id, secretAccessKey: "secret-\(id)", sessionToken: expiration == nil ? nil : "token-\(id)",
                       expiration: expiration)
    }

    // MARK: - The chain

    @Test("sources are tried in order and the first configured one wins")
    func firstConfiguredWins() throws {
        let environment = FakeCredentialsSource.unconfigured("environment")
        let shared = FakeCredentialsSource.answering("shared files", Self.keys("SHARED"))
        let container = FakeCredentialsSource.answering("container endpoint", Self.keys("CONTAINER"))
        let provider = CredentialsProvider(sources: [environment, shared, container], now: { Self.start })
        #expect(try provider.credentials() == Self.keys("SHARED"))
        #expect(environment.fetchCount == 1)
        #expect(shared.fetchCount == 1)
        #expect(container.fetchCount == 0, "later sources are not asked")
    }

    @Test("the source that answered sticks: a refresh asks it alone")
    func winnerSticks() throws {
        var time = Self.start
        let environment = FakeCredentialsSource.unconfigured("environment")
        let container = FakeCredentialsSource.answering("container endpoint", Self.keys("ONE", expiring: Self.start + Self.hour),
                                                         Self.keys("TWO", expiring: Self.start + 2 * Self.hour))
        let provider = CredentialsProvider(sources: [environment, container], now: { time })
        #expect(try provider.credentials().accessKeyID == "ONE")
        time = Self.start + Self.hour - Self.minute
        #expect(try provider.credentials().accessKeyID == "TWO")
        #expect(environment.fetchCount == 1, "the chain is not walked again")
        #expect(container.fetchCount == 2)
    }

    @Test("when the source that answered stops answering, the chain is walked again")
    func winnerGone() throws {
        var time = Self.start
        let shared = FakeCredentialsSource(name: "shared files", answers: [.success(Self.keys("ONE", expiring: Self.start + Self.hour)),
                                                                          .success(nil)])
        let container = FakeCredentialsSource.answering("container endpoint", Self.keys("CONTAINER"))
        let provider = CredentialsProvider(sources: [shared, container], now: { time })
        #expect(try provider.credentials().accessKeyID == "ONE")
        time += Self.hour
        #expect(try provider.credentials().accessKeyID == "CONTAINER")
    }

    @Test("a configured but broken source is reported with its name, not skipped")
    func brokenSourceReported() {
        let environment = FakeCredentialsSource.failing("environment", "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        let shared = FakeCredentialsSource.answering("shared files", Self.keys("SHARED"))
        let provider = CredentialsProvider(sources: [environment, shared], now: { Self.start })
        #expect(throws: CredentialsError("environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")) {
            try provider.credentials()
        }
        #expect(shared.fetchCount == 0, "a later source must not hide the broken one")
    }

    @Test("when no source is configured, the message lists what each one lacked, in order")
    func noneFound() {
        let provider = CredentialsProvider(sources: [
            FakeCredentialsSource.unconfigured("environment", reason: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"),
            FakeCredentialsSource.unconfigured("shared files", reason: "HOME is not set"),
            FakeCredentialsSource.unconfigured("container endpoint", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not set"),
        ], now: { Self.start })
        #expect(throws: CredentialsError("""
            no AWS credentials found; tried environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; \
            shared files: HOME is not set; container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI is not set
            """)) {
            try provider.credentials()
        }
    }

    // MARK: - Caching and refresh

    @Test("credentials without an expiry are fetched once and kept")
    func cachedForEver() throws {
        var time = Self.start
        let source = FakeCredentialsSource.answering("environment", Self.keys("ONE"), Self.keys("TWO"))
        let provider = CredentialsProvider(sources: [source], now: { time })
        #expect(try provider.credentials().accessKeyID == "ONE")
        time += 365 * 24 * Self.hour
        #expect(try provider.credentials().accessKeyID == "ONE")
        #expect(source.fetchCount == 1)
    }

    @Test("expiring credentials are kept until five minutes before they expire, then refreshed")
    func refreshWindow() throws {
        var time = Self.start
        let expiry = Self.start + Self.hour
        let source = FakeCredentialsSource.answering("container endpoint", Self.keys("ONE", expiring: expiry),
                                                     Self.keys("TWO", expiring: expiry + Self.hour))
        let provider = CredentialsProvider(sources: [source], now: { time })
        #expect(CredentialsProvider.refreshWindowMilliseconds == 5 * Self.minute)
        #expect(try provider.credentials().accessKeyID == "ONE")
        time = expiry - 5 * Self.minute - 1
        #expect(try provider.credentials().accessKeyID == "ONE")
        #expect(source.fetchCount == 1)
        time = expiry - 5 * Self.minute
        #expect(try provider.credentials().accessKeyID == "TWO")
        #expect(source.fetchCount == 2)
        #expect(try provider.credentials().accessKeyID == "TWO", "the refreshed credentials are cached in turn")
        #expect(source.fetchCount == 2)
    }

    @Test("a failed refresh keeps the cached credentials while they are still valid, and fails once they are not")
    func failedRefresh() throws {
        var time = Self.start
        let expiry = Self.start + Self.hour
        let source = FakeCredentialsSource(name: "container endpoint", answers: [
            .success(Self.keys("ONE", expiring: expiry)), .failure(CredentialsError("container endpoint answered HTTP 500")),
        ])
        let provider = CredentialsProvider(sources: [source], now: { time })
        #expect(try provider.credentials().accessKeyID == "ONE")
        time = expiry - 2 * Self.minute
        #expect(try provider.credentials().accessKeyID == "ONE")
        time = expiry - 1
        #expect(try provider.credentials().accessKeyID == "ONE")
        time = expiry
        let error = #expect(throws: CredentialsError.self) { try provider.credentials() }
        #expect(error?.message.contains("container endpoint answered HTTP 500") == true)
        #expect(source.fetchCount == 4, "every call inside the window tries to refresh")
    }

    @Test("invalidate drops the cache, so the next call fetches again")
    func invalidate() throws {
        let source = FakeCredentialsSource.answering("environment", Self.keys("ONE"), Self.keys("TWO"))
        let provider = CredentialsProvider(sources: [source], now: { Self.start })
        #expect(try provider.credentials().accessKeyID == "ONE")
        provider.invalidate()
        #expect(try provider.credentials().accessKeyID == "TWO")
        #expect(source.fetchCount == 2)
    }

    @Test("after invalidate a failing source is an error, not the dropped credentials")
    func invalidateThenFail() throws {
        let source = FakeCredentialsSource(name: "container endpoint", answers: [
            .success(Self.keys("ONE", expiring: Self.start + Self.hour)), .failure(CredentialsError("token expired")),
        ])
        let provider = CredentialsProvider(sources: [source], now: { Self.start })
        _ = try provider.credentials()
        provider.invalidate()
        #expect(throws: CredentialsError.self) { try provider.credentials() }
    }

    @Test("the standard chain is environment, shared files, then the container endpoint")
    func standardChain() throws {
        let settings = CredentialSettings(environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"])
        let provider = CredentialsProvider.standardChain(settings, now: { Self.start })
        #expect(try provider.credentials() == AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"))
    }
}
