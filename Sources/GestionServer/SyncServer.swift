import Foundation
import GestionHTTP
import GestionLogging
import SyncCore

/// The whole sync server: the store, the sync API and the HTTP listener.
public final class SyncServer: Sendable {
    public let service: SyncService
    private let http: HTTPServer
    private let logger: Logger

    /// - Parameters:
    ///   - host: address to listen on (`127.0.0.1` by default).
    ///   - port: TCP port; 0 picks a free one (see the return value of `start()`).
    public init(
        store: any SyncStore, registry: MutationRegistry, configuration: ServerConfiguration = .init(),
        host: String = "127.0.0.1", port: Int = 8080, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }, faults: @escaping @Sendable (FaultPoint) -> Void = { _ in }
    ) {
        let service = SyncService(
            store: store, registry: registry, configuration: configuration, logger: logger.labeled("sync"), clock: clock,
            faults: faults
        )
        self.service = service
        self.logger = logger
        var httpConfiguration = HTTPServer.Configuration()
        httpConfiguration.host = host
        httpConfiguration.port = port
        httpConfiguration.maxConnections = configuration.maxConnections
        httpConfiguration.maxConnectionsPerAddress = configuration.maxConnectionsPerAddress
        httpConfiguration.headerDeadline = .milliseconds(Int64(configuration.headerDeadline * 1000))
        httpConfiguration.maxBodySize = { method, path in SyncService.maxBodySize(method: method, path: path) }
        http = HTTPServer(configuration: httpConfiguration, logger: logger.labeled("http")) { request in
            service.handle(request)
        }
    }

    /// Starts listening; returns the port.
    @discardableResult
    public func start() throws -> Int {
        let port = try http.start()
        logger.notice("listening", ["host": http.configuration.host, "port": String(port), "server_id": service.store.serverID])
        return port
    }

    /// Stops accepting, lets requests in flight finish, then closes the store.
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        logger.notice("shutting_down", [:])
        service.store.commits.stop()  // held pulls answer now instead of holding up the shutdown
        http.shutdown(gracePeriod: gracePeriod)
        service.store.close()
        logger.notice("stopped", [:])
    }

    public func waitUntilStopped() {
        http.waitUntilStopped()
    }
}
