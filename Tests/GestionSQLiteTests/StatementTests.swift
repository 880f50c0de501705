import Foundation
import GestionSQLite
import Testing

@Suite struct StatementTests {
    @Test(arguments: [0, 1, 3, 50])
    func wrongArgumentCountThrowsAndDoesNotCrash(given: Int) throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(a, b)")
        let arguments = [SQLiteValue](repeating: 1, count: given)
        let error = sqliteError { try c.run("INSERT INTO t VALUES (?, ?)", arguments) }
        #expect(error?.isMisuse == true)
        #expect(error?.primaryCode == 25)
        #expect(error?.message.contains("2 parameter") == true)
        let bindable = sqliteError { _ = try c.query("SELECT * FROM t WHERE a = ? AND b = ?", arguments as [any SQLiteBindable]) }
        #expect(bindable?.isMisuse == true)
        #expect(try count(c, "t") == 0)
        // The connection and the cached statement remain usable.
        try c.run("INSERT INTO t VALUES (?, ?)", [1, 2])
        #expect(try count(c, "t") == 1)
    }

    @Test func typedBindOutOfRangeThrows() throws {
        let c = try Connection(path: ":memory:")
        let statement = try c.prepare("SELECT ?")
        #expect(statement.parameterCount == 1)
        for index: Int32 in [0, 2, -1, .max] {
            let error = sqliteError { try statement.bind(index, "x") }
            #expect(error?.primaryCode == 25)
        }
        #expect(sqliteError { try statement.bind(0, [UInt8]([1])) }?.primaryCode == 25)
        #expect(sqliteError { try statement.bindNull(9) }?.primaryCode == 25)
    }

    @Test func namedParametersBindByPosition() throws {
        let c = try Connection(path: ":memory:")
        let statement = try c.prepare("SELECT :a || :b")
        #expect(statement.parameterIndex(named: ":b") == 2)
        #expect(statement.parameterIndex(named: ":zzz") == nil)
        try statement.bind(["x", "y"])
        #expect(try statement.step())
        #expect(statement.string(at: 0) == "xy")
        statement.reset()
    }

    @Test func statementCacheReturnsTheSameStatementAndAFreshOneAfterAFailedStep() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(k TEXT UNIQUE)")
        let sql = "INSERT INTO t(k) VALUES (?)"
        let first = try c.prepare(sql)
        #expect(try c.prepare(sql) === first)
        try c.run(sql, ["a"])
        #expect(try c.prepare(sql) === first)
        #expect(!first.isBusy)
        // A failing step drops the statement from the cache.
        #expect(sqliteError { try c.run(sql, ["a"]) }?.isConstraintViolation == true)
        let second = try c.prepare(sql)
        #expect(second !== first)
        #expect(try c.prepare(sql) === second)
        #expect(try c.prepare(sql, cached: false) !== second)
        try c.run(sql, ["b"])
        #expect(try count(c, "t") == 2)
    }

    @Test func statementCacheIsBoundedAndEvictsLeastRecentlyUsed() throws {
        let c = try Connection(path: ":memory:")
        let hot = try c.prepare("SELECT 0")
        for i in 1...300 {
            _ = try c.queryScalar("SELECT \(i)")
            _ = try c.prepare("SELECT 0")  // keep it recent
        }
        #expect(c.cachedStatementCount <= 128)
        #expect(try c.prepare("SELECT 0") === hot)
        // The evicted statement a caller still holds keeps working.
        let held = try c.prepare("SELECT 1000")
        for i in 2000...2200 { _ = try c.queryScalar("SELECT \(i)") }
        #expect(try held.step())
        #expect(held.int64(at: 0) == 1000)
        held.reset()
    }

    @Test func resetAndClearBindingsAfterEachUse() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(x)")
        try c.run("INSERT INTO t VALUES (?)", ["first"])
        let statement = try c.prepare("INSERT INTO t VALUES (?)")
        #expect(!statement.isBusy)
        // Bindings were cleared: stepping without binding inserts NULL.
        #expect(try statement.step() == false)
        statement.reset()
        #expect(try c.query("SELECT x FROM t ORDER BY rowid").map { $0[0] } == ["first", nil])
        // queryOne stops after one row and leaves the statement reset.
        try c.execute("INSERT INTO t VALUES ('a'), ('b')")
        _ = try c.queryOne("SELECT x FROM t")
        #expect(try c.prepare("SELECT x FROM t").isBusy == false)
    }

    @Test(arguments: [
        ("CREATE TABLE t(k TEXT UNIQUE)", "INSERT INTO t(k) VALUES ('dup')", "INSERT INTO t(k) VALUES (?)", Int32(2067)),
        ("CREATE TABLE t(k TEXT NOT NULL, s TEXT)", "SELECT 1", "INSERT INTO t(k, s) VALUES (NULL, ?)", Int32(1299)),
        ("CREATE TABLE t(k TEXT PRIMARY KEY)", "INSERT INTO t(k) VALUES ('SECRET-VALUE-123')", "INSERT INTO t(k) VALUES (?)", Int32(1555)),
        ("CREATE TABLE t(k TEXT CHECK (length(k) < 5))", "SELECT 1", "INSERT INTO t(k) VALUES (?)", Int32(275)),
        ("CREATE TABLE p(id TEXT PRIMARY KEY); CREATE TABLE t(k TEXT REFERENCES p(id))", "SELECT 1", "INSERT INTO t(k) VALUES (?)", Int32(787)),
    ])
    func constraintViolationCarriesCodeAndSQLButNeverValues(schema: String, setup: String, sql: String, code: Int32) throws {
        let c = try Connection(path: ":memory:")
        try c.execute(schema)
        try c.execute(setup.replacingOccurrences(of: "'dup'", with: "'SECRET-VALUE-123'"))
        let error = try #require(sqliteError { try c.run(sql, ["SECRET-VALUE-123"]) })
        #expect(error.code == code)
        #expect(error.primaryCode == 19)
        #expect(error.isConstraintViolation)
        #expect(!error.isBusy && !error.isMisuse)
        #expect(error.sql == sql)
        let text = String(describing: error)
        #expect(text.contains(sql))
        #expect(text.contains(error.message))
        #expect(!text.contains("SECRET-VALUE-123"))
        #expect(!error.message.contains("SECRET-VALUE-123"))
        #expect(!String(reflecting: error).contains("SECRET-VALUE-123"))
    }

    @Test func forEachRowStreamsTenThousandRows() throws {
        let db = try TestDatabase()
        let c = db.connection
        try c.execute("""
            CREATE TABLE n(i INTEGER PRIMARY KEY, label TEXT);
            WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 10000)
            INSERT INTO n SELECT i, 'fila ' || i FROM seq;
            """)
        var rows = 0
        var sum: Int64 = 0
        var lastLabel: String?
        try c.forEachRow("SELECT i, label FROM n WHERE i >= ? ORDER BY i", [1]) { row in
            rows += 1
            sum += row.int64("i") ?? 0
            lastLabel = row.string("label")
            #expect(row.string(at: 0) == nil)  // strict: an integer is not text
        }
        #expect(rows == 10_000)
        #expect(sum == 50_005_000)
        #expect(lastLabel == "fila 10000")
    }

    @Test func forEachRowStopsOnThrowAndResetsTheStatement() throws {
        struct Stop: Error {}
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);")
        var seen = 0
        #expect(throws: Stop.self) {
            try c.forEachRow("SELECT x FROM t") { _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
        #expect(try c.prepare("SELECT x FROM t").isBusy == false)
        // No read snapshot is left open: a checkpoint-free write and a fresh read both see everything.
        try c.run("INSERT INTO t VALUES (4)")
        #expect(try c.query("SELECT x FROM t").count == 4)
    }

    @Test func reentrantUseOfTheSameSQLDuringIteration() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);")
        let sql = "SELECT x FROM t ORDER BY x"
        var pairs: [[Int64]] = []
        try c.forEachRow(sql) { outer in
            let x = outer.int64(at: 0) ?? -1
            try c.forEachRow(sql) { inner in
                pairs.append([x, inner.int64(at: 0) ?? -1])
                // If the inner loop reset the outer statement, the outer loop would never end.
                if pairs.count > 100 { throw SQLiteError(code: 1, message: "outer iteration restarted") }
            }
            // Other queries with the same SQL work too.
            _ = try c.query(sql)
        }
        #expect(pairs.count == 9)
        #expect(pairs.first == [1, 1] && pairs.last == [3, 3])
    }

    /// A cached statement keeps its rows' layout between uses, until SQLite recompiles it.
    @Test func aCachedSelectStarSeesColumnsAddedOrRenamedByASchemaChange() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(a INTEGER); INSERT INTO t VALUES (1);")
        #expect(try c.queryOne("SELECT * FROM t")?.columnNames == ["a"])
        #expect(try c.queryOne("SELECT * FROM t")?.columnNames == ["a"])
        try c.execute("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'")
        let widened = try #require(try c.queryOne("SELECT * FROM t"))
        #expect(widened.columnNames == ["a", "b"])
        #expect(widened.string("b") == "x")
        try c.execute("ALTER TABLE t RENAME COLUMN b TO c")
        let renamed = try #require(try c.queryOne("SELECT * FROM t"))
        #expect(renamed.columnNames == ["a", "c"])
        #expect(renamed.string("c") == "x")
        #expect(renamed.string("b") == nil)
    }

    @Test func rowLookupByNameAndIndex() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("""
            CREATE TABLE creditos(numeroCredito TEXT, saldo REAL, cuotas INTEGER, foto BLOB, nota TEXT);
            INSERT INTO creditos VALUES ('CR-001', 1500.5, 12, x'0102', NULL);
            """)
        let row = try #require(try c.queryOne("SELECT *, cuotas AS numeroCredito FROM creditos"))
        #expect(row.columnNames == ["numeroCredito", "saldo", "cuotas", "foto", "nota", "numeroCredito"])
        #expect(row["numeroCredito"] == "CR-001")  // leftmost wins
        #expect(row["NUMEROCREDITO"] == "CR-001")  // case-insensitive
        #expect(row[0] == "CR-001")
        #expect(row.string("numeroCredito") == "CR-001")
        #expect(row.double("saldo") == 1500.5)
        #expect(row.int64("cuotas") == 12)
        #expect(row.int("cuotas") == 12)
        #expect(row.double("cuotas") == 12)
        #expect(row.bytes("foto") == [1, 2])
        #expect(row["nota"] == .null)
        #expect(row.isNull("nota"))
        #expect(row.string("nota") == nil)
        #expect(row["missing"] == nil)
        #expect(!row.hasColumn("missing"))
        #expect(row.hasColumn("saldo"))
        #expect(row.string("cuotas") == nil)  // strict
        #expect(row.count == 6)
        #expect(row == Row(columnNames: row.columnNames, values: row.values))
        var cursorChecked = false
        try c.forEachRow("SELECT * FROM creditos") { cursor in
            #expect(cursor.string("NumeroCredito") == "CR-001")
            #expect(cursor.double("saldo") == 1500.5)
            #expect(cursor.int("cuotas") == 12)
            #expect(cursor.bytes("foto") == [1, 2])
            let notaIsNull = cursor.isNull("nota")
            #expect(notaIsNull)
            #expect(cursor["missing"] == nil)
            #expect(cursor.count == 5)
            cursorChecked = true
        }
        #expect(cursorChecked)
    }

    @Test func queryScalarDistinguishesNoRowFromNull() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(x)")
        #expect(try c.queryScalar("SELECT x FROM t") == nil)
        try c.run("INSERT INTO t VALUES (NULL)")
        #expect(try c.queryScalar("SELECT x FROM t") == .some(.null))
        #expect(try c.queryOne("SELECT x FROM t WHERE x IS NOT NULL") == nil)
    }

    @Test func bulkInsertOfOneHundredThousandRowsWithTypedBinds() throws {
        let db = try TestDatabase()
        let c = db.connection
        try c.execute("CREATE TABLE bulk(id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL, payload BLOB)")
        let payload: [UInt8] = [1, 2, 3, 4]
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            try c.transaction {
                let insert = try c.prepare("INSERT INTO bulk(id, name, amount, payload) VALUES (?, ?, ?, ?)")
                for i in 0..<100_000 {
                    try insert.bind(1, Int64(i))
                    try insert.bind(2, "cliente \(i)")
                    try insert.bind(3, Double(i) * 0.5)
                    try insert.bind(4, payload)
                    _ = try insert.step()
                    insert.reset()
                }
                insert.clearBindings()
            }
        }
        print("GestionSQLite: inserted 100,000 rows in \(elapsed)")
        #expect(try count(c, "bulk") == 100_000)
        #expect(try c.queryScalar("SELECT name FROM bulk WHERE id = 99999") == "cliente 99999")
    }
}
