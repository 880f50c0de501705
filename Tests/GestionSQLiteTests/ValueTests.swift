import Foundation
import GestionSQLite
import Testing

let nonASCII = "Gestión Móvil, Cañón, 😀"

/// A value to round-trip, with a short label so large values do not flood the test log.
struct RoundTripCase: Sendable, CustomTestStringConvertible {
    let label: String
    let value: SQLiteValue
    var testDescription: String { label }

    init(_ label: String, _ value: SQLiteValue) {
        self.label = label
        self.value = value
    }
}

let roundTripCases: [RoundTripCase] = [
    .init("null", .null),
    .init("0", .integer(0)), .init("-1", .integer(-1)), .init("1", .integer(1)),
    .init("Int64.min", .integer(.min)), .init("Int64.max", .integer(.max)),
    .init("0.5", .real(0.5)), .init("-1234.5678", .real(-1234.5678)),
    .init("greatestFinite", .real(.greatestFiniteMagnitude)), .init("-greatestFinite", .real(-.greatestFiniteMagnitude)),
    .init("leastNonzero", .real(.leastNonzeroMagnitude)), .init("infinity", .real(.infinity)), .init("1e-300", .real(1e-300)),
    .init("empty text", .text("")), .init("plain text", .text("plain")), .init("non-ASCII text", .text(nonASCII)),
    .init("text with NUL", .text("with\u{0}nul")), .init("100k ñ", .text(String(repeating: "ñ", count: 100_000))),
    .init("empty blob", .blob([])), .init("blob [0]", .blob([0])), .init("blob bytes", .blob([0, 1, 2, 254, 255])),
    .init("100 KB blob", .blob([UInt8](repeating: 0xAB, count: 100_000))),
]

private func storageClass(_ value: SQLiteValue) -> String {
    switch value {
    case .null: "null"
    case .integer: "integer"
    case .real: "real"
    case .text: "text"
    case .blob: "blob"
    }
}

@Suite struct ValueTests {
    /// Every value kind survives every binding path and every reading path, with its storage class.
    @Test(arguments: roundTripCases)
    func roundTrip(_ testCase: RoundTripCase) throws {
        let value = testCase.value
        let db = try TestDatabase()
        let c = db.connection
        try c.execute("CREATE TABLE t(path TEXT, v)")  // no affinity on v: values stay as bound
        try c.run("INSERT INTO t VALUES ('values', ?)", [value])
        try c.run("INSERT INTO t VALUES ('bindable', ?)", [value] as [any SQLiteBindable])
        let insert = try c.prepare("INSERT INTO t VALUES ('typed', ?)")
        switch value {
        case .null: try insert.bindNull(1)
        case .integer(let v): try insert.bind(1, v)
        case .real(let v): try insert.bind(1, v)
        case .text(let v): try insert.bind(1, v)
        case .blob(let v): try insert.bind(1, v)
        }
        #expect(try insert.step() == false)
        insert.reset()

        let rows = try c.query("SELECT path, v, typeof(v) AS kind FROM t ORDER BY rowid")
        #expect(rows.map { $0.string("path") } == ["values", "bindable", "typed"])
        for row in rows {
            #expect(row["v"] == value)
            #expect(row.string("kind") == storageClass(value))
        }
        var seen = 0
        try c.forEachRow("SELECT v FROM t") { cursor in
            #expect(cursor[0] == value)
            #expect(cursor.row["v"] == value)
            seen += 1
        }
        #expect(seen == 3)
        let select = try c.prepare("SELECT v FROM t")
        #expect(try select.step())
        #expect(select.value(at: 0) == value)
        select.reset()
    }

