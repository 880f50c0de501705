import Foundation
import GestionSQLite
import Testing

/// A unique temporary directory, removed when the value goes out of scope.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gestion-sqlite-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A fresh file database in its own temporary directory.
struct TestDatabase: ~Copyable {
    let directory: TemporaryDirectory
    let path: String
    let connection: Connection

    init(configuration: Connection.Configuration = .init()) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("test.sqlite")
        let connection = try Connection(path: path, configuration: configuration)
        self.path = path
        self.connection = connection
        self.directory = directory
    }

    func open(_ configuration: Connection.Configuration = .init()) throws -> Connection {
        try Connection(path: path, configuration: configuration)
    }
}

/// Runs `body` and returns the SQLiteError it throws (nil if it does not throw one).
func sqliteError(_ body: () throws -> Void) -> SQLiteError? {
    do {
        try body()
        return nil
    } catch let error as SQLiteError {
        return error
    } catch {
        Issue.record("expected SQLiteError, got \(error)")
        return nil
    }
}

func count(_ connection: Connection, _ table: String) throws -> Int64 {
    try connection.queryScalar("SELECT count(*) FROM \(table)")?.int64 ?? -1
}
