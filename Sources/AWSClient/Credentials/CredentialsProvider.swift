import Synchronization

/// The credential chain with a cache: environment, then shared files, then the container endpoint,
/// as the AWS SDKs look. Expiring credentials are refreshed five minutes before they expire, so a
/// request is never signed with keys about to lapse.
///
/// Shared by every thread that signs. `@unchecked`: the sources, the clock and the cache are only
/// touched while holding `lock`, so one thread fetches while the others wait for its keys.
public final class CredentialsProvider: @unchecked Sendable {
    /// Credentials this close to expiry are refreshed before use.
    public static let refreshWindowMilliseconds: Int64 = 5 * 60_000

    private let sources: [any CredentialsSource]
    private let now: () -> Int64
    private var cached: AWSCredentials?
    private var resolvedSource: (any CredentialsSource)?
    private let lock = Mutex(())

    /// Creates the provider.
    /// - Parameters:
    ///   - sources: Sources in the order to try.
    ///   - now: The wall clock in Unix milliseconds.
    public init(sources: [any CredentialsSource], now: @escaping () -> Int64) {
        self.sources = sources
        self.now = now
    }

    /// The standard chain for the given settings.
    public static func standardChain(_ settings: CredentialSettings, now: @escaping () -> Int64) -> CredentialsProvider {
        CredentialsProvider(sources: [
            EnvironmentCredentials(settings: settings),
            SharedFileCredentials(settings: settings),
            ContainerCredentials(settings: settings),
        ], now: now)
    }

    /// Credentials to sign with.
    /// - Returns: Cached credentials while fresh; otherwise newly fetched ones.
    /// - Throws: ``CredentialsError`` saying what each source lacked, or why the configured one failed.
    public func credentials() throws(CredentialsError) -> AWSCredentials {
        try lock.withLock { _ throws(CredentialsError) in try cachedOrFetched() }
    }

    private func cachedOrFetched() throws(CredentialsError) -> AWSCredentials {
        let time = now()
        if let cached, !needsRefresh(cached, at: time) { return cached }
        do {
            let fresh = try fetch()
            cached = fresh
            return fresh
        } catch {
            // A failed early refresh is not fatal while the old keys still work.
            if let cached, let expiration = cached.expiration, expiration > time { return cached }
            throw error
        }
    }

    /// Drops the cache, so the next call fetches again (after AWS rejected the token as expired).
    public func invalidate() {
        lock.withLock { _ in cached = nil }
    }

    private func needsRefresh(_ credentials: AWSCredentials, at time: Int64) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration - time <= Self.refreshWindowMilliseconds
    }

    private func fetch() throws(CredentialsError) -> AWSCredentials {
        if let resolvedSource {
            do {
                if let credentials = try resolvedSource.fetch() { return credentials }
            } catch {
                throw CredentialsError("\(resolvedSource.name): \(error.message)")
            }
        }
        var tried: [String] = []
        for source in sources {
            do {
                if let credentials = try source.fetch() {
                    resolvedSource = source
                    return credentials
                }
                tried.append("\(source.name): \(source.notConfiguredReason)")
            } catch {
                throw CredentialsError("\(source.name): \(error.message)")
            }
        }
        throw CredentialsError("no AWS credentials found; tried " + tried.joined(separator: "; "))
    }
}