    @Test func emptyBlobAndEmptyTextAreNotNull() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(v)")
        try c.run("INSERT INTO t VALUES (?), (?), (?)", [SQLiteValue.blob([]), .text(""), .null])
        let kinds = try c.query("SELECT typeof(v) FROM t ORDER BY rowid").map { $0.string(at: 0) }
        #expect(kinds == ["blob", "text", "null"])
        let statement = try c.prepare("SELECT v FROM t ORDER BY rowid")
        #expect(try statement.step())
        #expect(statement.bytes(at: 0) == [])
        #expect(try statement.step())
        #expect(statement.string(at: 0) == "")
        #expect(try statement.step())
        #expect(statement.bytes(at: 0) == nil)
        #expect(statement.string(at: 0) == nil)
        #expect(statement.isNull(at: 0))
        statement.reset()
    }

    @Test func nonASCIITextThroughEveryPath() throws {
        let c = try Connection(path: ":memory:")
        try c.execute("CREATE TABLE t(name TEXT)")
        try c.run("INSERT INTO t VALUES (?)", [nonASCII])
        #expect(try c.queryScalar("SELECT length(name) FROM t") == .integer(Int64(nonASCII.count)))
        #expect(try c.queryScalar("SELECT length(CAST(name AS BLOB)) FROM t") == .integer(Int64(nonASCII.utf8.count)))
        #expect(try c.queryOne("SELECT name FROM t")?.string("name") == nonASCII)
        // Substring bridging: a String that is a slice of a larger one.
        let slice = String("xx\(nonASCII)yy".dropFirst(2).dropLast(2))
        #expect(try c.queryScalar("SELECT ? = name FROM t", [slice]) == 1)
        // A bridged (non-native) string.
        let bridged = NSString(string: nonASCII) as String
        #expect(try c.queryScalar("SELECT ? = name FROM t", [bridged]) == 1)
    }

    @Test func bindableConversions() throws {
        let c = try Connection(path: ":memory:")
        let uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        let date = Date(timeIntervalSince1970: 1_714_566_896.789_9)
        let optionalNone: String? = nil
        let optionalSome: Int? = 5
        let arguments: [any SQLiteBindable] = [
            Int(7), Int64(-8), Int32(9), 1.25, true, false, "s", [UInt8]([1, 2]), Data([3, 4]),
            date, uuid, optionalNone, optionalSome, SQLiteValue.text("v"),
        ]
        let row = try #require(try c.queryOne("SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?", arguments))
        #expect(row.values == [
            7, -8, 9, 1.25, 1, 0, "s", .blob([1, 2]), .blob([3, 4]),
            "2024-05-01T12:34:56.789Z", "e621e1f8-c36c-495a-93fc-0c247a3e6e5f", nil, 5, "v",
        ])
        #expect(row.date(at: 9) == Date(timeIntervalSince1970: 1_714_566_896.789))
        #expect(row.uuid(at: 10) == uuid)
        #expect(row.bool(at: 4) == true)
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (-0.001, "1969-12-31T23:59:59.999Z"),
        (951_782_400.5, "2000-02-29T00:00:00.500Z"),
        (253_402_300_799.999, "9999-12-31T23:59:59.999Z"),
        (-62_135_596_800, "0001-01-01T00:00:00.000Z"),
    ])
    func dateText(seconds: Double, text: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(date.sqliteValue == .text(text))
        let parsed = SQLiteValue.text(text).date
        #expect(parsed.map { abs($0.timeIntervalSince(date)) < 0.0005 } == true)
    }

    @Test(arguments: ["", "2024-05-01", "2024-05-01T12:34:56", "2024-13-01T00:00:00Z", "2024-05-01T12:34:56.Z", "x024-05-01T12:34:56Z"])
    func malformedDateTextIsNil(text: String) {
        #expect(SQLiteValue.text(text).date == nil)
    }

    @Test func dateTextWithoutMillisecondsParses() {
        #expect(SQLiteValue.text("2024-05-01T12:34:56Z").date == Date(timeIntervalSince1970: 1_714_566_896))
        #expect(SQLiteValue.text("2024-05-01 12:34:56.5Z").date == Date(timeIntervalSince1970: 1_714_566_896.5))
    }

    @Test func literalsAndStrictAccessors() {
        let values: [SQLiteValue] = [1, 2.5, "x", nil]
        #expect(values == [.integer(1), .real(2.5), .text("x"), .null])
        #expect(SQLiteValue.integer(3).double == 3)
        #expect(SQLiteValue.real(3).int64 == 3)
        #expect(SQLiteValue.real(3.5).int64 == nil)
        #expect(SQLiteValue.real(1e30).int == nil)
        #expect(SQLiteValue.text("3").int64 == nil)
        #expect(SQLiteValue.integer(3).string == nil)
        #expect(SQLiteValue.text("x").bytes == nil)
        #expect(SQLiteValue.blob([]).bytes == [])
        #expect(SQLiteValue.null.isNull)
        #expect(!SQLiteValue.blob([]).isNull)
        #expect(SQLiteValue.integer(.max).int == Int.max)
    }
}
