import Foundation
import GestionSQLite

/// Injected write failures, without a hook in the engine: the simulation opens its own connection
/// to a database file (the server's or a replica's) and adds triggers that make every insert,
/// update or delete of some tables fail, as a disk that refuses writes would. The engine's
/// statement fails mid-transaction and its transaction must roll back whole. Removing the
/// triggers ends the fault.
///
/// This models a write that fails cleanly (SQLite reports the error and rolls back); torn
/// writes and lost fsyncs need a fault-injecting VFS (docs/reliability.md, crash injection).
enum WriteFaults {
    static let prefix = "gestion_sim_fault_"
    static let message = "simulated write failure"

    /// Makes writes to `tables` of the database at `path` fail until `clear` (`nil`: every table).
    static func inject(path: String, tables: [String]?) throws {
        let connection = try open(path)
        defer { connection.close() }
        let targets = try tables ?? userTables(connection)
        try connection.transaction(.immediate) {
            for table in targets {
                for operation in ["INSERT", "UPDATE", "DELETE"] {
                    try connection.execute(
                        """
                        CREATE TRIGGER IF NOT EXISTS \(prefix)\(table)_\(operation.lowercased())
                        BEFORE \(operation) ON \(table) BEGIN SELECT RAISE(ABORT, '\(message)'); END
                        """
                    )
                }
            }
        }
    }

    /// Removes every injected failure from the database at `path`.
    static func clear(path: String) throws {
        let connection = try open(path)
        defer { connection.close() }
        let triggers = try connection.query(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ORDER BY name", [prefix + "%"]
        ).compactMap { $0.string(at: 0) }
        guard !triggers.isEmpty else { return }
        try connection.transaction(.immediate) {
            for trigger in triggers { try connection.execute("DROP TRIGGER IF EXISTS \(trigger)") }
        }
    }

    /// Whether an error's text says it came from an injected failure.
    static func caused(_ description: String) -> Bool { description.contains(message) }

    private static func open(_ path: String) throws -> Connection {
        var configuration = Connection.Configuration()
        configuration.busyTimeout = .milliseconds(200)
        return try Connection(path: path, configuration: configuration)
    }

    private static func userTables(_ connection: Connection) throws -> [String] {
        try connection.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).compactMap { $0.string(at: 0) }
    }
}
