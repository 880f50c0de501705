import Foundation
import GestionHTTP
import GestionLogging
import GestionServer
import Mediacion
import Synchronization

/// The sync server's logic in this process: a real `SQLiteSyncStore` in a directory and the real
/// `SyncService`, called with requests as values (no sockets). A crash closes the store and opens
/// it again from disk, as a restarted process would; in-memory state (login throttling) is lost.
final class SimServer {
    let directory: URL
    let clock: SimClock
    let configuration: ServerConfiguration
    private(set) var store: SQLiteSyncStore
    private(set) var service: SyncService
    private let committed = CommitFlag()
    /// Write failures are injected into the server's database.
    var diskFault = false
    /// The step at which the write failures stop.
    var diskFaultEnds = 0

    /// Marks that a push reached the point where it is durable and not yet answered.
    final class CommitFlag: Sendable {
        let value = Mutex(false)
    }

    init(directory: URL, clock: SimClock) throws {
        self.directory = directory
        self.clock = clock
        var configuration = ServerConfiguration(passwordIterations: 1000, pullPageSize: 40)
        // Test-only: fast password hashes. Small pull pages, so that syncs take several pages.
        configuration.maxOfflineDays = 30
        self.configuration = configuration
        store = try SQLiteSyncStore(directory: directory, readerCount: 2)
        service = Self.service(store: store, configuration: configuration, clock: clock, committed: committed)
    }

    private static func service(store: SQLiteSyncStore, configuration: ServerConfiguration, clock: SimClock, committed: CommitFlag)
        -> SyncService
    {
        SyncService(
            store: store, registry: Mediacion.registry, configuration: configuration, logger: .disabled, clock: clock.reading,
            faults: { point in
                if point == .pushCommitted { committed.value.withLock { $0 = true } }
            }
        )
    }

    var databasePath: String { store.databasePath }

    /// Handles one request; `committed` tells whether a push became durable.
    func handle(_ request: HTTPRequest) -> (response: HTTPResponse, committed: Bool) {
        committed.value.withLock { $0 = false }
        let response = service.handle(request)
        return (response, committed.value.withLock { $0 })
    }

    /// The process dies and starts again: the store is closed and opened from its files.
    func restart() throws {
        store.close()
        store = try SQLiteSyncStore(directory: directory, readerCount: 2)
        service = Self.service(store: store, configuration: configuration, clock: clock, committed: committed)
    }

    func close() {
        store.close()
    }
}
