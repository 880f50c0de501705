import Foundation

/// Settings of the sync server. Defaults are the production values.
public struct ServerConfiguration: Sendable {
    /// PBKDF2 iterations for new password hashes. Production never goes below 600,000; tests lower
    /// it for speed.
    public var passwordIterations: Int
    /// How long a login token lives.
    public var tokenLifetime: TimeInterval
    /// Password checks allowed at once, so a burst of logins cannot take every core from sync.
    public var maxConcurrentPasswordChecks: Int
    /// How long a login may wait for a password-check slot before it is told to retry.
    public var passwordCheckWait: TimeInterval
    public var loginThrottle: LoginThrottle.Policy
    /// Change rows per pull page when the device does not ask for fewer.
    public var pullPageSize: Int
    /// How pushed mutations are judged (clock skew tolerance).
    public var pushPolicy = PushPolicy()
    /// Days a device may go without a successful sync before it locks its replica until its user
    /// signs in again.
    public var maxOfflineDays = 30
    /// Connections served at once; more are answered `503` (see `HTTPServer.Configuration`).
    public var maxConnections = 512
    /// Connections served at once from one client address, so that one address (a slowloris
    /// attacker) cannot hold every slot; 0 for no limit, behind a reverse proxy.
    public var maxConnectionsPerAddress = 64
    /// Seconds a connection has to deliver a whole request head; slower clients get `408`.
    public var headerDeadline: TimeInterval = 10
    /// Longest a pull with nothing new may be held for its `waitMs` (long poll); 0 answers every
    /// pull at once.
    public var maxPullWait: TimeInterval = 25
    /// How often a held pull looks at the store again even when this process committed nothing
    /// (admin commands write from other processes), and checks that its client is still there.
    public var pullRecheckInterval: TimeInterval = 1

    public static let minimumPasswordIterations = 600_000

    public init(
        passwordIterations: Int = ServerConfiguration.minimumPasswordIterations,
        tokenLifetime: TimeInterval = 14 * 86_400,
        maxConcurrentPasswordChecks: Int = 1,
        passwordCheckWait: TimeInterval = 10,
        loginThrottle: LoginThrottle.Policy = .init(),
        pullPageSize: Int = 2000
    ) {
        self.passwordIterations = passwordIterations
        self.tokenLifetime = tokenLifetime
        self.maxConcurrentPasswordChecks = maxConcurrentPasswordChecks
        self.passwordCheckWait = passwordCheckWait
        self.loginThrottle = loginThrottle
        self.pullPageSize = pullPageSize
    }
}
