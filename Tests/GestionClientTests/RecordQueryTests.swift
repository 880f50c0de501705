import Foundation
import GestionSQLite
import Mediacion
import SyncCore
import Testing

@testable import GestionClient

/// How a replica lists its records with their sync state.
@Suite struct RecordQueryTests {
    /// Regression, found by `gestion-load` (docs/reliability.md §8): the open conflicts' targets
    /// were looked up with a correlated subquery, so listing N records parsed every open
    /// conflict's JSON N times; on an agency's device (580 accounts, 84 open conflicts) one list
    /// took 446 ms instead of 1 ms. The lookup must be one list per query, and the states right.
    @Test func openConflictsAreReadOncePerListAndMarkTheirRecords() throws {
        let path = temporaryDirectory().appendingPathComponent("oficina.sqlite").path
        try LocalReplica(path: path, registry: Mediacion.registry).close()
        let db = try Connection(path: path)
        for n in 1...3 {
            try db.run("INSERT INTO records (collection, id, body) VALUES ('cuentas', ?, ?)", ["400000000\(n)", "{\"n\":\(n)}"])
        }
        try db.run(
            "INSERT INTO records (collection, id, body) VALUES ('conflicts', 'a-1', ?), ('conflicts', 'a-2', ?)",
            ["{\"status\":\"open\",\"targets\":[\"cuentas/4000000002\"]}", "{\"status\":\"resolved\",\"targets\":[\"cuentas/4000000003\"]}"]
        )

        // EXPLAIN QUERY PLAN rows: id, parent, notused, detail.
        let plan = try db.query("EXPLAIN QUERY PLAN " + LocalReplica.recordQuery + " WHERE r.collection = ? ORDER BY r.id", ["cuentas"])
        db.close()
        let details = Dictionary(plan.map { ($0.int64(at: 0) ?? -1, (parent: $0.int64(at: 1) ?? -1, detail: $0.string(at: 3) ?? "")) }) { a, _ in a }
        let conflictScan = try #require(details.values.first { $0.detail.contains("VIRTUAL TABLE") }, "\(details)")
        let subquery = try #require(details[conflictScan.parent]?.detail)
        #expect(subquery.hasPrefix("LIST SUBQUERY"), "the open conflicts are read once per list, not per record: \(subquery)")

        let replica = try LocalReplica(path: path, registry: Mediacion.registry)
        defer { replica.close() }
        #expect(try replica.records(in: "cuentas").map(\.syncState) == [.synced, .inConflict, .synced])
        #expect(try replica.record(RecordKey("cuentas", "4000000002"))?.syncState == .inConflict)
    }
}
