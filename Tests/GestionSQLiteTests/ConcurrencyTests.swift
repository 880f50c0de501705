import Foundation
import GestionSQLite
import Synchronization
import Testing

/// `Connection` is not Sendable: these tests show the intended ownership (a Mutex per
/// connection, or an actor) and WAL's one-writer/many-readers behaviour across threads.
/// A shareable reference to a Mutex-guarded connection (Mutex itself is non-copyable).
final class SharedConnection: Sendable {
    let mutex: Mutex<Connection>
    init(_ connection: sending Connection) { mutex = Mutex(connection) }
    func withLock<R: Sendable>(_ body: (inout sending Connection) throws -> R) throws -> R {
        try mutex.withLock { try body(&$0) }
    }
}

@Suite struct ConcurrencyTests {
    @Test func mutexOwnedConnectionsWriteAndReadConcurrently() async throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE events(id INTEGER PRIMARY KEY, writer INTEGER, seq INTEGER)")
        let path = db.path
        // Each connection is created in its own region and handed (`sending`) to its Mutex.
        let writers = [SharedConnection(try Connection(path: path)), SharedConnection(try Connection(path: path))]
        let reader = SharedConnection(try Connection(path: path, configuration: .init(readOnly: true)))
        let perWriter = 200

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, writer) in writers.enumerated() {
                group.addTask {
                    for seq in 0..<perWriter {
                        _ = try writer.withLock { connection in
                            try connection.transaction {
                                try connection.run("INSERT INTO events(writer, seq) VALUES (?, ?)", [index, seq])
                            }
                        }
                    }
                }
            }
            group.addTask {
                var last: Int64 = 0
                for _ in 0..<200 {
                    let seen = try reader.withLock { try count($0, "events") }
                    #expect(seen >= last)  // committed rows never disappear
                    last = seen
                }
            }
            try await group.waitForAll()
        }
        #expect(try count(db.connection, "events") == Int64(2 * perWriter))
        #expect(try db.connection.queryScalar("SELECT count(DISTINCT writer || '-' || seq) FROM events") == .integer(Int64(2 * perWriter)))
    }

    actor Store {
        let connection: Connection
        init(path: String) throws { connection = try Connection(path: path) }
        func insert(_ value: String) throws { try connection.run("INSERT INTO t VALUES (?)", [value]) }
        func count() throws -> Int64 { try connection.queryScalar("SELECT count(*) FROM t")?.int64 ?? 0 }
    }

    @Test func actorOwnedConnection() async throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE t(x TEXT)")
        let store = try Store(path: db.path)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<50 { group.addTask { try? await store.insert("v\(i)") } }
        }
        #expect(try await store.count() == 50)
    }

    @Test func nilLiteralBindsNull() throws {
        let c = try Connection(path: ":memory:")
        let statement = try c.prepare("SELECT ? IS NULL")
        try statement.bind(1, nil)
        #expect(try statement.step())
        #expect(statement.int64(at: 0) == 1)
        statement.reset()
    }
}
